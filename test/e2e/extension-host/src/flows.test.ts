/**
 * The Tidemark extension driven through the `vscode` API inside a real extension host, on a
 * fresh copy of the sample workspace whose only environment is the embedded sandbox.
 */
import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import * as vscode from 'vscode';
import type { TidemarkApi, TreeRow } from '../../../../client/src/extension';

const flagged = JSON.parse(process.env.TIDEMARK_E2E_FLAGGED ?? '{}') as { file?: string; rule?: string };
/** What `tidemark status --env sandbox` lists for this workspace (computed by the driver). */
const expected = JSON.parse(process.env.TIDEMARK_E2E_EXPECTED ?? '{"labels":[]}') as { labels: string[] };

async function until<T>(what: string, probe: () => T | undefined | Promise<T | undefined>, seconds = 60): Promise<T> {
  const deadline = Date.now() + seconds * 1000;
  let last: unknown;
  for (;;) {
    try {
      const value = await probe();
      if (value !== undefined && value !== false) return value;
    } catch (err) {
      last = err;
    }
    if (Date.now() > deadline) throw new Error(`gave up waiting for ${what}${last ? `: ${String(last)}` : ''}`);
    await new Promise((r) => setTimeout(r, 250));
  }
}

function root(): string {
  const folder = vscode.workspace.workspaceFolders?.[0];
  assert.ok(folder, 'a workspace folder is open');
  return folder.uri.fsPath;
}

function sandbox(api: TidemarkApi): TreeRow | undefined {
  return api.treeRows().find((row) => row.label === 'sandbox');
}

function states(row: TreeRow): string[] {
  // The second context-value token is the state (see tree-model.ts migrationRow).
  return row.children.map((child) => child.contextValue?.split(' ')[1] ?? '?');
}

describe('Tidemark in a real VS Code extension host', function () {
  let api: TidemarkApi;
  const migrationCount = expected.labels.length;
  /** Commands get their environment as tree items and code lenses pass it. */
  const sandboxTarget = () => ({ root: root(), environment: 'sandbox' });

  before(async () => {
    const extension = vscode.extensions.getExtension<TidemarkApi>('tidemark.tidemark');
    assert.ok(extension, 'the Tidemark extension is installed');
    api = await extension.activate();
    await api.ready;
    assert.ok(migrationCount > 0, 'the driver listed the sandbox migrations');
  });

  it('shows the sandbox environment with every migration pending', async () => {
    const env = await until('the sandbox environment in the tree', () => sandbox(api));
    assert.deepEqual(
      env.children.map((c) => c.label),
      expected.labels,
    );
    assert.deepEqual(new Set(states(env)), new Set(['pending']));
    assert.match(env.description ?? '', new RegExp(`${migrationCount} pending`));
  });

  it("reports the flagged migration's lint finding as a diagnostic", async () => {
    // The driver lints the sample with the CLI first; finding nothing there is a failure of its own.
    assert.ok(
      flagged.file && flagged.rule,
      `the driver found no lint finding in the sample workspace to look for (TIDEMARK_E2E_FLAGGED=${process.env.TIDEMARK_E2E_FLAGGED ?? 'unset'})`,
    );
    const uri = vscode.Uri.file(join(root(), flagged.file!));
    await vscode.window.showTextDocument(uri);
    const diagnostic = await until(`a ${flagged.rule} diagnostic in ${flagged.file}`, () =>
      vscode.languages.getDiagnostics(uri).find((d) => (typeof d.code === 'object' ? d.code.value : d.code) === flagged.rule),
    );
    assert.ok(typeof diagnostic.code === 'object' && /docs\/rules\//.test(diagnostic.code.target.toString()), 'the code links to the rule page');
  });

  it('applies all pending migrations and the tree shows them applied', async () => {
    await vscode.commands.executeCommand('tidemark.applyAll', sandboxTarget());
    const env = await until('every migration applied', () => {
      const row = sandbox(api);
      return row && states(row).every((s) => s === 'applied' || s === 'verified') ? row : undefined;
    });
    assert.match(env.description ?? '', /up to date/);
    assert.match(env.children[0].description ?? '', /^(applied|verified) just now by /);
  });

  it('puts the state and a roll back action above the newest migration file', async () => {
    const env = sandbox(api)!;
    const file = env.children[env.children.length - 1].file;
    assert.ok(file, 'the newest migration row names its file');
    // The workbench computes lenses only for documents it has loaded.
    await vscode.window.showTextDocument(vscode.Uri.file(file));
    const lenses = await until('code lenses', async () => {
      const found = await vscode.commands.executeCommand<vscode.CodeLens[]>('vscode.executeCodeLensProvider', vscode.Uri.file(file));
      return found?.some((l) => /sandbox: (applied|verified)/.test(l.command?.title ?? '')) ? found : undefined;
    });
    assert.ok(
      lenses.some((l) => l.command?.title === 'Roll back sandbox' && l.command.command === 'tidemark.rollbackLast'),
      JSON.stringify(lenses.map((l) => l.command?.title)),
    );
    const check = lenses.find((l) => l.command?.command === 'tidemark.checkMigration');
    assert.equal(check?.command?.title, '$(beaker) Check migration', JSON.stringify(lenses.map((l) => l.command?.title)));
    assert.equal(String((check!.command!.arguments![0] as vscode.Uri).fsPath), file, 'the lens checks its own file');
  });

  it('rolls back the last migration and the tree shows it pending again', async () => {
    await vscode.commands.executeCommand('tidemark.rollbackLast', sandboxTarget());
    const env = await until('the last migration pending', () => {
      const row = sandbox(api);
      const s = row && states(row);
      return s && s[s.length - 1] === 'pending' && s.slice(0, -1).every((x) => x === 'applied' || x === 'verified') ? row : undefined;
    });
    // The row says how the folder was read ("dbmate · 11 migrations"), then what is left to do.
    assert.match(env.description ?? '', /^[\w-]+ · \d+ migrations · 1 pending$/);
  });

  it('plans the pending migration and opens a report of the locks it takes', async () => {
    await vscode.commands.executeCommand('tidemark.plan', sandboxTarget());
    const text = await until('the plan report', () => {
      const doc = vscode.window.activeTextEditor?.document;
      return doc?.languageId === 'markdown' && doc.getText().startsWith('# Plan for sandbox') ? doc.getText() : undefined;
    });
    assert.match(text, /AccessExclusiveLock|ACCESS EXCLUSIVE/i, text);
    // A dry run leaves the environment as it was.
    await api.refresh();
    assert.deepEqual(states(sandbox(api)!).slice(-1), ['pending']);
  });

  it('shows the history of applies and the rollback', async () => {
    await vscode.commands.executeCommand('tidemark.showHistory', sandboxTarget());
    const text = await until('the history document', () => {
      const doc = vscode.window.activeTextEditor?.document;
      return doc?.getText().startsWith('# History of sandbox') ? doc.getText() : undefined;
    });
    assert.match(text, /\| apply \|/);
    assert.match(text, /\| rollback \|/);
  });

  it('marks a migration edited after it was applied as drifted and diffs it against the applied SQL', async () => {
    const first = sandbox(api)!.children[0];
    assert.ok(first.file, 'the first migration row names its file');
    // A line inside the up section (after its marker, if the file has one) changes its checksum.
    const original = readFileSync(first.file, 'utf8');
    const marker = /^--\s*migrate:up[^\n]*\n/m.exec(original);
    const at = marker ? marker.index + marker[0].length : 0;
    writeFileSync(first.file, `${original.slice(0, at)}-- edited after it was applied\n${original.slice(at)}`);
    await api.refresh();
    const drifted = await until('the first migration drifted', () => sandbox(api)?.children.find((c) => c.label === first.label && c.contextValue?.split(' ')[1] === 'drifted'));
    const [version, ...name] = drifted.label.split(' ');
    await vscode.commands.executeCommand('tidemark.showDiff', { root: root(), environment: 'sandbox', migration: { version, name: name.join(' '), files: { up: first.file } } });
    const diff = await until('a diff editor', () => {
      const input = vscode.window.tabGroups.activeTabGroup.activeTab?.input;
      return input instanceof vscode.TabInputTextDiff ? input : undefined;
    });
    assert.equal(diff.original.scheme, 'tidemark-applied');
    assert.equal(diff.modified.fsPath, first.file);
    const applied = (await vscode.workspace.openTextDocument(diff.original)).getText();
    assert.ok(!applied.includes('edited after it was applied'), 'the left side is the SQL as applied');
    assert.ok(applied.trim().length > 0, 'the applied SQL is not empty');
  });
});
