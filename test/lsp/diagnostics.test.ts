import assert from 'node:assert/strict';
import { rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { CodeActionRequest, DidChangeWatchedFilesNotification, FileChangeType, DiagnosticSeverity } from 'vscode-languageserver-protocol/node';
import { codes, tempWorkspace as workspace, TestLspClient, uri } from '../support/lsp-client';
import { ensureParser, lintFiles } from '../support/lint';
import { SourceFile } from '../../server/src/sql/source';
import { repoRoot } from '../support/paths';

const SEVERITY = { error: DiagnosticSeverity.Error, warning: DiagnosticSeverity.Warning, info: DiagnosticSeverity.Information, hint: DiagnosticSeverity.Hint };
const DROP_RULES = ['ban-drop-column', 'syntax-error'];

describe('language server: diagnostics', function () {
  let client: TestLspClient;
  before(ensureParser);
  afterEach(async () => client?.dispose());

  it("publishes exactly the engine's findings: rule code, range, severity, offline docs link and fixes", async () => {
    const dir = workspace({});
    const path = join(dir, 'migrations', '001_users.sql');
    const text = '-- migrate:up\nALTER TABLE users DROP COLUMN email;\nSELEC 1;\nCREATE TABLE accounts (id int, created timestamp);\n';
    client = new TestLspClient({ workspaceFolder: dir });
    await client.initialize();
    const u = client.open(path, text);
    const diagnostics = await client.diagnosticsFor(u, 1);

    // The same file linted in-process by the engine the CLI uses.
    // The syntax error is part of what the server must publish, with the other rules' findings.
    const { findings } = lintFiles({ 'migrations/001_users.sql': text }, { allowSyntaxErrors: true });
    const file = new SourceFile(path, text);
    assert.deepEqual(
      diagnostics.map((d) => ({ code: d.code, range: d.range, severity: d.severity, source: d.source })),
      findings.map((f) => ({ code: f.rule, range: { start: file.positionAt(f.start), end: file.positionAt(f.end) }, severity: SEVERITY[f.severity], source: 'tidemark' })),
    );
    assert.ok(findings.length >= 3, codes(diagnostics).join(', '));

    const syntax = diagnostics.find((d) => d.code === 'syntax-error')!;
    // The syntax error underlines the token the parser stopped at.
    assert.deepEqual(syntax.range, { start: { line: 2, character: 0 }, end: { line: 2, character: 5 } });
    assert.equal(syntax.severity, DiagnosticSeverity.Error);
    const drop = diagnostics.find((d) => d.code === 'ban-drop-column')!;
    // Docs pages ship with the extension: the link is a file URL next to dist/.
    assert.equal(drop.codeDescription!.href, `${pathToFileURL(join(repoRoot, 'docs', 'rules')).href}/ban-drop-column.md`);
    // The fixes stay in the server (a diagnostic carries only which finding it is) and come back as code actions.
    assert.deepEqual(Object.keys(drop.data as object).sort(), ['finding', 'version']);
    const actions = await client.connection.sendRequest(CodeActionRequest.type, { textDocument: { uri: u }, range: drop.range, context: { diagnostics: [drop] } });
    const titles = (actions ?? []).map((a) => a.title);
    assert.ok(titles.includes('Ignore ban-drop-column for this statement'), titles.join(', '));
  });

  it('re-lints as the user types (incremental edits) and drops fixed findings', async () => {
    const dir = workspace({}, DROP_RULES);
    const path = join(dir, '002_orders.sql');
    client = new TestLspClient({ workspaceFolder: dir });
    await client.initialize();
    const u = client.open(path, 'SELEC 1;\n');
    assert.deepEqual(codes(await client.diagnosticsFor(u, 1)), ['syntax-error']);
    const v2 = client.edit(u, { start: { line: 0, character: 5 }, end: { line: 0, character: 5 } }, 'T');
    assert.deepEqual(codes(await client.diagnosticsFor(u, v2)), []);
    const v3 = client.edit(u, { start: { line: 1, character: 0 }, end: { line: 1, character: 0 } }, 'ALTER TABLE orders DROP COLUMN note;\n');
    const after = await client.diagnosticsFor(u, v3);
    assert.deepEqual(codes(after), ['ban-drop-column']);
    assert.equal(after[0].range.start.line, 1);
  });

  it('reads a companion file from the editor, not the disk, and re-lints it when its partner changes', async () => {
    const dir = workspace(
      {
        'migrations/003_note.up.sql': 'ALTER TABLE orders ADD COLUMN note text;\n',
        'migrations/003_note.down.sql': 'ALTER TABLE orders DROP COLUMN note;\n',
      },
      ['ban-drop-column'],
    );
    client = new TestLspClient({ workspaceFolder: dir });
    await client.initialize();
    const upPath = join(dir, 'migrations/003_note.up.sql');
    const up = client.open(upPath, 'ALTER TABLE orders ADD COLUMN note text;\n');
    const down = client.open(join(dir, 'migrations/003_note.down.sql'), 'ALTER TABLE orders DROP COLUMN note;\n');
    // The down file reverses what the up added: the drop is the rollback doing its job.
    assert.deepEqual(codes(await client.diagnosticsFor(down, 1)), []);
    await client.diagnosticsFor(up, 1);
    // Unsaved edit of the up file: it now adds another column, so the down's drop is a real drop.
    client.change(up, 'ALTER TABLE orders ADD COLUMN remark text;\n');
    const downAfter = await client.diagnostics(down, (d) => d.length > 0);
    assert.deepEqual(codes(downAfter), ['ban-drop-column']);
  });

  it('reports a duplicate version when another file appears on disk, and clears it when it goes', async () => {
    const dir = workspace({ 'migrations/004_a.sql': 'SELECT 1;\n' }, ['duplicate-version']);
    client = new TestLspClient({ workspaceFolder: dir });
    await client.initialize();
    const u = client.open(join(dir, 'migrations/004_a.sql'), 'SELECT 1;\n');
    assert.deepEqual(codes(await client.diagnosticsFor(u, 1)), []);
    const other = join(dir, 'migrations/004_b.sql');
    writeFileSync(other, 'SELECT 2;\n');
    await client.connection.sendNotification(DidChangeWatchedFilesNotification.type, { changes: [{ uri: uri(other), type: FileChangeType.Created }] });
    const dup = await client.diagnostics(u, (d) => d.length > 0);
    assert.deepEqual(codes(dup), ['duplicate-version']);
    assert.match(String(dup[0].message), /004_b\.sql/);
    rmSync(other);
    const since = client.mark();
    await client.connection.sendNotification(DidChangeWatchedFilesNotification.type, { changes: [{ uri: uri(other), type: FileChangeType.Deleted }] });
    assert.deepEqual(codes(await client.diagnostics(u, (d) => d.length === 0, since)), []);
  });

  it('clears diagnostics when a document is closed', async () => {
    const dir = workspace({});
    client = new TestLspClient({ workspaceFolder: dir });
    await client.initialize();
    const u = client.open(join(dir, '005_x.sql'), 'SELEC 1;');
    assert.ok(codes(await client.diagnosticsFor(u, 1)).includes('syntax-error'));
    const since = client.mark();
    client.close(u);
    await client.diagnostics(u, (d) => d.length === 0, since);
  });
});
