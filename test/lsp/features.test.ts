import assert from 'node:assert/strict';
import { join } from 'node:path';
import {
  CodeActionRequest,
  DocumentSymbolRequest,
  FoldingRangeRequest,
  HoverRequest,
  type CodeAction,
  type CreateFile,
  type Diagnostic,
  type DocumentSymbol,
  type MarkupContent,
  type TextDocumentEdit,
  type TextEdit,
} from 'vscode-languageserver-protocol/node';
import { applyTextEdits, codes, tempWorkspace, TestLspClient, uri } from '../support/lsp-client';

async function codeActions(client: TestLspClient, u: string, diagnostics: Diagnostic[], range = diagnostics[0].range): Promise<CodeAction[]> {
  const actions = await client.connection.sendRequest(CodeActionRequest.type, { textDocument: { uri: u }, range, context: { diagnostics } });
  return (actions ?? []) as CodeAction[];
}

/** The edits of an action for one document. */
function editsFor(action: CodeAction, u: string): TextEdit[] {
  const changes = (action.edit?.documentChanges ?? []) as Array<TextDocumentEdit | CreateFile>;
  return changes.filter((c): c is TextDocumentEdit => 'textDocument' in c && c.textDocument.uri === u).flatMap((c) => c.edits as TextEdit[]);
}

describe('language server: code actions, hover, symbols', function () {
  let client: TestLspClient;
  afterEach(async () => client?.dispose());

  it('"ignore for this statement" and "ignore in this file" silence the finding once applied', async () => {
    const dir = tempWorkspace({}, ['ban-drop-column']);
    const text = 'CREATE TABLE t (id int);\n  ALTER TABLE orders DROP COLUMN note;\n';
    client = new TestLspClient({ workspaceFolder: dir });
    await client.initialize();
    const u = client.open(join(dir, 'migrations', '001_x.sql'), text);
    const diagnostics = await client.diagnosticsFor(u, 1);
    assert.deepEqual(codes(diagnostics), ['ban-drop-column']);
    const actions = await codeActions(client, u, diagnostics);
    const byTitle = new Map(actions.map((a) => [a.title, a]));
    const statement = byTitle.get('Ignore ban-drop-column for this statement');
    assert.ok(statement, `titles: ${actions.map((a) => a.title).join(' | ')}`);
    assert.equal(statement.kind, 'quickfix');
    assert.deepEqual(
      statement.diagnostics?.map((d) => d.code),
      ['ban-drop-column'],
    );
    const ignored = applyTextEdits(text, editsFor(statement, u));
    assert.equal(ignored, 'CREATE TABLE t (id int);\n  -- tidemark-ignore ban-drop-column\n  ALTER TABLE orders DROP COLUMN note;\n');
    const v2 = client.change(u, ignored);
    assert.deepEqual(codes(await client.diagnosticsFor(u, v2)), []);

    const fileWide = applyTextEdits(text, editsFor(byTitle.get('Ignore ban-drop-column in this file')!, u));
    assert.ok(fileWide.startsWith('-- tidemark-ignore-file ban-drop-column\n'));
    const v3 = client.change(u, fileWide);
    assert.deepEqual(codes(await client.diagnosticsFor(u, v3)), []);
  });

  it("applies a rule's multi-statement rewrite: FOREIGN KEY → NOT VALID + VALIDATE CONSTRAINT", async () => {
    const dir = tempWorkspace({}, ['constraint-missing-not-valid']);
    const text = "SET lock_timeout = '2s';\nALTER TABLE orders ADD CONSTRAINT orders_user_fk FOREIGN KEY (user_id) REFERENCES users (id);\n";
    client = new TestLspClient({ workspaceFolder: dir });
    await client.initialize();
    const u = client.open(join(dir, 'migrations', '006_fk.sql'), text);
    const diagnostics = await client.diagnosticsFor(u, 1);
    assert.deepEqual(codes(diagnostics), ['constraint-missing-not-valid']);
    const actions = await codeActions(client, u, diagnostics);
    const rewrite = actions.find((a) => a.kind === 'quickfix' && !a.title.startsWith('Ignore'));
    assert.ok(rewrite, actions.map((a) => a.title).join(' | '));
    assert.equal(rewrite.isPreferred, true);
    const fixed = applyTextEdits(text, editsFor(rewrite, u));
    assert.equal(
      fixed,
      "SET lock_timeout = '2s';\nALTER TABLE orders ADD CONSTRAINT orders_user_fk FOREIGN KEY (user_id) REFERENCES users (id) NOT VALID;\nALTER TABLE orders VALIDATE CONSTRAINT orders_user_fk;\n",
    );
    // The rewritten migration no longer has the finding.
    const v2 = client.change(u, fixed);
    assert.deepEqual(codes(await client.diagnosticsFor(u, v2)), []);
  });

  it('"Generate rollback" appends a -- migrate:down section to a one-file migration', async () => {
    const dir = tempWorkspace({});
    const text = '-- migrate:up\nCREATE TABLE accounts (id bigint PRIMARY KEY);\nALTER TABLE orders ADD COLUMN account_id bigint;\n';
    client = new TestLspClient({ workspaceFolder: dir });
    await client.initialize();
    const u = client.open(join(dir, 'migrations', '002_accounts.sql'), text);
    await client.diagnosticsFor(u, 1);
    const range = { start: { line: 1, character: 0 }, end: { line: 1, character: 0 } };
    const actions = await codeActions(client, u, [], range);
    const generate = actions.find((a) => a.kind === 'refactor.generateRollback');
    assert.ok(generate, `titles: ${actions.map((a) => a.title).join(' | ')}`);
    const result = applyTextEdits(text, editsFor(generate, u));
    const down = result.slice(result.indexOf('-- migrate:down\n'));
    assert.ok(result.startsWith(text), result);
    // Newest first: the column added last is dropped before the table created first.
    assert.match(down, /^-- migrate:down\nALTER TABLE orders DROP COLUMN IF EXISTS account_id;\nDROP TABLE IF EXISTS accounts;\n$/);
  });

  it('"Generate rollback" creates the paired .down.sql file with the reversing statements', async () => {
    const dir = tempWorkspace({});
    const upText = 'ALTER TABLE orders ADD COLUMN note text;\n';
    client = new TestLspClient({ workspaceFolder: dir });
    await client.initialize();
    const upPath = join(dir, 'migrations', '003_note.up.sql');
    const u = client.open(upPath, upText);
    await client.diagnosticsFor(u, 1);
    const actions = await codeActions(client, u, [], { start: { line: 0, character: 0 }, end: { line: 0, character: 0 } });
    const generate = actions.find((a) => a.kind === 'refactor.generateRollback')!;
    assert.ok(generate);
    const changes = generate.edit!.documentChanges as Array<TextDocumentEdit | CreateFile>;
    const downUri = uri(join(dir, 'migrations', '003_note.down.sql'));
    assert.deepEqual(changes[0], { kind: 'create', uri: downUri, options: { overwrite: false, ignoreIfExists: true } });
    const downText = applyTextEdits('', editsFor(generate, downUri));
    assert.match(downText, /ALTER TABLE orders DROP COLUMN IF EXISTS note;/);
    // The up file itself is not touched.
    assert.deepEqual(editsFor(generate, u), []);
  });

  it('"Generate rollback" follows the project: a file in rollback/ when the project keeps rollbacks there', async () => {
    const dir = tempWorkspace({ 'migrations/rollback/001_old.sql': 'DROP TABLE IF EXISTS old;\n', 'migrations/001_old.sql': 'CREATE TABLE old (id int);\n' });
    const text = 'CREATE TABLE tenants (id bigint PRIMARY KEY);\n';
    client = new TestLspClient({ workspaceFolder: dir });
    await client.initialize();
    const u = client.open(join(dir, 'migrations', '002_tenants.sql'), text);
    await client.diagnosticsFor(u, 1);
    const actions = await codeActions(client, u, [], { start: { line: 0, character: 0 }, end: { line: 0, character: 0 } });
    const generate = actions.find((a) => a.kind === 'refactor.generateRollback')!;
    assert.equal(generate.title, 'Generate rollback file (rollback/002_tenants.sql)');
    const downUri = uri(join(dir, 'migrations', 'rollback', '002_tenants.sql'));
    assert.deepEqual((generate.edit!.documentChanges as CreateFile[])[0], { kind: 'create', uri: downUri, options: { overwrite: false, ignoreIfExists: true } });
    assert.match(applyTextEdits('', editsFor(generate, downUri)), /^DROP TABLE IF EXISTS tenants;\n$/);
  });

  it('"Generate rollback" writes what require-rollback\'s quick fix writes, before a verify section', async () => {
    const dir = tempWorkspace({});
    const text = '-- migrate:up\nCREATE TABLE a (id int);\n-- migrate:verify\nSELECT count(*) FROM a;\n';
    client = new TestLspClient({ workspaceFolder: dir });
    await client.initialize();
    const u = client.open(join(dir, 'migrations', '004_a.sql'), text);
    const diagnostics = await client.diagnosticsFor(u, 1);
    const missing = diagnostics.filter((d) => d.code === 'require-rollback');
    assert.equal(missing.length, 1, codes(diagnostics).join(', '));
    const actions = await codeActions(client, u, missing);
    const quickFix = actions.find((a) => a.kind === 'quickfix' && a.title === 'Generate rollback')!;
    const refactor = actions.find((a) => a.kind === 'refactor.generateRollback')!;
    assert.ok(quickFix && refactor, actions.map((a) => a.title).join(' | '));
    const expected = '-- migrate:up\nCREATE TABLE a (id int);\n\n-- migrate:down\nDROP TABLE IF EXISTS a;\n\n-- migrate:verify\nSELECT count(*) FROM a;\n';
    assert.equal(applyTextEdits(text, editsFor(quickFix, u)), expected);
    assert.equal(applyTextEdits(text, editsFor(refactor, u)), expected);
  });

  it('"Generate rollback" on a migration that has a down section replaces that section', async () => {
    const dir = tempWorkspace({});
    const text = '-- migrate:up\nCREATE TABLE a (id int);\nCREATE TABLE b (id int);\n-- migrate:down\nDROP TABLE IF EXISTS b;\n';
    client = new TestLspClient({ workspaceFolder: dir });
    await client.initialize();
    const u = client.open(join(dir, 'migrations', '003_ab.sql'), text);
    await client.diagnosticsFor(u, 1);
    const actions = await codeActions(client, u, [], { start: { line: 1, character: 0 }, end: { line: 1, character: 0 } });
    const regenerate = actions.find((a) => a.kind === 'refactor.generateRollback')!;
    assert.equal(regenerate.title, 'Regenerate rollback (replace the down section)');
    assert.equal(
      applyTextEdits(text, editsFor(regenerate, u)),
      '-- migrate:up\nCREATE TABLE a (id int);\nCREATE TABLE b (id int);\n-- migrate:down\nDROP TABLE IF EXISTS b;\nDROP TABLE IF EXISTS a;\n',
    );
  });

  it('hover shows the lock a statement takes and, on a finding, its explanation and docs link', async () => {
    const dir = tempWorkspace({}, ['ban-drop-column']);
    const text = 'ALTER TABLE orders DROP COLUMN note;\nSELECT 1;\n';
    client = new TestLspClient({ workspaceFolder: dir });
    await client.initialize();
    const u = client.open(join(dir, 'migrations', '004_x.sql'), text);
    const [diagnostic] = await client.diagnosticsFor(u, 1);
    const hover = await client.connection.sendRequest(HoverRequest.type, { textDocument: { uri: u }, position: { line: 0, character: diagnostic.range.start.character + 2 } });
    const value = (hover!.contents as MarkupContent).value;
    assert.match(value, /ACCESS EXCLUSIVE/);
    assert.match(value, /reads/);
    assert.match(value, /ban-drop-column/);
    assert.ok(value.includes(`(${diagnostic.codeDescription!.href})`), value);
    assert.deepEqual(hover!.range, { start: { line: 0, character: 0 }, end: { line: 0, character: 36 } });
  });

  it('lists sections with their statements as document symbols and folds sections', async () => {
    const dir = tempWorkspace({});
    const text = [
      '-- migrate:up',
      'CREATE TABLE IF NOT EXISTS users (',
      '  id bigint PRIMARY KEY',
      ');',
      'ALTER TABLE orders ADD COLUMN user_id bigint;',
      '',
      '-- migrate:down',
      'ALTER TABLE orders DROP COLUMN IF EXISTS user_id;',
      'DROP TABLE IF EXISTS users;',
      '',
    ].join('\n');
    client = new TestLspClient({ workspaceFolder: dir });
    await client.initialize();
    const u = client.open(join(dir, 'migrations', '005_users.sql'), text);
    const symbols = (await client.connection.sendRequest(DocumentSymbolRequest.type, { textDocument: { uri: u } })) as DocumentSymbol[];
    assert.deepEqual(
      symbols.map((s) => [s.name, s.range.start.line, s.range.end.line, s.children!.map((c) => c.name)]),
      [
        ['up', 0, 4, ['CREATE TABLE users', 'ALTER TABLE orders']],
        ['down', 6, 8, ['ALTER TABLE orders', 'DROP TABLE users']],
      ],
    );
    const folds = await client.connection.sendRequest(FoldingRangeRequest.type, { textDocument: { uri: u } });
    const lines = folds!.map((f) => [f.startLine, f.endLine]);
    assert.ok(
      lines.some(([s, e]) => s === 0 && e === 4),
      JSON.stringify(lines),
    );
    assert.ok(
      lines.some(([s, e]) => s === 6 && e === 8),
      JSON.stringify(lines),
    );
    assert.ok(
      lines.some(([s, e]) => s === 1 && e === 3),
      JSON.stringify(lines),
    );
  });
});
