/**
 * Where statuses show up outside the tree: code lenses above migration files, Explorer badges,
 * and the status bar item with the active environment.
 */
import * as vscode from 'vscode';
import { DiffRequest, type ReplayStatus } from '../../server/src/protocol';
import type { LanguageClient } from 'vscode-languageclient/node';
import { CommandId } from './command-ids';
import type { StatusStore } from './status-store';
import { fileBadge, fileLenses, statusBarText, summarize, type LensAction } from './tree-model';

const lensCommand: Record<Exclude<LensAction, 'none'>, CommandId> = {
  apply: CommandId.applyTo,
  rollbackLast: CommandId.rollbackLast,
  rollbackTo: CommandId.rollbackTo,
};

export class MigrationCodeLenses implements vscode.CodeLensProvider {
  private readonly changed = new vscode.EventEmitter<void>();
  readonly onDidChangeCodeLenses = this.changed.event;

  constructor(private readonly store: StatusStore) {
    store.onDidChange(() => this.changed.fire());
  }

  provideCodeLenses(document: vscode.TextDocument): vscode.CodeLens[] {
    if (!vscode.workspace.getConfiguration('tidemark').get<boolean>('codeLens.enabled', true)) return [];
    const top = new vscode.Range(0, 0, 0, 0);
    const trusted = vscode.workspace.isTrusted;
    const lenses: vscode.CodeLens[] = [];
    for (const project of this.store.all) {
      const lensesHere = fileLenses(project.environments, document.uri.fsPath);
      // The replay check runs the folder's SQL and check.setup (on a throwaway database): trusted workspaces only.
      if (lensesHere.length && trusted)
        lenses.push(
          new vscode.CodeLens(top, {
            title: '$(beaker) Check migration',
            command: CommandId.checkMigration,
            arguments: [document.uri],
            tooltip: 'Replay it on a shadow database: every statement runs, the rollback restores the schema, it can run twice',
          }),
        );
      for (const lens of lensesHere) {
        const target = { root: project.root, environment: lens.environment, version: lens.version };
        if (lens.action === 'none') {
          lenses.push(new vscode.CodeLens(top, { title: lens.title, command: 'tidemark.environments.focus', tooltip: 'Show the Tidemark view' }));
        } else if (trusted) {
          lenses.push(new vscode.CodeLens(top, { title: lens.title, command: lensCommand[lens.action], arguments: [target] }));
        }
      }
    }
    return lenses;
  }
}

export class MigrationFileBadges implements vscode.FileDecorationProvider {
  private readonly changed = new vscode.EventEmitter<undefined>();
  readonly onDidChangeFileDecorations = this.changed.event;

  constructor(private readonly store: StatusStore) {
    store.onDidChange(() => this.changed.fire(undefined));
  }

  provideFileDecoration(uri: vscode.Uri): vscode.FileDecoration | undefined {
    if (uri.scheme !== 'file' || !uri.fsPath.endsWith('.sql')) return undefined;
    const badge = fileBadge(this.store.allEnvironments(), uri.fsPath);
    if (!badge) return undefined;
    return new vscode.FileDecoration(badge.badge, `Tidemark: ${badge.tooltip}`, new vscode.ThemeColor(badge.color));
  }
}

export class ActiveEnvironmentStatusBar implements vscode.Disposable {
  private readonly item = vscode.window.createStatusBarItem('tidemark.activeEnvironment', vscode.StatusBarAlignment.Left, 50);

  constructor(private readonly store: StatusStore) {
    this.item.name = 'Tidemark environment';
    this.item.command = CommandId.selectEnvironment;
    store.onDidChange(() => this.update());
    vscode.workspace.onDidChangeConfiguration((e) => e.affectsConfiguration('tidemark.activeEnvironment') && this.update());
  }

  update(): void {
    const all = this.store.allEnvironments();
    if (all.length === 0) {
      this.item.hide();
      return;
    }
    const active = vscode.workspace.getConfiguration('tidemark').get<string>('activeEnvironment');
    const status = all.find((s) => s.environment.name === active) ?? all[0];
    this.item.text = statusBarText(status);
    this.item.tooltip = `Tidemark: ${status.environment.name} — ${summarize(status)}. Click to choose the environment palette commands use.`;
    this.item.show();
  }

  dispose(): void {
    this.item.dispose();
  }
}

/** The status bar item while the replay check proves a migration on its shadow database. */
export class ReplayStatusBar implements vscode.Disposable {
  private readonly item = vscode.window.createStatusBarItem('tidemark.replay', vscode.StatusBarAlignment.Left, 49);
  private readonly running = new Set<string>();
  private hideTimer: NodeJS.Timeout | undefined;

  constructor() {
    this.item.name = 'Tidemark replay check';
  }

  update(status: ReplayStatus): void {
    clearTimeout(this.hideTimer);
    const file = vscode.Uri.parse(status.uri).path.split('/').pop() ?? status.uri;
    if (status.state === 'started') this.running.add(status.uri);
    else this.running.delete(status.uri);
    if (this.running.size > 0) {
      this.item.text = `$(sync~spin) Replaying ${this.running.size === 1 ? file : `${this.running.size} migrations`}`;
      this.item.tooltip = 'Tidemark: proving the migration on a shadow database (up, verify, up again, down, down again)';
      this.item.show();
      return;
    }
    if (status.state === 'finished') {
      this.item.text = status.findings ? `$(warning) Replay: ${status.findings} finding${status.findings === 1 ? '' : 's'}` : '$(pass) Replay: no problems';
      this.item.tooltip = `Tidemark: the replay check of ${file} finished${status.durationMs !== undefined ? ` in ${status.durationMs} ms` : ''}`;
      this.item.command = 'workbench.actions.view.problems';
      this.item.show();
      this.hideTimer = setTimeout(() => this.item.hide(), 8_000);
    } else if (status.state === 'untrusted') {
      this.item.text = '$(shield) Replay: workspace not trusted';
      this.item.tooltip = "Tidemark: the replay check runs this folder's migrations and check.setup, so it runs only in a trusted workspace. Linting keeps working.";
      this.item.command = 'workbench.trust.manage';
      this.item.show();
    } else this.item.hide();
  }

  dispose(): void {
    clearTimeout(this.hideTimer);
    this.item.dispose();
  }
}

/** Serves `tidemark-applied:` documents: a migration's up SQL as stored when it was applied. */
export class AppliedSqlProvider implements vscode.TextDocumentContentProvider {
  constructor(private readonly client: LanguageClient) {}

  async provideTextDocumentContent(uri: vscode.Uri, token: vscode.CancellationToken): Promise<string> {
    const query = new URLSearchParams(uri.query);
    const root = query.get('root');
    const environment = query.get('environment');
    const version = query.get('version');
    if (!root || !environment || !version) throw new Error(`not a Tidemark applied-SQL address: ${uri.toString()}`);
    const diff = await this.client.sendRequest(DiffRequest.type, { root, environment, version }, token);
    return diff.applied;
  }
}
