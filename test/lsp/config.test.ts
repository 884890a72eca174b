import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { DidChangeConfigurationNotification, DidChangeWatchedFilesNotification, DiagnosticSeverity, FileChangeType } from 'vscode-languageserver-protocol/node';
import { codes as allCodes, tempWorkspace, TestLspClient, uri } from '../support/lsp-client';

/** The findings of the two rules these tests switch on and off; other rules' findings do not matter here. */
const codes = (diagnostics: Array<{ code?: string | number }>) => allCodes(diagnostics).filter((c) => c === 'ban-drop-column' || c === 'syntax-error');
const has = (diagnostics: Array<{ code?: string | number }>, rule: string) => allCodes(diagnostics).includes(rule);

const DROP = 'ALTER TABLE users DROP COLUMN email;\n';

describe('language server: tidemark.json and settings', function () {
  let client: TestLspClient;
  afterEach(async () => client?.dispose());

  it('honours tidemark.json rules and re-lints open files when the file changes on disk', async () => {
    const dir = tempWorkspace({
      'tidemark.json': JSON.stringify({ lint: { rules: { 'ban-drop-column': 'off' } } }),
      'migrations/001_drop.sql': DROP,
    });
    client = new TestLspClient({ workspaceFolder: dir });
    await client.initialize();
    const u = client.open(join(dir, 'migrations/001_drop.sql'), DROP);
    assert.deepEqual(codes(await client.diagnosticsFor(u, 1)), []);

    const configPath = join(dir, 'tidemark.json');
    writeFileSync(configPath, JSON.stringify({ lint: { rules: { 'ban-drop-column': 'error' } } }));
    await client.connection.sendNotification(DidChangeWatchedFilesNotification.type, { changes: [{ uri: uri(configPath), type: FileChangeType.Changed }] });
    const after = await client.diagnostics(u, (d) => has(d, 'ban-drop-column'));
    assert.equal(after.find((d) => d.code === 'ban-drop-column')!.severity, DiagnosticSeverity.Error);
  });

  it('uses the unsaved text of an open tidemark.json and underlines its problems', async () => {
    const configText = JSON.stringify({ lint: { rules: {} } }, null, 2);
    const dir = tempWorkspace({ 'tidemark.json': configText, 'migrations/001_drop.sql': DROP });
    client = new TestLspClient({ workspaceFolder: dir });
    await client.initialize();
    const u = client.open(join(dir, 'migrations/001_drop.sql'), DROP);
    assert.deepEqual(codes(await client.diagnosticsFor(u, 1)), ['ban-drop-column']);

    const configUri = client.open(join(dir, 'tidemark.json'), configText);
    const edited = '{\n  "lint": {\n    "rules": {\n      "ban-drop-column": "off",\n      "ban-drop-colum": "warning"\n    }\n  },\n  "migrationsDir": 5\n}\n';
    client.change(configUri, edited);
    // Off in the editor's copy of tidemark.json, before it is saved.
    await client.diagnostics(u, (d) => !has(d, 'ban-drop-column'));
    const problems = await client.diagnostics(configUri, (d) => d.length === 2);
    const bySeverity = new Map(problems.map((p) => [p.severity, p]));
    const invalid = bySeverity.get(DiagnosticSeverity.Error)!;
    assert.match(String(invalid.message), /^migrationsDir: /);
    assert.deepEqual(invalid.range, { start: { line: 7, character: 19 }, end: { line: 7, character: 20 } });
    const unknown = bySeverity.get(DiagnosticSeverity.Warning)!;
    assert.match(String(unknown.message), /unknown rule "ban-drop-colum"; did you mean "ban-drop-column"\?/);
    assert.deepEqual(unknown.range, { start: { line: 4, character: 6 }, end: { line: 4, character: 22 } });

    // Fixing the file clears its diagnostics.
    client.change(configUri, '{ "lint": { "rules": { "ban-drop-column": "off" } } }');
    await client.diagnostics(configUri, (d) => d.length === 0);
  });

  it('re-lints the project once after a pause in typing in tidemark.json, with the last text', async () => {
    const files: Record<string, string> = { 'tidemark.json': JSON.stringify({ lint: { rules: {} } }) };
    for (let i = 1; i <= 20; i++) files[`migrations/${String(i).padStart(3, '0')}_drop.sql`] = `ALTER TABLE t${i} DROP COLUMN email;\n`;
    const dir = tempWorkspace(files);
    client = new TestLspClient({ workspaceFolder: dir, scope: 'workspace' });
    await client.initialize();
    const last = uri(join(dir, 'migrations/020_drop.sql'));
    assert.deepEqual(codes(await client.diagnostics(last, (d) => has(d, 'ban-drop-column'))), ['ban-drop-column']);

    const configUri = client.open(join(dir, 'tidemark.json'), files['tidemark.json']);
    await new Promise((resolve) => setTimeout(resolve, 500));
    const since = client.mark();
    // Typed a character every 30 ms, switching the rule off and on; the last text turns it off.
    const texts = ['warning', 'off', 'error', 'off', 'warning', 'off', 'error', 'off', 'info', 'off'].map((s) => JSON.stringify({ lint: { rules: { 'ban-drop-column': s } } }));
    for (const text of texts) {
      client.change(configUri, text);
      await new Promise((resolve) => setTimeout(resolve, 30));
    }
    assert.deepEqual(codes(await client.diagnostics(last, () => true, since)), []);
    await new Promise((resolve) => setTimeout(resolve, 500));
    const republished = client.published.slice(since).filter((p) => p.uri === last);
    assert.ok(republished.length < texts.length / 2, `re-linted ${republished.length} times for ${texts.length} keystrokes`);
    assert.deepEqual(codes(republished.at(-1)!.diagnostics), []);
  });

  it('applies the tidemark.lint.rules setting, with tidemark.json taking precedence', async () => {
    const dir = tempWorkspace({ 'migrations/001_drop.sql': DROP + 'SELEC 1;\n' });
    client = new TestLspClient({ workspaceFolder: dir, settings: { 'ban-drop-column': 'error', 'syntax-error': 'off' } });
    await client.initialize();
    const u = client.open(join(dir, 'migrations/001_drop.sql'), DROP + 'SELEC 1;\n');
    const first = await client.diagnosticsFor(u, 1);
    assert.deepEqual(codes(first), ['ban-drop-column']);
    assert.equal(first.find((d) => d.code === 'ban-drop-column')!.severity, DiagnosticSeverity.Error);

    client.settings = { 'ban-drop-column': 'hint' };
    const since = client.mark();
    await client.connection.sendNotification(DidChangeConfigurationNotification.type, { settings: null });
    const second = await client.diagnostics(u, (d) => has(d, 'syntax-error'), since);
    assert.deepEqual(codes(second), ['ban-drop-column', 'syntax-error']);
    assert.equal(second.find((d) => d.code === 'ban-drop-column')!.severity, DiagnosticSeverity.Hint);

    const configPath = join(dir, 'tidemark.json');
    writeFileSync(configPath, JSON.stringify({ lint: { rules: { 'ban-drop-column': 'off' } } }));
    const beforeConfig = client.mark();
    await client.connection.sendNotification(DidChangeWatchedFilesNotification.type, { changes: [{ uri: uri(configPath), type: FileChangeType.Created }] });
    assert.deepEqual(codes(await client.diagnostics(u, (d) => !has(d, 'ban-drop-column'), beforeConfig)), ['syntax-error']);
  });
});
