/**
 * tidemark/adopt and tidemark/mark over the real protocol (dist/server.js over stdio), on a PGlite
 * sandbox that dbmate migrated before Tidemark: the status the tree reads says so, a dry run
 * writes nothing, adopting records the rows, mark pending/applied repair one, and each change
 * tells the client to refresh.
 */
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { PGlite } from '@electric-sql/pglite';
import { AdoptRequest, HistoryRequest, MarkRequest, StatusChangedNotification, StatusRequest } from '../../server/src/protocol';
import { seedSandbox } from '../support/databases';
import { TestLspClient, tempWorkspace } from '../support/lsp-client';

const FILES = {
  'migrations/001_users.sql': '-- migrate:up\nCREATE TABLE users (id int PRIMARY KEY);\n-- migrate:down\nDROP TABLE users;\n',
  'migrations/002_orders.sql': '-- migrate:up\nCREATE TABLE orders (id int PRIMARY KEY);\n-- migrate:down\nDROP TABLE orders;\n',
  'migrations/003_notes.sql': '-- migrate:up\nCREATE TABLE notes (id int PRIMARY KEY);\n-- migrate:down\nDROP TABLE notes;\n',
};

/** A sandbox as dbmate leaves it after running 001 and 002. */
async function dbmateSandbox(root: string): Promise<void> {
  const path = join(root, '.tidemark', 'sandbox');
  await seedSandbox(path);
  const db = new PGlite(path);
  await db.exec(`CREATE TABLE users (id int PRIMARY KEY); CREATE TABLE orders (id int PRIMARY KEY);
    CREATE TABLE schema_migrations (version varchar(128) PRIMARY KEY); INSERT INTO schema_migrations VALUES ('001'), ('002');`);
  await db.close();
}

describe('language server: adopt and mark requests', function () {
  this.timeout(120_000);
  let client: TestLspClient | undefined;
  afterEach(async () => {
    await client?.dispose();
    client = undefined;
  });

  it('a sandbox dbmate manages: status reads its table, a dry run writes nothing, adopt records 001-002, mark repairs 002', async () => {
    const root = tempWorkspace(FILES);
    await dbmateSandbox(root);
    client = new TestLspClient({ workspaceFolder: root });
    await client.initialize();
    const c = client.connection;
    const changed: string[] = [];
    c.onNotification(StatusChangedNotification.type, (p) => {
      changed.push(p.environment ?? '');
    });
    const states = async () =>
      (await c.sendRequest(StatusRequest.type, { root, environment: 'sandbox' }))[0].migrations.map((m) => `${m.version}:${m.state}${m.adoptedFrom ? `:${m.adoptedFrom}` : ''}`);

    const [before] = await c.sendRequest(StatusRequest.type, { root });
    assert.deepEqual(before.tracking, {
      state: 'managed',
      foreign: { tool: 'dbmate', table: 'public.schema_migrations', versions: ['001', '002'] },
      managedBy: { tool: 'dbmate', table: 'public.schema_migrations', writable: true, command: 'dbmate up' },
    });

    const preview = await c.sendRequest(AdoptRequest.type, { root, environment: 'sandbox', from: 'dbmate', dryRun: true });
    assert.deepEqual(
      preview.recorded.map((r) => r.version),
      ['001', '002'],
    );
    assert.equal(preview.dryRun, true);
    assert.deepEqual(await states(), ['001:applied', '002:applied', '003:pending'], "the dry run wrote nothing: the states are still dbmate's");
    assert.equal((await c.sendRequest(StatusRequest.type, { root, environment: 'sandbox' }))[0].tracking?.state, 'managed');
    assert.deepEqual(changed, [], 'a dry run changes nothing to refresh');

    const adopted = await c.sendRequest(AdoptRequest.type, { root, environment: 'sandbox', from: 'dbmate' });
    assert.match(adopted.summary, /^Recorded 2 migrations as applied in sandbox from dbmate's public\.schema_migrations, without running them/);
    assert.deepEqual(await states(), ['001:applied:dbmate', '002:applied:dbmate', '003:pending']);
    const [tracked] = await c.sendRequest(StatusRequest.type, { root });
    assert.equal(tracked.tracking?.state, 'tracked');

    const unmarked = await c.sendRequest(MarkRequest.type, { root, environment: 'sandbox', mark: 'pending', versions: ['002'], reason: 'orders was dropped by hand' });
    assert.match(unmarked.changes[0].before, /^applied \(applied .* recorded from dbmate\)$/);
    assert.deepEqual(await states(), ['001:applied:dbmate', '002:pending', '003:pending']);
    const marked = await c.sendRequest(MarkRequest.type, { root, environment: 'sandbox', mark: 'applied', versions: ['002'], reason: 'rebuilt by hand' });
    assert.equal(marked.changes[0].after, 'applied (marked by hand)');
    assert.deepEqual(await states(), ['001:applied:dbmate', '002:applied:mark', '003:pending']);

    const events = await c.sendRequest(HistoryRequest.type, { root, environment: 'sandbox' });
    const messages = events.filter((e) => e.version === '002').map((e) => `${e.kind}: ${e.message}`);
    assert.ok(
      messages.some((m) => /^mark: marked pending without running SQL .*: orders was dropped by hand$/.test(m)),
      messages.join('\n'),
    );
    assert.ok(
      messages.some((m) => /^mark: marked applied without running it .*: rebuilt by hand$/.test(m)),
      messages.join('\n'),
    );
    assert.ok(
      messages.some((m) => /^adopt: adopted from dbmate's public\.schema_migrations/.test(m)),
      messages.join('\n'),
    );

    await assert.rejects(
      c.sendRequest(MarkRequest.type, { root, environment: 'sandbox', mark: 'applied', versions: ['009'] }),
      /cannot mark 009 applied in sandbox: no migration file has this version/,
    );
    await assert.rejects(
      c.sendRequest(MarkRequest.type, { root, environment: 'sandbox', mark: 'later' as 'applied', versions: ['003'] }),
      /"mark" must be "applied" or "pending", not "later"/,
    );
    const deadline = Date.now() + 5_000;
    while (changed.length < 3 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
    assert.deepEqual(changed.slice(0, 3), ['sandbox', 'sandbox', 'sandbox'], 'adopt and each mark ask the tree to refresh');
  });
});
