/**
 * Compatibility mode with node-pg-migrate (the real one, from the npm registry: test/support/
 * foreign-tools.ts): node-pg-migrate migrates a database, Tidemark then applies the next file and
 * rolls it back through `tidemark apply` / `tidemark rollback`, recording in `pgmigrations` as
 * node-pg-migrate does, and node-pg-migrate run afterwards agrees each time: nothing more to run
 * after Tidemark's apply, the file pending again (and applied by it) after Tidemark's rollback.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { adminClient, freshDatabase, startServers, urlOf, type TestServer } from '../support/databases';
import { tempWorkspace } from '../support/lsp-client';
import { tidemark } from '../support/cli';
import { npmTool } from '../support/foreign-tools';

const FILES = {
  'migrations/1700000000000_users.sql': '-- Up Migration\nCREATE TABLE users (id int PRIMARY KEY);\n\n-- Down Migration\nDROP TABLE users;\n',
  'migrations/1700000000001_orders.sql': '-- Up Migration\nCREATE TABLE orders (id int PRIMARY KEY, user_id int REFERENCES users);\n\n-- Down Migration\nDROP TABLE orders;\n',
};
const SECOND = 'migrations/1700000000001_orders.sql';

describe('compatibility mode with node-pg-migrate', function () {
  this.timeout(400_000);
  let server: TestServer;
  let bin: string;
  before(async () => {
    bin = npmTool('node-pg-migrate@9.0.0', 'node-pg-migrate', ['pg@8']);
    [server] = await startServers(1);
  });
  after(() => server?.stop());

  function nodePgMigrate(root: string, database: string, args: string[]): string {
    const url = `postgres://${encodeURIComponent(server.user)}:${encodeURIComponent(server.password)}@${server.host}:${server.port}/${database}`;
    const r = spawnSync(bin, [...args, '-m', 'migrations'], { cwd: root, env: { ...process.env, DATABASE_URL: url }, encoding: 'utf8' });
    assert.equal(r.status, 0, `node-pg-migrate ${args.join(' ')}: ${r.stdout}${r.stderr}`);
    return r.stdout + r.stderr;
  }

  it('apply and rollback recorded in pgmigrations as node-pg-migrate records them; node-pg-migrate agrees afterwards', async () => {
    const database = await freshDatabase(server);
    const root = tempWorkspace(FILES);
    rmSync(join(root, SECOND));
    assert.match(nodePgMigrate(root, database, ['up']), /MIGRATION 1700000000000_users \(UP\)/);
    writeFileSync(join(root, SECOND), FILES[SECOND]);
    writeFileSync(join(root, 'tidemark.json'), JSON.stringify({ environments: { prod: { url: urlOf(server, database) } } }));
    const env = { PGPASSWORD: server.password };

    const status = JSON.parse((await tidemark(root, ['status', '--env', 'prod', '--format', 'json'], env)).stdout);
    assert.deepEqual(status.managedBy, { tool: 'node-pg-migrate', table: 'public.pgmigrations' });
    assert.deepEqual(
      status.migrations.map((m: { version: string; state: string }) => `${m.version} ${m.state}`),
      ['1700000000000 applied', '1700000000001 pending'],
    );

    const applied = await tidemark(root, ['apply'], env);
    assert.equal(applied.code, 0, applied.stderr);
    assert.match(applied.stdout, /ok\s+apply\s+1700000000001 orders/);
    assert.doesNotMatch(applied.stdout, /1700000000000/);
    assert.match(nodePgMigrate(root, database, ['up']), /No migrations to run!/);
    const admin = await adminClient(server, database);
    try {
      assert.deepEqual(
        (await admin.query('SELECT name FROM pgmigrations ORDER BY id')).rows.map((r) => r.name),
        ['1700000000000_users', '1700000000001_orders'],
      );
    } finally {
      await admin.end();
    }

    const back = await tidemark(root, ['rollback'], env);
    assert.equal(back.code, 0, back.stderr);
    assert.match(nodePgMigrate(root, database, ['up']), /MIGRATION 1700000000001_orders \(UP\)/);
    const after = JSON.parse((await tidemark(root, ['status', '--env', 'prod', '--format', 'json'], env)).stdout);
    assert.deepEqual(
      after.migrations.map((m: { state: string }) => m.state),
      ['applied', 'applied'],
    );
    assert.match(nodePgMigrate(root, database, ['down']), /MIGRATION 1700000000001_orders \(DOWN\)/, 'node-pg-migrate rolls back what it finds recorded');
  });
});
