/**
 * A replay that never ends: `tidemark check` of an endless loop, a pg_sleep(3600) stops at
 * check.timeout with replay-timeout naming the statement, and checks the later migrations; in the
 * language server the worker stuck in the statement is ended, and later replays in the same
 * session work again.
 */
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { ReplayMigrationRequest, WorkspaceTrustNotification } from '../../server/src/protocol';
import { tempWorkspace, TestLspClient } from '../support/lsp-client';
import { tidemark } from '../support/cli';

const USERS = '-- migrate:up\nCREATE TABLE IF NOT EXISTS users (id bigint PRIMARY KEY);\n-- migrate:down\nDROP TABLE IF EXISTS users;\n';
const LOOP = '-- migrate:up\nCREATE TABLE IF NOT EXISTS orders (id bigint);\nDO $$ BEGIN LOOP END LOOP; END $$;\n-- migrate:down\nDROP TABLE IF EXISTS orders;\n';
const SLEEP = '-- migrate:up\nSELECT pg_sleep(3600);\n';
const BROKEN = '-- migrate:up\nCREATE INDEX idx_users_id ON users (id);\n-- migrate:down\nDROP INDEX IF EXISTS idx_users_id;\n';
// The replay runs a section twice (replay-not-idempotent) only where it can run twice: these tests rely on that finding.
const CONFIG = JSON.stringify({ check: { timeout: '2s' }, lint: { idempotency: 'require' } });

describe('replay check: statements that never end', function () {
  this.timeout(180_000);

  it('tidemark check ends, names the running statement as replay-timeout, and checks the later migrations', async () => {
    const dir = tempWorkspace({
      'tidemark.json': CONFIG,
      'migrations/001_users.sql': USERS,
      'migrations/002_loop.sql': LOOP,
      'migrations/003_sleep.sql': SLEEP,
      'migrations/004_index.sql': BROKEN,
    });
    const result = await tidemark(dir, ['check', '--format', 'json']);
    assert.equal(result.code, 1, result.stderr);
    const findings = (JSON.parse(result.stdout) as Array<{ file: string; line: number; rule: string; message: string }>).map((f) => [f.file, f.line, f.rule]);
    assert.deepEqual(findings, [
      ['migrations/002_loop.sql', 3, 'replay-timeout'],
      ['migrations/003_sleep.sql', 2, 'replay-timeout'],
      // Replayed on a fresh shadow without the migrations that timed out.
      ['migrations/004_index.sql', 2, 'replay-not-idempotent'],
    ]);
    assert.match(result.stdout, /still running on the shadow database after 2s \(check\.timeout\).*DO \$\$ BEGIN LOOP END LOOP; END \$\$/);
  });

  describe('language server', () => {
    let client: TestLspClient;
    afterEach(async () => client?.dispose());

    it('after a timeout, later replays in the same session work again', async () => {
      const dir = tempWorkspace({ 'tidemark.json': CONFIG, 'migrations/001_users.sql': USERS, 'migrations/002_loop.sql': LOOP });
      client = new TestLspClient({ workspaceFolder: dir });
      await client.initialize();
      const path = join(dir, 'migrations', '002_loop.sql');
      const u = client.open(path, LOOP);
      await client.diagnosticsFor(u, 1);
      const stuck = await client.connection.sendRequest(ReplayMigrationRequest.type, { uri: u });
      assert.equal(stuck.state, 'finished', JSON.stringify(stuck));
      const timedOut = await client.diagnostics(u, (d) => d.some((x) => x.code === 'replay-timeout'), 0, 30_000);
      assert.equal(timedOut.find((d) => d.code === 'replay-timeout')!.range.start.line, 2);

      // Fixed: the next replay runs on a fresh worker and reports what it finds.
      writeFileSync(path, BROKEN);
      const version = client.change(u, BROKEN);
      client.save(u);
      const fixed = await client.diagnostics(u, (d, p) => p.version === version && d.some((x) => x.code === 'replay-not-idempotent'), 0, 60_000);
      assert.ok(!fixed.some((d) => d.code === 'replay-timeout'));
    });

    it('an edit cancels a replay stuck in a statement', async () => {
      const dir = tempWorkspace({ 'migrations/001_users.sql': USERS, 'migrations/002_loop.sql': LOOP });
      client = new TestLspClient({ workspaceFolder: dir });
      await client.initialize();
      const u = client.open(join(dir, 'migrations', '002_loop.sql'), LOOP);
      await client.diagnosticsFor(u, 1);
      const running = client.connection.sendRequest(ReplayMigrationRequest.type, { uri: u });
      // Let the worker reach the loop (the default timeout is 10 s; the cancel must come well before).
      await new Promise((r) => setTimeout(r, 3000));
      const started = Date.now();
      client.change(u, BROKEN);
      const again = client.connection.sendRequest(ReplayMigrationRequest.type, { uri: u });
      const first = await running;
      assert.equal(first.state, 'cancelled', JSON.stringify(first));
      assert.ok(Date.now() - started < 5000, `the stuck replay took ${Date.now() - started} ms to stop`);
      assert.equal((await again).state, 'finished');
    });

    it('does not run in an untrusted workspace, says why, and runs once trust is granted', async () => {
      const dir = tempWorkspace({ 'tidemark.json': CONFIG, 'migrations/001_users.sql': USERS, 'migrations/002_index.sql': BROKEN });
      client = new TestLspClient({ workspaceFolder: dir, workspaceTrusted: false });
      await client.initialize();
      const u = client.open(join(dir, 'migrations', '002_index.sql'), BROKEN);
      await client.diagnosticsFor(u, 1);
      const refused = await client.connection.sendRequest(ReplayMigrationRequest.type, { uri: u });
      assert.equal(refused.state, 'untrusted');
      assert.match(refused.message!, /only in a trusted workspace/);
      client.save(u);
      await new Promise((r) => setTimeout(r, 1500));
      assert.ok(!client.published.some((p) => p.diagnostics.some((d) => String(d.code).startsWith('replay-'))), 'a replay ran in an untrusted workspace');
      assert.ok(client.notifications.some((n) => (n.params as { state: string }).state === 'untrusted'));
      await client.connection.sendNotification(WorkspaceTrustNotification.type, { trusted: true });
      const checked = await client.connection.sendRequest(ReplayMigrationRequest.type, { uri: u });
      assert.equal(checked.state, 'finished');
      assert.ok(checked.findings! > 0);
    });
  });
});
