/**
 * Files of other tools' folders opened in the editor, over the real protocol: each is linted as
 * its tool reads it, with no tidemark.json.
 */
import assert from 'node:assert/strict';
import { join } from 'node:path';
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
});
