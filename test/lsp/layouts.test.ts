/**
 * Files of other tools' folders opened in the editor, over the real protocol: each is linted as
 * its tool reads it, with no tidemark.json.
 */
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { DocumentSymbolRequest, HoverRequest, type DocumentSymbol, type MarkupContent } from 'vscode-languageserver-protocol/node';
import { codes, tempWorkspace, TestLspClient } from '../support/lsp-client';
import { ensureParser } from '../support/lint';

describe("language server: other tools' folders", function () {
  this.timeout(60_000);
  let client: TestLspClient;
  before(ensureParser);
  afterEach(async () => client?.dispose());

  it('a goose file: the Down section is a down (no ban-drop-table, no require-rollback), a StatementBegin block no syntax error', async () => {
    const text =
      '-- +goose Up\n-- +goose StatementBegin\nCREATE FUNCTION one() RETURNS int LANGUAGE sql AS $$ SELECT 1 $$\n-- +goose StatementEnd\nCREATE TABLE IF NOT EXISTS t (id bigint);\n-- +goose Down\nDROP TABLE IF EXISTS t;\nDROP FUNCTION IF EXISTS one();\n';
    const dir = tempWorkspace({ 'db/migrations/20240101000000_create_t.sql': text });
    client = new TestLspClient({ workspaceFolder: dir });
    await client.initialize();
    const u = client.open(join(dir, 'db/migrations/20240101000000_create_t.sql'), text);
    const found = codes(await client.diagnosticsFor(u, 1));
    for (const rule of ['ban-drop-table', 'require-rollback', 'syntax-error', 'migration-layout']) assert.ok(!found.includes(rule), `${rule} in ${found.join(', ')}`);
  });

  it('a Drizzle file the journal does not list: not-in-chain, and no duplicate-version with the listed one', async () => {
    const journal = JSON.stringify({ version: '7', dialect: 'postgresql', entries: [{ idx: 0, version: '7', when: 1, tag: '0000_init', breakpoints: true }] });
    const dir = tempWorkspace({
      'drizzle/meta/_journal.json': journal,
      'drizzle/0000_init.sql': 'CREATE TABLE a (id bigint);',
      'drizzle/0000_stale.sql': 'CREATE TABLE b (id bigint);',
    });
    client = new TestLspClient({ workspaceFolder: dir });
    await client.initialize();
    const u = client.open(join(dir, 'drizzle/0000_stale.sql'), 'CREATE TABLE b (id bigint);');
    const found = codes(await client.diagnosticsFor(u, 1));
    assert.ok(found.includes('not-in-chain'), found.join(', '));
    assert.ok(!found.includes('duplicate-version'), found.join(', '));
  });

  it('a Liquibase formatted SQL file: one outline entry per changeset, and hover on the changeset under the cursor', async () => {
    const text = [
      '--liquibase formatted sql',
      '',
      '--changeset ana:1',
      'CREATE TABLE accounts (id bigint PRIMARY KEY);',
      '--rollback DROP TABLE accounts;',
      '',
      '--changeset ana:2',
      'ALTER TABLE accounts ADD COLUMN email text;',
      'CREATE INDEX accounts_email ON accounts (email);',
      '--rollback DROP INDEX accounts_email;',
      '--rollback ALTER TABLE accounts DROP COLUMN email;',
      '',
    ].join('\n');
    const dir = tempWorkspace({ 'db/changelog/changelog.sql': text });
    client = new TestLspClient({ workspaceFolder: dir });
    await client.initialize();
    const u = client.open(join(dir, 'db/changelog/changelog.sql'), text);
    await client.diagnosticsFor(u, 1);
    const symbols = (await client.connection.sendRequest(DocumentSymbolRequest.type, { textDocument: { uri: u } })) as DocumentSymbol[];
    assert.deepEqual(
      symbols.map((s) => [s.name, s.range.start.line, s.children!.map((c) => `${c.name}: ${c.children!.map((st) => st.name).join(', ')}`)]),
      [
        ['changeset ana:1', 2, ['up: CREATE TABLE accounts', 'down: DROP TABLE accounts']],
        ['changeset ana:2', 6, ['up: ALTER TABLE accounts, CREATE INDEX accounts_email', 'down: DROP INDEX accounts_email, ALTER TABLE accounts']],
      ],
    );
    // The second changeset's CREATE INDEX (line 8) is hovered as itself, not as nothing.
    const hover = await client.connection.sendRequest(HoverRequest.type, { textDocument: { uri: u }, position: { line: 8, character: 3 } });
    assert.match((hover!.contents as MarkupContent).value, /`CREATE INDEX accounts_email`[\s\S]*Takes \*\*SHARE\*\* on `accounts`/);
    assert.equal(hover!.range!.start.line, 8);
  });
});
