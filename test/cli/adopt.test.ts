/**
 * `tidemark adopt`, `tidemark mark` and `tidemark history` as a user runs them, on a database that
 * the real dbmate (its linux-x64 npm package's binary) migrated first: status reads dbmate's table
 * (managed by dbmate), apply and rollback write it as dbmate does and dbmate's own status and up
 * agree, a dry run prints and writes nothing, adopt records dbmate's versions, and marks show in history. Also a baseline on the sandbox.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { adminClient, freshDatabase, seedSandbox, startServers, urlOf, type TestServer } from '../support/databases';
import { repoRoot } from '../support/paths';
import { tempWorkspace } from '../support/lsp-client';
import { tidemark } from '../support/cli';

// dbmate's own format: Tidemark reads the same `-- migrate:up` / `-- migrate:down` sections.
const FILES = {
  'db/migrations/20251126000001_users.sql':
    "-- migrate:up\nCREATE TABLE users (id int PRIMARY KEY, email text);\nINSERT INTO users VALUES (1, 'ada@example.com');\n-- migrate:down\nDROP TABLE users;\n",
  'db/migrations/20251126000002_orders.sql': '-- migrate:up\nCREATE TABLE orders (id int PRIMARY KEY, user_id int REFERENCES users);\n-- migrate:down\nDROP TABLE orders;\n',
  'db/migrations/20251127000001_notes.sql': '-- migrate:up\nCREATE TABLE notes (id int PRIMARY KEY, body text);\n-- migrate:down\nDROP TABLE notes;\n',
};
const THIRD = 'db/migrations/20251127000001_notes.sql';

function dbmate(root: string, server: TestServer, database: string, args: string[]) {
  const url = `postgres://${encodeURIComponent(server.user)}:${encodeURIComponent(server.password)}@${server.host}:${server.port}/${database}?sslmode=disable`;
  const r = spawnSync(DBMATE, ['--no-dump-schema', ...args], { cwd: root, env: { ...process.env, DATABASE_URL: url }, encoding: 'utf8' });
  assert.equal(r.status, 0, `dbmate ${args.join(' ')}: ${r.stdout}${r.stderr}`);
  return r.stdout;
}

const json = (r: { stdout: string }) => JSON.parse(r.stdout);
// The platform package's binary: the registry here serves only linux-x64, so `dbmate` itself (which
// lists every platform as optional) would leave package-lock.json unusable for npm ci, as squawk-cli would.
const DBMATE = join(repoRoot, 'node_modules', '@dbmate', 'linux-x64', 'bin', 'dbmate');

describe('tidemark adopt, mark and history', function () {
  this.timeout(180_000);
  let server: TestServer;
  before(async () => {
    [server] = await startServers(1);
  });
  after(() => server?.stop());

  it('a database dbmate migrated: managed status, compatibility apply and rollback that dbmate agrees with, adopt --dry-run, adopt, mark and history', async () => {
    const database = await freshDatabase(server);
    const root = tempWorkspace(FILES);
    // dbmate applies the first two; the third file is written afterwards, as a new migration would be.
    const third = FILES[THIRD];
    rmSync(join(root, THIRD));
    dbmate(root, server, database, ['up']);
    writeFileSync(join(root, THIRD), third);
    writeFileSync(join(root, 'tidemark.json'), JSON.stringify({ migrationsDir: 'db/migrations', environments: { prod: { url: urlOf(server, database), protected: true } } }));
    const env = { PGPASSWORD: server.password };

    const status = await tidemark(root, ['status'], env);
    assert.equal(status.code, 0, status.stderr);
    assert.match(status.stdout, /^managed by dbmate: states read from dbmate's public\.schema_migrations; apply and rollback record there as dbmate does \(compatibility mode\)$/m);
    const statusJson = json(await tidemark(root, ['status', '--env', 'prod', '--format', 'json'], env));
    assert.deepEqual(statusJson.managedBy, { tool: 'dbmate', table: 'public.schema_migrations' });
    assert.deepEqual(statusJson.tracking, {
      state: 'managed',
      foreign: { tool: 'dbmate', table: 'public.schema_migrations', versions: ['20251126000001', '20251126000002'] },
      managedBy: { tool: 'dbmate', table: 'public.schema_migrations', writable: true, command: 'dbmate up' },
    });
    assert.deepEqual(
      statusJson.migrations.map((m: { version: string; state: string }) => `${m.version} ${m.state}`),
      ['20251126000001 applied', '20251126000002 applied', '20251127000001 pending'],
    );
    const markdown = await tidemark(root, ['status', '--format', 'markdown'], env);
    assert.match(markdown.stdout, /^- prod is managed by dbmate: its states are read from public\.schema_migrations$/m);
    assert.match(markdown.stdout, /\| `20251126000001` users \| applied · by dbmate \|/);

    // Compatibility mode: Tidemark applies the third file and records it as dbmate does; dbmate agrees.
    const applied = await tidemark(root, ['apply', '--confirm', 'prod'], env);
    assert.equal(applied.code, 0, applied.stderr);
    assert.doesNotMatch(applied.stdout, /20251126/, "dbmate's migrations do not run again");
    assert.match(applied.stdout, /ok\s+apply\s+20251127000001 notes/);
    assert.match(applied.stdout, /recorded in dbmate's public\.schema_migrations as dbmate records them \(compatibility mode/);
    assert.match(dbmate(root, server, database, ['status']), /\[X\] 20251127000001_notes\.sql[\s\S]*Applied: 3\s+Pending: 0/);
    assert.doesNotMatch(dbmate(root, server, database, ['up']), /Applying/, 'dbmate applies nothing more');
    const admin = await adminClient(server, database);
    try {
      assert.deepEqual((await admin.query('SELECT count(*)::int AS n FROM users')).rows, [{ n: 1 }], 'the seed row was not inserted twice');
      assert.equal((await admin.query("SELECT to_regclass('public.notes') IS NOT NULL AS present")).rows[0].present, true);
    } finally {
      await admin.end();
    }
    // Rolled back the same way: dbmate then sees it pending and applies it itself.
    const back = await tidemark(root, ['rollback', '--confirm', 'prod'], env);
    assert.equal(back.code, 0, back.stderr);
    assert.match(dbmate(root, server, database, ['status']), /\[ \] 20251127000001_notes\.sql[\s\S]*Applied: 2\s+Pending: 1/);
    assert.match(dbmate(root, server, database, ['up']), /Applying: 20251127000001_notes\.sql/);
    assert.deepEqual(
      json(await tidemark(root, ['status', '--env', 'prod', '--format', 'json'], env)).migrations.map((m: { state: string }) => m.state),
      ['applied', 'applied', 'applied'],
    );

    const dry = await tidemark(root, ['adopt', '--from', 'dbmate', '--dry-run'], env);
    assert.equal(dry.code, 0, dry.stderr);
    assert.match(
      dry.stdout,
      /^would record 20251126000001 users\nwould record 20251126000002 orders\nwould record 20251127000001 notes\nWould record 3 migrations as applied in prod from dbmate's public\.schema_migrations, without running them \(dry run: nothing written\)\.\n$/,
    );

    const unconfirmed = await tidemark(root, ['adopt', '--from', 'dbmate'], env);
    assert.equal(unconfirmed.code, 2);
    assert.match(unconfirmed.stderr, /prod is protected: .*--confirm prod/);

    const adopted = await tidemark(root, ['adopt', '--from', 'dbmate', '--confirm', 'prod', '--format', 'json'], env);
    assert.equal(adopted.code, 0, adopted.stderr);
    assert.deepEqual(
      json(adopted).recorded.map((r: { version: string }) => r.version),
      ['20251126000001', '20251126000002', '20251127000001'],
    );
    const states = json(await tidemark(root, ['status', '--env', 'prod', '--format', 'json'], env)).migrations.map((m: { version: string; state: string; adoptedFrom?: string }) =>
      `${m.version} ${m.state} ${m.adoptedFrom ?? ''}`.trim(),
    );
    assert.deepEqual(states, ['20251126000001 applied dbmate', '20251126000002 applied dbmate', '20251127000001 applied dbmate']);

    const noFile = await tidemark(root, ['mark', 'applied', '20990101000000', '--confirm', 'prod'], env);
    assert.equal(noFile.code, 2);
    assert.match(noFile.stderr, /cannot mark 20990101000000 applied in prod: no migration file has this version/);
    const already = await tidemark(root, ['mark', 'applied', '20251127000001', '--confirm', 'prod'], env);
    assert.equal(already.code, 2);
    assert.match(already.stderr, /cannot mark 20251127000001 applied in prod: it is already applied \(applied .* by /);

    const pending = await tidemark(root, ['mark', 'pending', '20251127000001', '--reason', 'notes dropped by hand in the incident', '--confirm', 'prod'], env);
    assert.equal(pending.code, 0, pending.stderr);
    assert.match(pending.stdout, /^20251127000001 notes: was applied \(applied .*\); now pending\nMarked 1 migration pending in prod without running SQL\.\n$/);

    const history = await tidemark(root, ['history', '--env', 'prod'], env);
    assert.equal(history.code, 0, history.stderr);
    const lines = history.stdout.trim().split('\n');
    assert.match(lines[0], /^\S+ \S+\s+mark\s+20251127000001\s+\S+@\S+\s+marked pending without running SQL \(was applied .*\): notes dropped by hand in the incident$/);
    assert.ok(
      lines.some((l) =>
        /adopt\s+20251126000001 .*adopted from dbmate's public\.schema_migrations without running it \(3 versions: 20251126000001, 20251126000002, 20251127000001\)/.test(l),
      ),
      history.stdout,
    );
    const badLimit = await tidemark(root, ['history', '--limit', 'lots'], env);
    assert.equal(badLimit.code, 2);
    assert.match(badLimit.stderr, /--limit must be a whole number of events, 1 or more, not "lots"/);
  });

  it('a sandbox built by hand: a baseline with --to, then only the newer migrations apply', async () => {
    const root = tempWorkspace({
      'migrations/001_users.sql': '-- migrate:up\nCREATE TABLE users (id int PRIMARY KEY);\n-- migrate:down\nDROP TABLE users;\n',
      'migrations/002_orders.sql': '-- migrate:up\nCREATE TABLE orders (id int PRIMARY KEY);\n-- migrate:down\nDROP TABLE orders;\n',
      'migrations/003_notes.sql': '-- migrate:up\nCREATE TABLE notes (id int PRIMARY KEY);\n-- migrate:down\nDROP TABLE notes;\n',
    });
    await seedSandbox(join(root, '.tidemark', 'sandbox'));
    const { PGlite } = await import('@electric-sql/pglite');
    const db = new PGlite(join(root, '.tidemark', 'sandbox'));
    await db.exec('CREATE TABLE users (id int PRIMARY KEY); CREATE TABLE orders (id int PRIMARY KEY);');
    await db.close();

    const status = await tidemark(root, ['status']);
    assert.match(status.stdout, /^not tracked by Tidemark yet; 2 tables exist$/m);
    const refused = await tidemark(root, ['apply']);
    assert.equal(refused.code, 2);
    assert.match(refused.stderr, /2 tables and views exist; record what is already applied with `tidemark adopt --env sandbox --to VERSION`/);
    const noFrom = await tidemark(root, ['adopt']);
    assert.equal(noFrom.code, 2);
    assert.match(noFrom.stderr, /no other migration tool's history table found; record a baseline with --to VERSION/);
    const unknownTo = await tidemark(root, ['adopt', '--to', '007']);
    assert.match(unknownTo.stderr, /--to 007: no migration file has this version/);

    const baseline = await tidemark(root, ['adopt', '--to', '002']);
    assert.equal(baseline.code, 0, baseline.stderr);
    assert.match(baseline.stdout, /^recorded 001 users\nrecorded 002 orders\nRecorded 2 migrations as applied in sandbox from a baseline up to 002/);
    const after = await tidemark(root, ['status']);
    assert.match(after.stdout, /001\s+users\s+applied .*adopted as a baseline \(not run by Tidemark\)/);
    const applied = await tidemark(root, ['apply']);
    assert.equal(applied.code, 0, applied.stderr);
    assert.match(applied.stdout, /ok\s+apply\s+003 notes/);
    assert.doesNotMatch(applied.stdout, /apply\s+00[12]/);
  });
});
