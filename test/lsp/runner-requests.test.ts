/**
 * The runner's custom requests over the real protocol: dist/server.js started over stdio, a
 * JSON-RPC client calling tidemark/status, tidemark/apply (with work-done progress and
 * cancellation), and answering tidemark/password for a PostgreSQL environment.
 */
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { CancellationTokenSource, WorkDoneProgress, type ProgressToken } from 'vscode-languageserver-protocol/node';
import {
  ApplyRequest,
  ListEnvironmentsRequest,
  NewMigrationRequest,
  PasswordChangedNotification,
  PasswordRejectedNotification,
  PasswordRequest,
  PlanRequest,
  StatusChangedNotification,
  StatusRequest,
} from '../../server/src/protocol';
import { freshDatabase, seedSandbox, startServers, urlOf, type TestServer } from '../support/databases';
import { TestLspClient, tempWorkspace } from '../support/lsp-client';

const USERS = '-- migrate:up\nCREATE TABLE users (id int PRIMARY KEY);\n-- migrate:down\nDROP TABLE users;\n-- migrate:verify\n-- expect: 0\nSELECT count(*) FROM users;\n';

describe('language server: runner requests', function () {
  this.timeout(120_000);
  let client: TestLspClient | undefined;
  afterEach(async () => {
    await client?.dispose();
    client = undefined;
  });

  async function start(root: string): Promise<TestLspClient> {
    client = new TestLspClient({ workspaceFolder: root });
    await client.initialize();
    return client;
  }

  it("the tree's status of a host that accepts TCP and never answers: an error naming host:port within connectTimeout", async () => {
    const silent = createServer(() => undefined);
    await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', resolve));
    try {
      const port = (silent.address() as { port: number }).port;
      const root = tempWorkspace({ 'migrations/001_users.sql': USERS });
      writeFileSync(join(root, 'tidemark.json'), JSON.stringify({ environments: { slow: { url: `postgres://deploy@127.0.0.1:${port}/app`, connectTimeout: '500ms' } } }));
      const c = await start(root);
      c.connection.onRequest(PasswordRequest.type, () => ({ password: 'never-asked' }));
      const started = Date.now();
      const [status] = await c.connection.sendRequest(StatusRequest.type, { root });
      assert.ok(Date.now() - started < 5_000, `took ${Date.now() - started} ms`);
      assert.equal(status.error, `cannot connect to slow (deploy@127.0.0.1:${port}/app): no answer within 500 ms (connectTimeout)`);
      const [single] = await c.connection.sendRequest(StatusRequest.type, { root, environment: 'slow' });
      assert.equal(single.error, status.error);
    } finally {
      silent.close();
    }
  });

  it('status and apply on a sandbox project, with progress and a status-changed notification', async () => {
    const root = tempWorkspace({ 'migrations/001_users.sql': USERS, 'migrations/002_orders.sql': 'CREATE TABLE orders (id int);\n' });
    await seedSandbox(join(root, '.tidemark', 'sandbox'));
    const c = await start(root);
    const progress: Array<{ token: ProgressToken; kind: string; message?: string }> = [];
    c.connection.onProgress(WorkDoneProgress.type, 'apply-1', (value) => {
      progress.push({ token: 'apply-1', kind: value.kind, message: 'message' in value ? value.message : undefined });
    });
    const changed: Array<{ root: string; environment?: string }> = [];
    c.connection.onNotification(StatusChangedNotification.type, (p) => {
      changed.push(p);
    });

    const environments = await c.connection.sendRequest(ListEnvironmentsRequest.type, { root });
    assert.deepEqual(
      environments.environments.map((e) => [e.name, e.kind]),
      [['sandbox', 'pglite']],
    );

    const before = await c.connection.sendRequest(StatusRequest.type, { root });
    assert.deepEqual(
      before.map((s) => s.migrations.map((m) => `${m.version}:${m.state}`)),
      [['001:pending', '002:pending']],
    );

    const report = await c.connection.sendRequest(ApplyRequest.type, { root, environment: 'sandbox', workDoneToken: 'apply-1' });
    assert.deepEqual(
      report.steps.map((s) => `${s.action} ${s.version} ${s.outcome}`),
      ['apply 001 ok', 'verify 001 ok', 'apply 002 ok'],
    );
    assert.equal(progress[0].kind, 'begin');
    assert.equal(progress[progress.length - 1].kind, 'end');
    assert.ok(
      progress.some((p) => p.kind === 'report' && /applying 002 orders/.test(p.message ?? '')),
      JSON.stringify(progress),
    );
    await waitUntil(() => changed.length > 0);
    assert.deepEqual(changed[0], { root, environment: 'sandbox' });

    const after = await c.connection.sendRequest(StatusRequest.type, { root, environment: 'sandbox' });
    assert.deepEqual(
      after[0].migrations.map((m) => `${m.version}:${m.state}`),
      ['001:verified', '002:applied'],
    );

    const created = await c.connection.sendRequest(NewMigrationRequest.type, { root, name: 'Add Email' });
    assert.deepEqual(created.files, [join(root, 'migrations', '003_add_email.sql')]);

    await assert.rejects(c.connection.sendRequest(PlanRequest.type, { root, environment: 'staging' }), /unknown environment "staging" \(known: sandbox\)/);
  });

  it('an environment backed up before a change: the progress the editor shows says so, and the report names the backup', async () => {
    const root = tempWorkspace({ 'migrations/001_users.sql': USERS, 'tidemark.json': JSON.stringify({ environments: { sandbox: { sandbox: true, backup: true } } }) });
    await seedSandbox(join(root, '.tidemark', 'sandbox'));
    const c = await start(root);
    const messages: string[] = [];
    c.connection.onProgress(WorkDoneProgress.type, 'apply-backup', (value) => {
      if ('message' in value && value.message) messages.push(value.message);
    });
    const report = await c.connection.sendRequest(ApplyRequest.type, { root, environment: 'sandbox', workDoneToken: 'apply-backup' });
    assert.ok(report.backup, JSON.stringify(report));
    const name = report.backup.file.slice(report.backup.file.lastIndexOf('/') + 1);
    assert.deepEqual(messages.slice(0, 2), [`backing up sandbox with ${report.backup.tool} to .tidemark/backups/${name}`, 'applying 001 users']);
    assert.match(report.summary, new RegExp(`Backed up first to \\.tidemark/backups/${name.replace(/\./g, '\\.')}`));
  });

  it('cancelling an apply stops between statements and rolls the migration back', async () => {
    const slow = `CREATE TABLE slow (id int);\n${Array.from({ length: 20 }, () => 'SELECT pg_sleep(0.2);').join('\n')}\n`;
    const root = tempWorkspace({ 'migrations/001_slow.sql': slow });
    await seedSandbox(join(root, '.tidemark', 'sandbox'));
    const c = await start(root);
    const source = new CancellationTokenSource();
    let began = false;
    c.connection.onProgress(WorkDoneProgress.type, 'apply-2', (value) => {
      if (value.kind === 'report' && !began) {
        began = true;
        setTimeout(() => source.cancel(), 300);
      }
    });
    const report = await c.connection.sendRequest(ApplyRequest.type, { root, environment: 'sandbox', workDoneToken: 'apply-2' }, source.token);
    assert.equal(report.steps[0].outcome, 'skipped');
    assert.match(report.steps[0].message!, /cancelled; rolled back/);
    const status = await c.connection.sendRequest(StatusRequest.type, { root });
    assert.equal(status[0].migrations[0].state, 'pending');
  });

  describe('with a PostgreSQL server', () => {
    let server: TestServer;
    before(async () => {
      [server] = await startServers(1);
    });
    after(() => server.stop());

    it('asks the client for a password when the environment needs one, says when it is rejected, and never puts it in a message', async () => {
      const db = await freshDatabase(server);
      const root = tempWorkspace({ 'migrations/001_users.sql': USERS });
      writeFileSync(join(root, 'tidemark.json'), JSON.stringify({ environments: { local: { url: urlOf(server, db) } } }));
      const c = await start(root);
      const asked: Array<{ environment: string; target: string }> = [];
      let answer = 'a-wrong-password';
      c.connection.onRequest(PasswordRequest.type, (p) => {
        asked.push(p);
        return { password: answer };
      });
      const rejected: string[] = [];
      c.connection.onNotification(PasswordRejectedNotification.type, (p) => {
        rejected.push(p.environment);
      });
      await assert.rejects(c.connection.sendRequest(ApplyRequest.type, { root, environment: 'local' }), (e: Error) => {
        assert.match(e.message, new RegExp(`cannot connect to local .*password authentication failed for user "${server.user}"`));
        assert.ok(!e.message.includes('a-wrong-password'));
        return true;
      });
      await waitUntil(() => rejected.length === 1);
      assert.deepEqual(rejected, ['local']);
      answer = server.password;
      asked.length = 0;
      const report = await c.connection.sendRequest(ApplyRequest.type, { root, environment: 'local' });
      assert.match(report.summary, /Applied 1 migration to local/);
      assert.equal(asked.length, 1, 'asked once, then remembered for the session');
      assert.equal(asked[0].environment, 'local');
      assert.equal(asked[0].target, `postgres@${server.host}:${server.port}/${db}`);
      const status = await c.connection.sendRequest(StatusRequest.type, { root, environment: 'local' });
      assert.equal(status[0].migrations[0].state, 'verified');
      assert.equal(asked.length, 1);
      assert.ok(!JSON.stringify([report, status]).includes(server.password));
      // The user sets (or forgets) the password in VS Code: the server's copy goes, the next connection asks.
      await c.connection.sendNotification(PasswordChangedNotification.type, { environment: 'local' });
      await c.connection.sendRequest(StatusRequest.type, { root, environment: 'local' });
      assert.equal(asked.length, 2, 'asked again after the password changed');
    });
  });
});

async function waitUntil(check: () => boolean): Promise<void> {
  for (let i = 0; i < 100 && !check(); i++) await new Promise((r) => setTimeout(r, 50));
  assert.ok(check(), 'condition never became true');
}
