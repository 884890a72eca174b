import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import { DocumentSymbolRequest, HoverRequest, type DocumentSymbol } from 'vscode-languageserver-protocol/node';
import { codes, tempWorkspace, TestLspClient } from '../support/lsp-client';

describe('language server: malformed input', function () {
  let client: TestLspClient;
  let dir: string;
  beforeEach(async () => {
    dir = tempWorkspace({}, ['syntax-error', 'ban-drop-column']);
    client = new TestLspClient({ workspaceFolder: dir });
    await client.initialize();
  });
  afterEach(async () => client?.dispose());

  /** The server still lints a small, valid document after what came before. */
  async function stillServes(name: string): Promise<void> {
    const u = client.open(join(dir, 'migrations', name), 'ALTER TABLE orders DROP COLUMN note;\n');
    assert.deepEqual(codes(await client.diagnosticsFor(u, 1)), ['ban-drop-column']);
    const symbols = (await client.connection.sendRequest(DocumentSymbolRequest.type, { textDocument: { uri: u } })) as DocumentSymbol[];
    assert.equal(symbols[0].children![0].name, 'ALTER TABLE orders');
    assert.equal(client.child.exitCode, null);
  }

  it('survives binary garbage', async () => {
    const garbage = randomBytes(200_000).toString('latin1') + '\u0000\uFFFD\uD800';
    const u = client.open(join(dir, 'migrations', '001_garbage.sql'), garbage);
    const diagnostics = await client.diagnosticsFor(u, 1);
    assert.ok(
      diagnostics.every((d) => d.code === 'syntax-error'),
      JSON.stringify(codes(diagnostics).slice(0, 5)),
    );
    assert.ok(diagnostics.length > 0);
    await stillServes('002_after_garbage.sql');
  });

  it('answers while holding a 10 MB document, and says it is too large to lint in the editor', async () => {
    const statement = 'CREATE TABLE IF NOT EXISTS t (id bigint PRIMARY KEY, note text);\n';
    const huge = statement.repeat(Math.ceil((10 * 1024 * 1024) / statement.length));
    const u = client.open(join(dir, 'migrations', '003_huge.sql'), huge);
    const [diagnostic] = await client.diagnosticsFor(u, 1);
    assert.match(String(diagnostic.message), /over the 1\.0 M limit.*tidemark lint/);
    const hover = await client.connection.sendRequest(HoverRequest.type, { textDocument: { uri: u }, position: { line: 5, character: 3 } });
    assert.equal(hover, null);
    await stillServes('004_after_huge.sql');
  });

  it('keeps the findings of other statements around an unterminated dollar quote and half-typed statements', async () => {
    const text = 'ALTER TABLE a DROP COLUMN b;\nALTER TABLE orders ADD COLUMN\nCREATE FUNCTION f() RETURNS int AS $body$ BEGIN RETURN 1;';
    const u = client.open(join(dir, 'migrations', '005_half.sql'), text);
    const diagnostics = await client.diagnosticsFor(u, 1);
    assert.deepEqual(codes(diagnostics), ['ban-drop-column', 'syntax-error']);
    assert.equal(diagnostics[1].range.start.line, 2);
    // Typing character by character through the dollar quote never stops the server.
    let typed = '';
    let version = 1;
    for (const ch of "DO $$ BEGIN EXECUTE 'ALTER TABLE x DROP COLUMN y'; END $$;") {
      typed += ch;
      version = client.change(u, typed);
    }
    const final = await client.diagnosticsFor(u, version);
    assert.ok(!codes(final).includes('syntax-error'), JSON.stringify(final));
    await stillServes('006_after_typing.sql');
  });
});
