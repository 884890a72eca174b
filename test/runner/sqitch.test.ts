/**
 * A sqitch project applied by sqitch itself and by Tidemark, side by side on one real PostgreSQL
 * server (two databases): the same changes in the same plan order, the same schema after deploy,
 * verify passing on both (including a verify script that returns false without an error, and the
 * `BEGIN; … ROLLBACK;` form), and the same empty schema after reverting everything.
 */
import assert from 'node:assert/strict';
import { cpSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { adoptEnvironment } from '../../server/src/adopt/adopt';
import { applyMigrations } from '../../server/src/runner/apply';
import { loadProject } from '../../server/src/database/environments';
import { rollbackMigrations } from '../../server/src/runner/rollback';
import { getStatus } from '../../server/src/runner/status';
import { verifyMigrations } from '../../server/src/runner/verify';
import { adminClient, freshDatabase, startServers, urlOf, type TestServer } from '../support/databases';
import { repoRoot } from '../support/paths';
import { ensureSqitch, sqitch } from '../support/sqitch';
import { scratchDir } from '../support/test-cleanup';

const fixture = join(repoRoot, 'test', 'fixtures', 'layouts', 'sqitch');

/** What a user sees of the schema: tables and columns, indexes, and the function's body. */
async function schemaOf(server: TestServer, database: string): Promise<string[]> {
  const client = await adminClient(server, database);
  try {
    const columns = await client.query(`SELECT table_name || '.' || column_name || ' ' || data_type AS x FROM information_schema.columns WHERE table_schema = 'app' ORDER BY 1`);
    const indexes = await client.query(`SELECT indexname AS x FROM pg_indexes WHERE schemaname = 'app' ORDER BY 1`);
    const functions = await client.query(
      `SELECT p.proname || ': ' || p.prosrc AS x FROM pg_proc p JOIN pg_namespace n ON n.oid = p.pronamespace WHERE n.nspname = 'app' ORDER BY 1`,
    );
    const schema = await client.query(`SELECT nspname AS x FROM pg_namespace WHERE nspname = 'app'`);
    return [...schema.rows, ...columns.rows, ...indexes.rows, ...functions.rows].map((r) => String(r.x));
  } finally {
    await client.end();
  }
}

async function rowsOf(server: TestServer, database: string, sql: string): Promise<string[]> {
  const client = await adminClient(server, database);
  try {
    return (await client.query(sql)).rows.map((r) => String(Object.values(r)[0]));
  } finally {
    await client.end();
  }
}

describe('sqitch projects: Tidemark and sqitch on the same plan, on a real server', function () {
  this.timeout(300_000);
  let server: TestServer;
  // psql (Debian's, which sqitch runs) and the server of the same major version.
  before(async () => {
    ensureSqitch();
    [server] = await startServers(1, { postgres15: true });
  });
  after(() => server?.stop());

  it('deploys, verifies and reverts the fixture the way sqitch does: same order, same schema, same verify outcome', async () => {
    const bySqitch = await freshDatabase(server);
    const byTidemark = await freshDatabase(server);
    const target = `db:pg://${server.user}@${server.host}:${server.port}/${bySqitch}`;
    const env = { PGPASSWORD: server.password };

    sqitch(fixture, ['deploy', target], env);
    assert.match(sqitch(fixture, ['verify', target], env), /Verify successful/);

    const root = scratchDir('sqitch-project-');
    cpSync(fixture, root, { recursive: true });
    writeFileSync(join(root, 'tidemark.json'), JSON.stringify({ migrationsDir: '.', environments: { local: { url: urlOf(server, byTidemark) } } }));
    const project = loadProject(root);
    const options = { askPassword: async () => server.password };
    const applied = await applyMigrations(project, 'local', { ...options, verifyAfterApply: false });
    assert.equal(applied.failure, undefined, JSON.stringify(applied, null, 2));

    // The order each tool ran the changes in: sqitch's events, Tidemark's history.
    const sqitchOrder = await rowsOf(server, bySqitch, `SELECT change FROM sqitch.events WHERE event = 'deploy' ORDER BY committed_at`);
    const tidemarkOrder = applied.steps.filter((s) => s.action === 'apply').map((s) => s.name);
    assert.deepEqual(tidemarkOrder, sqitchOrder);
    assert.deepEqual(sqitchOrder, ['appschema', 'zz_users', 'app.devices/create', 'insert_user', 'insert_user', 'aa_flips']);
    assert.deepEqual(await schemaOf(server, byTidemark), await schemaOf(server, bySqitch));
    assert.ok((await schemaOf(server, byTidemark)).includes('flips_nickname'), 'the index built after COMMIT, outside the transaction');

    // verify/app.devices/create.sql returns false on an empty table: sqitch passes it, so does Tidemark.
    const verified = await verifyMigrations(project, 'local', options);
    assert.equal(verified.failure, undefined, JSON.stringify(verified, null, 2));
    assert.deepEqual(
      verified.steps.map((s) => `${s.version} ${s.outcome}`),
      ['appschema ok', 'zz_users ok', 'app.devices/create ok', 'insert_user ok', 'insert_user~2 ok', 'aa_flips ok'],
    );
    const [status] = await getStatus(project, 'local', options);
    assert.deepEqual(
      status.migrations.map((m) => `${m.version} ${m.state}`),
      ['appschema verified', 'zz_users verified', 'app.devices/create verified', 'insert_user verified', 'insert_user~2 verified', 'aa_flips verified'],
    );

    // The database sqitch deployed, read and adopted from its registry: each rework of insert_user by its change ID.
    const adoptRoot = scratchDir('sqitch-adopt-');
    cpSync(fixture, adoptRoot, { recursive: true });
    writeFileSync(join(adoptRoot, 'tidemark.json'), JSON.stringify({ migrationsDir: '.', environments: { local: { url: urlOf(server, bySqitch) } } }));
    const bySqitchProject = loadProject(adoptRoot);
    const [managed] = await getStatus(bySqitchProject, 'local', options);
    assert.deepEqual(
      managed.migrations.map((m) => `${m.version} ${m.state}`),
      ['appschema applied', 'zz_users applied', 'app.devices/create applied', 'insert_user applied', 'insert_user~2 applied', 'aa_flips applied'],
    );
    const adopted = await adoptEnvironment(bySqitchProject, 'local', { ...options, from: 'sqitch' });
    assert.deepEqual(
      adopted.recorded.map((r) => r.version),
      ['appschema', 'zz_users', 'app.devices/create', 'insert_user', 'insert_user~2', 'aa_flips'],
    );

    // Back to before the rework: both tools leave the v1.0.0 function in place.
    sqitch(fixture, ['revert', '-y', '--to', '@v1.0.0', target], env);
    const back = await rollbackMigrations(project, 'local', { ...options, toVersion: 'insert_user' });
    assert.equal(back.failure, undefined, JSON.stringify(back, null, 2));
    assert.deepEqual(
      back.steps.map((s) => s.version),
      ['aa_flips', 'insert_user~2'],
    );
    assert.deepEqual(await schemaOf(server, byTidemark), await schemaOf(server, bySqitch));
    assert.ok((await schemaOf(server, byTidemark)).some((x) => /insert_user: [\s\S]*md5/.test(x)));

    // Everything: nothing of the schema left on either side.
    sqitch(fixture, ['revert', '-y', target], env);
    for (let i = 0; i < 4; i++) {
      const step = await rollbackMigrations(project, 'local', options);
      assert.equal(step.failure, undefined, JSON.stringify(step, null, 2));
    }
    assert.deepEqual(await schemaOf(server, bySqitch), []);
    assert.deepEqual(await schemaOf(server, byTidemark), []);
  });
});
