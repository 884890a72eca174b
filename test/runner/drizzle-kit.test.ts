/**
 * A Drizzle migrations folder applied by drizzle-kit itself (`drizzle-kit migrate`, which runs
 * drizzle-orm's migrator) and by Tidemark, side by side on one real PostgreSQL server (two
 * databases): the journal's order and set (a file it does not list never runs), statements split
 * on `--> statement-breakpoint`, an entry with breakpoints off, the same schema after both; and
 * Tidemark's status of the database drizzle-kit migrated, read from drizzle's own table.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { applyMigrations } from '../../server/src/runner/apply';
import { loadProject } from '../../server/src/database/environments';
import { getStatus } from '../../server/src/runner/status';
import { adminClient, freshDatabase, startServers, urlOf, writeFiles, type TestServer } from '../support/databases';
import { repoRoot } from '../support/paths';
import { scratchDir } from '../support/test-cleanup';

const journal = (entries: Array<{ tag: string; when: number; breakpoints: boolean }>) =>
  JSON.stringify({ version: '7', dialect: 'postgresql', entries: entries.map((e, idx) => ({ idx, version: '7', ...e })) }, null, 2);

/** Written as drizzle-kit generate writes them: breakpoints between statements, quoted names. */
const FILES = {
  'drizzle.config.js': "module.exports = { dialect: 'postgresql', schema: './schema.ts', out: './drizzle', dbCredentials: { url: process.env.DATABASE_URL } };\n",
  'drizzle/meta/_journal.json': journal([
    { tag: '0000_init', when: 1700000000000, breakpoints: true },
    { tag: '0001_touch', when: 1700000001000, breakpoints: false },
    { tag: '0002_orders', when: 1700000002000, breakpoints: true },
  ]),
  // A breakpoint ends a statement even without a semicolon before it.
  'drizzle/0000_init.sql':
    'CREATE TABLE "users" (\n\t"id" serial PRIMARY KEY NOT NULL,\n\t"email" text NOT NULL\n)\n--> statement-breakpoint\nCREATE UNIQUE INDEX "users_email_idx" ON "users" USING btree ("email");',
  // Breakpoints off: the file is one query to drizzle (several statements, a function body with semicolons).
  'drizzle/0001_touch.sql':
    'ALTER TABLE "users" ADD COLUMN "updated_at" timestamp DEFAULT now();\nCREATE FUNCTION touch() RETURNS trigger LANGUAGE plpgsql AS $$\nBEGIN\n  NEW.updated_at := now();\n  RETURN NEW;\nEND;\n$$;\nCREATE TRIGGER users_touch BEFORE UPDATE ON users FOR EACH ROW EXECUTE FUNCTION touch();\n',
  'drizzle/0002_orders.sql':
    'CREATE TABLE "orders" (\n\t"id" serial PRIMARY KEY NOT NULL,\n\t"user_id" integer NOT NULL\n);\n--> statement-breakpoint\nALTER TABLE "orders" ADD CONSTRAINT "orders_user_id_users_id_fk" FOREIGN KEY ("user_id") REFERENCES "public"."users"("id") ON DELETE no action ON UPDATE no action;',
  // Left behind by a deleted journal entry: drizzle never runs it, and neither does Tidemark.
  'drizzle/0001_stale.sql': 'CREATE TABLE "stale" ("id" integer);\n',
  'schema.ts': '// the schema drizzle-kit generated the files from (not needed to migrate)\n',
};

async function schemaOf(server: TestServer, database: string): Promise<string[]> {
  const client = await adminClient(server, database);
  try {
    const rows = await client.query(`
      SELECT 'column ' || table_name || '.' || column_name || ' ' || data_type || coalesce(' default ' || column_default, '') AS x FROM information_schema.columns WHERE table_schema = 'public'
      UNION ALL SELECT 'index ' || indexname || ': ' || indexdef FROM pg_indexes WHERE schemaname = 'public'
      UNION ALL SELECT 'constraint ' || conname || ': ' || pg_get_constraintdef(oid) FROM pg_constraint WHERE connamespace = 'public'::regnamespace
      UNION ALL SELECT 'trigger ' || tgname FROM pg_trigger WHERE NOT tgisinternal
      UNION ALL SELECT 'function ' || proname || ': ' || prosrc FROM pg_proc WHERE pronamespace = 'public'::regnamespace
      ORDER BY 1`);
    return rows.rows.map((r) => String(r.x));
  } finally {
    await client.end();
  }
}

describe('Drizzle folders: Tidemark and drizzle-kit migrate on the same folder, on a real server', function () {
  this.timeout(300_000);
  let server: TestServer;
  before(async () => {
    [server] = await startServers(1);
  });
  after(() => server?.stop());

  it("runs the journal as drizzle-kit does: same set and order, same statements, same schema; status reads drizzle-kit's table", async () => {
    const byDrizzle = await freshDatabase(server);
    const byTidemark = await freshDatabase(server);
    const root = scratchDir('drizzle-project-');
    writeFiles(root, FILES);

    const kit = spawnSync(process.execPath, [join(repoRoot, 'node_modules', 'drizzle-kit', 'bin.cjs'), 'migrate', '--config', 'drizzle.config.js'], {
      cwd: root,
      encoding: 'utf8',
      env: { ...process.env, DATABASE_URL: `postgres://${server.user}:${encodeURIComponent(server.password)}@${server.host}:${server.port}/${byDrizzle}` },
      timeout: 120_000,
    });
    assert.equal(kit.status, 0, `drizzle-kit migrate failed:\n${kit.stdout}\n${kit.stderr}`);

    writeFiles(root, { 'tidemark.json': JSON.stringify({ environments: { local: { url: urlOf(server, byTidemark) }, drizzled: { url: urlOf(server, byDrizzle) } } }) });
    const project = loadProject(root);
    const options = { askPassword: async () => server.password };
    const applied = await applyMigrations(project, 'local', options);
    assert.equal(applied.failure, undefined, JSON.stringify(applied, null, 2));
    assert.deepEqual(
      applied.steps.map((s) => `${s.version} ${s.name}`),
      ['0000 init', '0001 touch', '0002 orders'],
    );

    // drizzle's own record: one row per journal entry, in journal order.
    const client = await adminClient(server, byDrizzle);
    const recorded = await client.query('SELECT created_at::text AS at FROM drizzle.__drizzle_migrations ORDER BY id').finally(() => client.end());
    assert.deepEqual(
      recorded.rows.map((r) => r.at),
      ['1700000000000', '1700000001000', '1700000002000'],
    );
    const schema = await schemaOf(server, byTidemark);
    assert.deepEqual(schema, await schemaOf(server, byDrizzle));
    assert.ok(!schema.some((x) => x.includes('stale')), 'the file the journal does not list ran');
    assert.ok(
      schema.includes('trigger users_touch') && schema.includes('index users_email_idx: CREATE UNIQUE INDEX users_email_idx ON public.users USING btree (email)'),
      schema.join('\n'),
    );

    // The database drizzle-kit migrated, as Tidemark's status reads it from drizzle's table (hashes of the files).
    const [drizzled] = await getStatus(project, 'drizzled', options);
    assert.equal(drizzled.tracking?.managedBy?.tool, 'drizzle');
    assert.deepEqual(
      drizzled.migrations.map((m) => `${m.version} ${m.state}`),
      ['0000 applied', '0001 applied', '0002 applied'],
    );
  });

  it('a failing migration: drizzle-kit undoes the whole run (one transaction), Tidemark keeps the ones before it applied and says where it stopped', async () => {
    const byDrizzle = await freshDatabase(server);
    const byTidemark = await freshDatabase(server);
    const root = scratchDir('drizzle-failing-');
    writeFiles(root, { ...FILES, 'drizzle/0002_orders.sql': 'CREATE TABLE "orders" ("id" serial PRIMARY KEY NOT NULL, "user_id" integer REFERENCES "missing"("id"));' });
    const kit = spawnSync(process.execPath, [join(repoRoot, 'node_modules', 'drizzle-kit', 'bin.cjs'), 'migrate', '--config', 'drizzle.config.js'], {
      cwd: root,
      encoding: 'utf8',
      env: { ...process.env, DATABASE_URL: `postgres://${server.user}:${encodeURIComponent(server.password)}@${server.host}:${server.port}/${byDrizzle}` },
      timeout: 120_000,
    });
    assert.notEqual(kit.status, 0, 'drizzle-kit migrate succeeded on a broken migration');
    assert.deepEqual(await schemaOf(server, byDrizzle), []);

    writeFiles(root, { 'tidemark.json': JSON.stringify({ environments: { local: { url: urlOf(server, byTidemark) } } }) });
    const applied = await applyMigrations(loadProject(root), 'local', { askPassword: async () => server.password });
    assert.deepEqual(
      applied.steps.map((s) => `${s.version} ${s.outcome}`),
      ['0000 ok', '0001 ok', '0002 failed'],
    );
    assert.match(applied.summary, /Stopped at 0002 .*relation "missing" does not exist/);
    assert.ok((await schemaOf(server, byTidemark)).includes('trigger users_touch'));
  });
});
