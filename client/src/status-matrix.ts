/**
 * "Show Status Matrix": a webview with every project's migrations × environments
 * (status-matrix-html.ts draws it), redrawn whenever the status store changes — the same moment
 * the tree is. A cell's button runs the tree's own command on that cell, so confirmation of a
 * protected environment, progress and errors are the same as from the tree.
 */
import { randomBytes } from 'node:crypto';
import * as path from 'node:path';
import * as vscode from 'vscode';
import { CommandId } from './command-ids';
import { renderStatusMatrix, type CellAction } from './status-matrix-html';
import type { StatusStore } from './status-store';

const allowedCommands: ReadonlySet<string> = new Set<CellAction['command']>([CommandId.applyTo, CommandId.verify, CommandId.rollbackTo]);

export class StatusMatrixPanel {
  private static current: StatusMatrixPanel | undefined;
  private readonly disposables: vscode.Disposable[] = [];

  static show(store: StatusStore): void {
    if (StatusMatrixPanel.current) {
      StatusMatrixPanel.current.panel.reveal();
      return;
    }
    const panel = vscode.window.createWebviewPanel('tidemark.statusMatrix', 'Tidemark: Status Matrix', vscode.ViewColumn.Active, { enableScripts: true, localResourceRoots: [] });
    StatusMatrixPanel.current = new StatusMatrixPanel(panel, store);
  }

  private constructor(
    private readonly panel: vscode.WebviewPanel,
    private readonly store: StatusStore,
  ) {
    this.render();
    if (store.all.length === 0) void store.refresh();
    this.disposables.push(
      store.onDidChange(() => this.render()),
      panel.webview.onDidReceiveMessage((message: unknown) => this.run(message)),
      panel.onDidDispose(() => this.dispose()),
    );
  }

  private render(): void {
    const nonce = randomBytes(16).toString('base64');
    const projects = this.store.all.map((p) => ({ root: p.root, label: path.basename(p.root), environments: p.environments, error: p.error }));
    this.panel.webview.html = renderStatusMatrix(projects, { nonce, cspSource: this.panel.webview.cspSource });
  }

  /** The page is not trusted to name any command: only a cell action, with its three fields. */
  private run(message: unknown): void {
    const a = message as Partial<CellAction>;
    if (!a || !allowedCommands.has(a.command ?? '') || typeof a.root !== 'string' || typeof a.environment !== 'string' || typeof a.version !== 'string') return;
    void vscode.commands.executeCommand(a.command!, { root: a.root, environment: a.environment, version: a.version });
  }

  private dispose(): void {
    StatusMatrixPanel.current = undefined;
    for (const d of this.disposables) d.dispose();
  }
}
