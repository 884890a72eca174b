/**
 * Compatibility mode, proven by the real tools (devDependencies of the project, run from
 * node_modules/.bin): for each tool, the tool migrates a database part-way, Tidemark reads its
 * table and agrees on every state, applies the rest through `tidemark apply` recording in the
 * tool's own table as the tool does, and the tool run afterwards on the same database finds
 * nothing to run and re-runs nothing; where the tool rolls back, Tidemark's rollback leaves the
 * file pending again for the tool. The reverse direction too: a database the tool migrated fully
 * is one Tidemark lists as applied, with the tool's own checksum equal to the one Tidemark computes.
 * dbmate's compatibility mode is proven in test/cli/adopt.test.ts.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { cpSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { adminClient, freshDatabase, startServers, urlOf, type TestServer } from '../support/databases';
import { tempWorkspace } from '../support/lsp-client';
import { tidemark } from '../support/cli';
import { projectTool } from '../support/foreign-tools';
import { repoRoot } from '../support/paths';
import { scratchDir } from '../support/test-cleanup';
import { ensureSqitch, sqitch } from '../support/sqitch';
import { committedHash } from '../../server/src/database/foreign-history/graphile-migrate';
import { discoverMigrations } from '../../server/src/migrations/discovery';

interface Run {
  status: number | null;
  output: string;
}

describe('compatibility mode: the real tool agrees with what Tidemark recorded in its table', function () {
  this.timeout(400_000);
  let server: TestServer;
  before(async () => {
    [server] = await startServers(1);
  });
  after(() => server?.stop());

  const toolUrl = (database: string) => `postgres://${encodeURIComponent(server.user)}:${encodeURIComponent(server.password)}@${server.host}:${server.port}/${database}`;
  const run = (bin: string, args: string[], cwd: string, env: NodeJS.ProcessEnv): Run => {
    const r = spawnSync(bin, args, { cwd, env: { ...process.env, ...env }, encoding: 'utf8', timeout: 120_000 });
    return { status: r.status, output: `${r.stdout}${r.stderr}` };
  };
  const ok = (r: Run, what: string) => {
    assert.equal(r.status, 0, `${what}: ${r.output}`);
    return r.output;
  };
  async function useTidemark(root: string, database: string, config: Record<string, unknown> = {}) {
    writeFileSync(join(root, 'tidemark.json'), JSON.stringify({ ...config, environments: { prod: { url: urlOf(server, database) } } }));
    const env = { PGPASSWORD: server.password };
    return {
      status: async () => JSON.parse((await tidemark(root, ['status', '--env', 'prod', '--format', 'json'], env)).stdout),
      run: (args: string[]) => tidemark(root, args, env),
    };
  }
  const states = (status: { migrations: Array<{ version: string; state: string }> }) => status.migrations.map((m) => `${m.version} ${m.state}`);
  async function rows(database: string, sql: string): Promise<unknown[][]> {
    const admin = await adminClient(server, database);
    try {
      return (await admin.query({ text: sql, rowMode: 'array' })).rows;
    } finally {
      await admin.end();
    }
  }

  describe('node-pg-migrate', () => {
    const FILES = {
      'migrations/1700000000000_users.sql': '-- Up Migration\nCREATE TABLE users (id int PRIMARY KEY);\n\n-- Down Migration\nDROP TABLE users;\n',
      'migrations/1700000000001_orders.sql': '-- Up Migration\nCREATE TABLE orders (id int PRIMARY KEY, user_id int REFERENCES users);\n\n-- Down Migration\nDROP TABLE orders;\n',
    };
    const SECOND = 'migrations/1700000000001_orders.sql';

    it('apply and rollback recorded in pgmigrations as node-pg-migrate records them; node-pg-migrate agrees afterwards', async () => {
      const bin = projectTool('node-pg-migrate');
      const database = await freshDatabase(server);
      const root = tempWorkspace(FILES);
      const nodePgMigrate = (args: string[]) => ok(run(bin, [...args, '-m', 'migrations'], root, { DATABASE_URL: toolUrl(database) }), `node-pg-migrate ${args[0]}`);
      rmSync(join(root, SECOND));
      assert.match(nodePgMigrate(['up']), /MIGRATION 1700000000000_users \(UP\)/);
      writeFileSync(join(root, SECOND), FILES[SECOND]);
      const tm = await useTidemark(root, database);

      const status = await tm.status();
      assert.deepEqual(status.managedBy, { tool: 'node-pg-migrate', table: 'public.pgmigrations' });
      assert.deepEqual(states(status), ['1700000000000 applied', '1700000000001 pending']);

      const applied = await tm.run(['apply']);
      assert.equal(applied.code, 0, applied.stderr);
      assert.match(applied.stdout, /ok\s+apply\s+1700000000001 orders/);
      assert.doesNotMatch(applied.stdout, /1700000000000/);
      assert.match(nodePgMigrate(['up']), /No migrations to run!/);
      assert.deepEqual(await rows(database, 'SELECT name FROM pgmigrations ORDER BY id'), [['1700000000000_users'], ['1700000000001_orders']]);

      const back = await tm.run(['rollback']);
      assert.equal(back.code, 0, back.stderr);
      assert.match(nodePgMigrate(['up']), /MIGRATION 1700000000001_orders \(UP\)/);
      assert.deepEqual(states(await tm.status()), ['1700000000000 applied', '1700000000001 applied']);
      assert.match(nodePgMigrate(['down']), /MIGRATION 1700000000001_orders \(DOWN\)/, 'node-pg-migrate rolls back what it finds recorded');
    });
  });

  describe('graphile-migrate', () => {
    const fixture = join(repoRoot, 'test', 'fixtures', 'layouts', 'graphile-migrate');
    const THIRD = 'migrations/committed/000003-posts-one-per-user-message.sql';

    async function project() {
      const bin = projectTool('graphile-migrate');
      const root = scratchDir('gm-compat-');
      cpSync(fixture, root, { recursive: true });
      const [database, shadow] = [await freshDatabase(server), await freshDatabase(server)];
      const env = { DATABASE_URL: toolUrl(database), SHADOW_DATABASE_URL: toolUrl(shadow), ROOT_DATABASE_URL: toolUrl(server.adminDatabase) };
      return { root, database, graphile: (...args: string[]) => run(bin, args, root, env) };
    }

    it('Tidemark applies the next committed migration as graphile-migrate records it; graphile-migrate then has nothing to run', async () => {
      const { root, database, graphile } = await project();
      // An empty work in progress, so that graphile-migrate status answers about committed migrations alone.
      writeFileSync(join(root, 'migrations', 'current.sql'), '');
      renameSync(join(root, THIRD), join(root, 'third.sql.off'));
      assert.match(ok(graphile('migrate'), 'graphile-migrate migrate'), /2 committed migrations executed/);
      renameSync(join(root, 'third.sql.off'), join(root, THIRD));
      assert.equal(graphile('status').status, 1, 'graphile-migrate sees 000003 pending before Tidemark runs it');
      const tm = await useTidemark(root, database);

      const before = await tm.status();
      assert.deepEqual(before.managedBy, { tool: 'graphile-migrate', table: 'graphile_migrate.migrations' });
      assert.deepEqual(states(before), ['000001 applied', '000002 applied', '000003 pending']);

      const applied = await tm.run(['apply']);
      assert.equal(applied.code, 0, applied.stdout + applied.stderr);
      assert.match(applied.stdout, /ok\s+apply\s+000003 Posts: one per user message/);
      assert.match(applied.stdout, /recorded in graphile-migrate's graphile_migrate\.migrations/);

      const status = graphile('status');
      assert.equal(status.status, 0, `graphile-migrate status lists nothing pending: ${status.output}`);
      assert.doesNotMatch(status.output, /pending/);
      const again = ok(graphile('migrate'), 'graphile-migrate migrate after Tidemark');
      assert.match(again, /Already up to date/);
      assert.doesNotMatch(again, /Running migration/);
      const text = readFileSync(join(root, THIRD), 'utf8');
      assert.deepEqual(await rows(database, `SELECT hash, previous_hash, filename FROM graphile_migrate.migrations WHERE filename = '000003.sql'`), [
        [/^--! Hash: (\S+)$/m.exec(text)![1], /^--! Previous: (\S+)$/m.exec(text)![1], '000003.sql'],
      ]);
      assert.deepEqual(states(await tm.status()), ['000001 applied', '000002 applied', '000003 applied']);
    });

    it('the rows graphile-migrate writes are the ones Tidemark writes, and Tidemark computes the hashes it stores', async () => {
      const { root: toolRoot, database: byTool, graphile } = await project();
      ok(graphile('migrate'), 'graphile-migrate migrate');
      const { root, database: byTidemark } = await project();
      const tm = await useTidemark(root, byTidemark);
      // An empty graphile_migrate.migrations, as graphile-migrate leaves it before its first run, makes the database managed.
      await rows(
        byTidemark,
        `CREATE SCHEMA graphile_migrate; CREATE TABLE graphile_migrate.migrations (hash text primary key, previous_hash text references graphile_migrate.migrations, filename text not null, date timestamptz not null default now())`,
      );
      const applied = await tm.run(['apply']);
      assert.equal(applied.code, 0, applied.stdout + applied.stderr);
      const rowsOf = (database: string) => rows(database, 'SELECT hash, previous_hash, filename FROM graphile_migrate.migrations ORDER BY filename');
      const tool = await rowsOf(byTool);
      assert.equal(tool.length, 3);
      assert.deepEqual(await rowsOf(byTidemark), tool);
      const found = discoverMigrations(toolRoot).migrations;
      assert.deepEqual(
        found.map((m) => committedHash(m.up.file.text)),
        tool.map((r) => r[0]),
      );
      const tmTool = await useTidemark(toolRoot, byTool);
      assert.deepEqual(states(await tmTool.status()), ['000001 applied', '000002 applied', '000003 applied']);
    });
  });

  describe('drizzle-kit', () => {
    const USERS = 'CREATE TABLE "users" (\n\t"id" serial PRIMARY KEY NOT NULL,\n\t"name" text\n);\n';
    const ORDERS =
      'CREATE TABLE "orders" (\n\t"id" serial PRIMARY KEY NOT NULL,\n\t"user_id" integer\n);\n--> statement-breakpoint\nALTER TABLE "orders" ADD CONSTRAINT "orders_user_id_users_id_fk" FOREIGN KEY ("user_id") REFERENCES "public"."users"("id");';
    const journal = (tags: string[]) =>
      JSON.stringify(
        { version: '7', dialect: 'postgresql', entries: tags.map((tag, idx) => ({ idx, version: '7', when: 1733500000000 + idx * 1000, tag, breakpoints: true })) },
        null,
        2,
      );

    function project() {
      const bin = projectTool('drizzle-kit');
      const root = tempWorkspace({
        // drizzle-kit reads its config by running it; Tidemark reads `out` from it as text.
        'drizzle.config.js': "module.exports = { dialect: 'postgresql', out: './drizzle', dbCredentials: { url: process.env.DATABASE_URL } };\n",
        'drizzle/meta/_journal.json': journal(['0000_users']),
        'drizzle/0000_users.sql': USERS,
      });
      return { root, drizzleKit: (database: string) => ok(run(bin, ['migrate'], root, { DATABASE_URL: toolUrl(database) }), 'drizzle-kit migrate') };
    }
    const addOrders = (root: string) => {
      writeFileSync(join(root, 'drizzle', '0001_orders.sql'), ORDERS);
      writeFileSync(join(root, 'drizzle', 'meta', '_journal.json'), journal(['0000_users', '0001_orders']));
    };
    const tables = (database: string) => rows(database, `SELECT table_name FROM information_schema.tables WHERE table_schema = 'public' ORDER BY 1`);

    it('Tidemark applies the next journal entry as drizzle records it (hash, folderMillis); drizzle-kit migrate then runs nothing', async () => {
      const { root, drizzleKit } = project();
      const database = await freshDatabase(server);
      drizzleKit(database);
      addOrders(root);
      const tm = await useTidemark(root, database);
      const before = await tm.status();
      assert.deepEqual(before.managedBy, { tool: 'drizzle', table: 'drizzle.__drizzle_migrations' });
      assert.deepEqual(states(before), ['0000 applied', '0001 pending']);

      const applied = await tm.run(['apply']);
      assert.equal(applied.code, 0, applied.stdout + applied.stderr);
      assert.match(applied.stdout, /ok\s+apply\s+0001 orders/);
      assert.deepEqual(await rows(database, 'SELECT hash, created_at::text FROM drizzle.__drizzle_migrations ORDER BY id'), [
        [createHash('sha256').update(USERS).digest('hex'), '1733500000000'],
        [createHash('sha256').update(ORDERS).digest('hex'), '1733500001000'],
      ]);
      // drizzle-kit would fail on "relation orders already exists" if it ran 0001 again.
      drizzleKit(database);
      assert.equal((await rows(database, 'SELECT count(*)::int FROM drizzle.__drizzle_migrations'))[0][0], 2, 'drizzle-kit recorded nothing more');
      assert.deepEqual(await tables(database), [['orders'], ['users']]);
      assert.deepEqual(states(await tm.status()), ['0000 applied', '0001 applied']);
    });

    it('drizzle-kit migrate leaves the rows Tidemark writes; Tidemark reads them as applied', async () => {
      const { root, drizzleKit } = project();
      addOrders(root);
      const [byTool, byTidemark] = [await freshDatabase(server), await freshDatabase(server)];
      drizzleKit(byTool);
      const tm = await useTidemark(root, byTool);
      assert.deepEqual(states(await tm.status()), ['0000 applied', '0001 applied']);
      await rows(byTidemark, 'CREATE SCHEMA drizzle; CREATE TABLE drizzle.__drizzle_migrations (id SERIAL PRIMARY KEY, hash text NOT NULL, created_at bigint)');
      const applied = await (await useTidemark(root, byTidemark)).run(['apply']);
      assert.equal(applied.code, 0, applied.stdout + applied.stderr);
      const rowsOf = (database: string) => rows(database, 'SELECT id, hash, created_at::text FROM drizzle.__drizzle_migrations ORDER BY id');
      assert.deepEqual(await rowsOf(byTidemark), await rowsOf(byTool));
    });
  });

  describe('sqitch', () => {
    const fixture = join(repoRoot, 'test', 'fixtures', 'layouts', 'sqitch');

    it("Tidemark deploys and reverts changes in sqitch's registry as sqitch does; sqitch status, deploy and revert agree", async () => {
      ensureSqitch();
      const database = await freshDatabase(server);
      const root = scratchDir('sqitch-compat-');
      cpSync(fixture, root, { recursive: true });
      const target = `db:pg://${server.user}@${server.host}:${server.port}/${database}`;
      const env = { PGPASSWORD: server.password };
      const sq = (...args: string[]) => sqitch(root, [...args, target], env);
      sq('deploy', '--to', 'zz_users');
      const tm = await useTidemark(root, database, { migrationsDir: '.' });
      const before = await tm.status();
      assert.deepEqual(before.managedBy, { tool: 'sqitch', table: 'sqitch.changes' });
      assert.deepEqual(states(before).slice(0, 3), ['appschema applied', 'zz_users applied', 'app.devices/create pending']);

      // A change carrying a tag is refused: its tag rows are not written.
      const refused = await tm.run(['apply', '--to', 'insert_user']);
      assert.notEqual(refused.code, 0, refused.stdout + refused.stderr);
      assert.match(refused.stderr + refused.stdout, /insert_user \(insert_user\): it carries the tag @v1\.0\.0, whose registry rows Tidemark does not write; run `sqitch deploy`/);
      const unchanged = sq('status');
      assert.match(unchanged, /Name:\s+zz_users/, `refused: nothing was run or recorded: ${unchanged}`);

      const applied = await tm.run(['apply', '--to', 'app.devices/create']);
      assert.equal(applied.code, 0, applied.stdout + applied.stderr);
      assert.match(applied.stdout, /ok\s+apply\s+app\.devices\/create/);
      const status = sq('status');
      assert.match(status, /Change:\s+[0-9a-f]{40}\n#\s*Name:\s+app\.devices\/create/);
      assert.match(status, /Undeployed changes:\n\s+\* insert_user @v1\.0\.0\n/);
      assert.match(sq('deploy', '--to', 'app.devices/create'), /Nothing to deploy \(already at "app\.devices\/create"\)/);
      // sqitch's own deploy continues after Tidemark's change: aa_flips requires it, resolved from the registry.
      const rest = sq('deploy');
      assert.doesNotMatch(rest, /app\.devices\/create/, 'sqitch does not deploy it again');
      assert.match(rest, /\+ aa_flips \.+ ok/);
      assert.deepEqual(
        await rows(
          database,
          `SELECT dependency, dependency_id IS NOT NULL FROM sqitch.dependencies d JOIN sqitch.changes c USING (change_id) WHERE c.change = 'app.devices/create'`,
        ),
        [['zz_users', true]],
      );
      assert.match(sq('verify'), /Verify successful/);
      assert.deepEqual(states(await tm.status()), [
        'appschema applied',
        'zz_users applied',
        'app.devices/create applied',
        'insert_user applied',
        'insert_user~2 applied',
        'aa_flips applied',
      ]);

      // Tidemark reverts the last change; sqitch sees it undeployed and deploys it again, then reverts everything.
      const back = await tm.run(['rollback']);
      assert.equal(back.code, 0, back.stdout + back.stderr);
      assert.match(sq('status'), /Undeployed change:\n\s+\* aa_flips/);
      assert.match(sq('deploy'), /\+ aa_flips \.+ ok/);
      const reverted = sqitch(root, ['revert', '-y', target], env);
      assert.match(reverted, /- app\.devices\/create \.+ ok/);
      assert.deepEqual(await rows(database, `SELECT event, change FROM sqitch.events WHERE change IN ('app.devices/create', 'aa_flips') ORDER BY committed_at`), [
        ['deploy', 'app.devices/create'],
        ['deploy', 'aa_flips'],
        ['revert', 'aa_flips'],
        ['deploy', 'aa_flips'],
        ['revert', 'aa_flips'],
        ['revert', 'app.devices/create'],
      ]);
    });
  });
});
