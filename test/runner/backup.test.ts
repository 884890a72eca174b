/**
 * Backups before a change (`backup` in tidemark.json): a sandbox through PGlite's data-directory
 * tarball and `tidemark restore`; a PostgreSQL 15 server through Debian's pg_dump 15, proved by
 * restoring the dump (into a fresh database, and over the changed one with the printed command); a
 * PostgreSQL 18 server, which that pg_dump refuses, stopping before anything changes.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, writeFileSync } from 'node:fs';
import { basename, join } from 'node:path';
import { PGlite } from '@electric-sql/pglite';
import { restoreSandbox } from '../../server/src/backup/restore-sandbox';
import { catalogSnapshot, compareSnapshots, describeDifference } from '../../server/src/replay/catalog';
import { PgliteAdapter } from '../../server/src/database/pglite-adapter';
import { applyMigrations as runnerApply } from '../../server/src/runner/apply';
import { rollbackMigrations as runnerRollback } from '../../server/src/runner/rollback';
import type { RunOptions } from '../../server/src/runner/session';
import { prepareBackup } from '../../server/src/backup/backup';
import { loadProject } from '../../server/src/database/environments';
import { getStatus, recentEvents } from '../../server/src/runner/status';
import { connectPostgres } from '../../server/src/database/postgres-adapter';
import { adminClient, freshDatabase, startServers, urlOf, writeFiles, type TestServer } from '../support/databases';
import { ensurePostgresClient } from '../support/pg-client-tools';
import { scratchDir } from '../support/test-cleanup';

// The front ends pass backup/'s hook in; so do these tests.
const applyMigrations = (...[project, env, options]: Parameters<typeof runnerApply>) => runnerApply(project, env, { prepareBackup, ...options } satisfies RunOptions);
const rollbackMigrations = (...[project, env, options]: Parameters<typeof runnerRollback>) => runnerRollback(project, env, { prepareBackup, ...options } satisfies RunOptions);

const SCHEMA = `-- migrate:up
CREATE TYPE mood AS ENUM ('calm', 'busy');
CREATE TABLE agents (id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY, name text NOT NULL, mood mood DEFAULT 'calm', note text);
CREATE INDEX agents_name ON agents (name);
CREATE VIEW busy_agents AS SELECT id, name FROM agents WHERE mood = 'busy';
CREATE FUNCTION agent_count() RETURNS bigint LANGUAGE sql AS 'SELECT count(*) FROM agents';
INSERT INTO agents (name, mood, note) VALUES ('ada', 'busy', 'first'), ('bob', 'calm', NULL), ('cy', 'busy', 'third');
-- migrate:down
DROP FUNCTION agent_count();
DROP VIEW busy_agents;
DROP TABLE agents;
DROP TYPE mood;
`;
// The change a backup is for: it loses a column and rows.
const DESTRUCTIVE = `-- migrate:up
ALTER TABLE agents DROP COLUMN note;
DELETE FROM agents WHERE mood = 'calm';
-- migrate:down
ALTER TABLE agents ADD COLUMN note text;
`;

const migrations = { 'migrations/001_agents.sql': SCHEMA, 'migrations/002_trim.sql': DESTRUCTIVE };

function project(environments: Record<string, unknown>, files: Record<string, string> = migrations): string {
  const root = scratchDir('backup-');
  writeFiles(root, { ...files, 'tidemark.json': JSON.stringify({ lockWaitTimeout: '2s', environments }, null, 2) });
  return root;
}

const backupsIn = (root: string) => (existsSync(join(root, '.tidemark', 'backups')) ? readdirSync(join(root, '.tidemark', 'backups')) : []);
const rowsOf = async (db: { query(sql: string): Promise<{ rows: Record<string, unknown>[] }> }) =>
  (await db.query("SELECT id, name, mood::text, to_jsonb(a) ? 'note' AS has_note FROM agents a ORDER BY id")).rows;

describe('backups before apply and rollback: a sandbox', function () {
  this.timeout(180_000);

  it('apply writes the data directory to ENV-YYYYMMDD-HHMMSS.tar.gz first, records it, and tidemark restore puts the sandbox back as it was', async () => {
    const root = project({ sandbox: { sandbox: true, backup: true } });
    const first = await applyMigrations(loadProject(root), 'sandbox', { toVersion: '001' });
    assert.ok(first.backup, 'the first apply backs up too (the sandbox was just created)');
    const report = await applyMigrations(loadProject(root), 'sandbox', {});
    assert.deepEqual(
      report.steps.map((s) => `${s.version} ${s.outcome}`),
      ['002 ok'],
    );
    const backup = report.backup!;
    assert.match(basename(backup.file), /^sandbox-\d{8}-\d{6}(-\d+)?\.tar\.gz$/);
    assert.ok(existsSync(backup.file) && backup.bytes > 100_000, `a data directory was written (${backup.bytes} bytes)`);
    assert.match(backup.tool, /^PGlite \(PostgreSQL \d+/);
    assert.equal(backup.restoreCommand, `tidemark restore --env sandbox .tidemark/backups/${basename(backup.file)}`);
    assert.match(report.summary, new RegExp(`Backed up first to \\.tidemark/backups/${basename(backup.file).replace(/\./g, '\\.')} \\(`));
    const events = await recentEvents(loadProject(root), 'sandbox', 10);
    const recorded = events.find((e) => e.kind === 'backup' && e.version === '002');
    assert.ok(recorded?.message?.includes(basename(backup.file)) && recorded.message.includes('restore with: tidemark restore'), JSON.stringify(events));

    const restored = await restoreSandbox(loadProject(root), 'sandbox', join('.tidemark', 'backups', basename(backup.file)));
    assert.equal(restored.applied, 1);
    assert.match(
      restored.summary,
      /^Restored sandbox from \.tidemark\/backups\/sandbox-.*: 1 migration applied there\. The data it replaced is kept in \.tidemark\/sandbox\.before-restore-/,
    );
    assert.ok(restored.replacedKeptAt && existsSync(restored.replacedKeptAt), 'the replaced data is kept');
    const [status] = await getStatus(loadProject(root), 'sandbox', {});
    assert.deepEqual(
      status.migrations.map((m) => `${m.version} ${m.state}`),
      ['001 applied', '002 pending'],
    );
    const db = new PgliteAdapter(new PGlite(join(root, '.tidemark', 'sandbox')), () => undefined);
    try {
      assert.deepEqual(
        await rowsOf(db),
        [
          { id: 1, name: 'ada', mood: 'busy', has_note: true },
          { id: 2, name: 'bob', mood: 'calm', has_note: true },
          { id: 3, name: 'cy', mood: 'busy', has_note: true },
        ],
        'the rows and the column 002 removed are back',
      );
    } finally {
      await db.close();
    }
  });

  it('the restored data directory is the same database: catalog, rows and sequence positions', async () => {
    const root = project(
      { sandbox: { sandbox: true, backup: true } },
      { 'migrations/001_agents.sql': SCHEMA, 'migrations/002_more.sql': '-- migrate:up\nCREATE TABLE later (id int);\n-- migrate:down\nDROP TABLE later;\n' },
    );
    await applyMigrations(loadProject(root), 'sandbox', { toVersion: '001' });
    const live = new PgliteAdapter(new PGlite(join(root, '.tidemark', 'sandbox')), () => undefined);
    const before = await catalogSnapshot(live);
    const sequence = (await live.query('SELECT last_value FROM agents_id_seq')).rows;
    await live.close();
    const report = await applyMigrations(loadProject(root), 'sandbox', {});
    await restoreSandbox(loadProject(root), 'sandbox', report.backup!.file);
    const back = new PgliteAdapter(new PGlite(join(root, '.tidemark', 'sandbox')), () => undefined);
    try {
      const differences = compareSnapshots(before, await catalogSnapshot(back)).map(describeDifference);
      assert.deepEqual(differences, [], 'the catalog is the one before 002');
      assert.deepEqual((await back.query('SELECT last_value FROM agents_id_seq')).rows, sequence);
      assert.equal((await back.query('SELECT count(*)::int AS n FROM agents')).rows[0].n, 3);
    } finally {
      await back.close();
    }
  });

  it('nothing to apply or roll back writes no backup; rollback backs up before its first down', async () => {
    const root = project({ sandbox: { sandbox: true, backup: { dir: 'dumps' } } });
    const applied = await applyMigrations(loadProject(root), 'sandbox', {});
    assert.equal(readdirSync(join(root, 'dumps')).length, 1);
    const nothing = await applyMigrations(loadProject(root), 'sandbox', {});
    assert.equal(nothing.backup, undefined);
    assert.equal(readdirSync(join(root, 'dumps')).length, 1, 'an up-to-date apply changes nothing, so it backs nothing up');
    const rolled = await rollbackMigrations(loadProject(root), 'sandbox', {});
    assert.deepEqual(
      rolled.steps.map((s) => `${s.version} ${s.outcome}`),
      ['002 ok'],
    );
    assert.ok(rolled.backup && rolled.backup.file.startsWith(join(root, 'dumps')) && rolled.backup.file !== applied.backup!.file);
    assert.equal(readdirSync(join(root, 'dumps')).length, 2);
  });

  it('restore refuses a file that is not a sandbox backup and leaves the sandbox as it was', async () => {
    const root = project({ sandbox: { sandbox: true, backup: true } });
    await applyMigrations(loadProject(root), 'sandbox', {});
    writeFileSync(join(root, 'not-a-backup.tar.gz'), 'plain text');
    await assert.rejects(
      restoreSandbox(loadProject(root), 'sandbox', 'not-a-backup.tar.gz'),
      /^Error: not-a-backup\.tar\.gz is not a sandbox backup Tidemark can load \(.+\); sandbox was not changed$/,
    );
    await assert.rejects(restoreSandbox(loadProject(root), 'sandbox', 'missing.tar.gz'), /no backup at missing\.tar\.gz/);
    const [status] = await getStatus(loadProject(root), 'sandbox', {});
    assert.deepEqual(
      status.migrations.map((m) => m.state),
      ['applied', 'applied'],
    );
  });
});

describe('backups before apply and rollback: PostgreSQL servers and pg_dump', function () {
  this.timeout(300_000);
  let pg15: TestServer;
  let pg18: TestServer;
  let pgDump: { text: string; major: number };

  before(async () => {
    pgDump = ensurePostgresClient();
    [[pg15], [pg18]] = await Promise.all([startServers(1, { postgres15: true }), startServers(1)]);
  });
  after(async () => {
    await Promise.all([pg15?.stop(), pg18?.stop()]);
  });

  const options = (server: TestServer) => ({ askPassword: async () => server.password });

  async function query(server: TestServer, database: string, sql: string): Promise<Record<string, unknown>[]> {
    const client = await adminClient(server, database);
    try {
      return (await client.query(sql)).rows;
    } finally {
      await client.end();
    }
  }

  it('pg_dump -Fc of the server before apply, with the password only in its environment; the dump restores the whole database', async () => {
    assert.ok(pgDump.major >= 15, `this test needs a pg_dump that supports PostgreSQL 15, found ${pgDump.text}`);
    const database = await freshDatabase(pg15);
    const root = project({ live: { url: urlOf(pg15, database), backup: true } });
    await applyMigrations(loadProject(root), 'live', { ...options(pg15), toVersion: '001' });
    const report = await applyMigrations(loadProject(root), 'live', options(pg15));
    assert.deepEqual(
      report.steps.map((s) => `${s.version} ${s.outcome}`),
      ['002 ok'],
    );
    const backup = report.backup!;
    assert.match(basename(backup.file), /^live-\d{8}-\d{6}(-\d+)?\.dump$/);
    assert.equal(backup.tool, `pg_dump ${pgDump.text}`);
    assert.equal(backup.restoreCommand, `pg_restore --clean --if-exists --no-owner --host 127.0.0.1 --port ${pg15.port} --username postgres --dbname ${database} ${backup.file}`);
    const events = await recentEvents(loadProject(root), 'live', 10, options(pg15));
    const recorded = events.find((e) => e.kind === 'backup' && e.version === '002');
    assert.ok(recorded?.message?.startsWith(`pg_dump ${pgDump.text} wrote .tidemark/backups/${basename(backup.file)}`), JSON.stringify(events));
    for (const text of [backup.restoreCommand, recorded!.message!, report.summary]) assert.ok(!text.includes(pg15.password), 'no password in what is printed or stored');

    // Into a fresh database: the same catalog and rows as before 002, history included.
    const copy = await freshDatabase(pg15);
    const restore = spawnSync('pg_restore', ['--no-owner', '--dbname', copy, backup.file], {
      encoding: 'utf8',
      env: { ...process.env, PGHOST: '127.0.0.1', PGPORT: String(pg15.port), PGUSER: 'postgres', PGPASSWORD: pg15.password },
    });
    assert.equal(restore.status, 0, restore.stderr);
    assert.deepEqual(await query(pg15, copy, 'SELECT name, note FROM agents ORDER BY id'), [
      { name: 'ada', note: 'first' },
      { name: 'bob', note: null },
      { name: 'cy', note: 'third' },
    ]);
    assert.deepEqual(await query(pg15, copy, 'SELECT version FROM tidemark.migrations ORDER BY version'), [{ version: '001' }]);
    const original = await freshDatabase(pg15);
    const replay = project({ fresh: { url: urlOf(pg15, original) } }, { 'migrations/001_agents.sql': SCHEMA });
    await applyMigrations(loadProject(replay), 'fresh', options(pg15));
    const snapshot = async (db: string) => {
      const adapter = await connectPostgres(loadProject(project({ x: { url: urlOf(pg15, db) } }, {})).environments[0], options(pg15).askPassword);
      try {
        return await catalogSnapshot(adapter);
      } finally {
        await adapter.close();
      }
    };
    assert.deepEqual(compareSnapshots(await snapshot(original), await snapshot(copy)).map(describeDifference), [], 'the restored copy has the catalog 001 builds');

    // Over the changed database with the printed command: the dropped column and rows are back, and 002 is pending again.
    const inPlace = spawnSync('sh', ['-c', backup.restoreCommand], { encoding: 'utf8', env: { ...process.env, PGPASSWORD: pg15.password } });
    assert.equal(inPlace.status, 0, inPlace.stderr);
    assert.deepEqual(await query(pg15, database, 'SELECT name, note FROM agents ORDER BY id'), [
      { name: 'ada', note: 'first' },
      { name: 'bob', note: null },
      { name: 'cy', note: 'third' },
    ]);
    const [status] = await getStatus(loadProject(root), 'live', options(pg15));
    assert.deepEqual(
      status.migrations.map((m) => `${m.version} ${m.state}`),
      ['001 applied', '002 pending'],
    );
  });

  it(`a pg_dump older than the server stops apply before anything changes, saying which client to install`, async () => {
    assert.ok(pgDump.major < 18, `this test needs a pg_dump older than the PostgreSQL 18 test server, found ${pgDump.text}`);
    const database = await freshDatabase(pg18);
    const root = project({ prod: { url: urlOf(pg18, database), backup: true } });
    await assert.rejects(
      applyMigrations(loadProject(root), 'prod', options(pg18)),
      (error: Error) =>
        error.message ===
        `pg_dump ${pgDump.text} cannot dump PostgreSQL 18 (prod): install postgresql-client-18 or set backup.command to a pg_dump 18 or newer; nothing was changed`,
    );
    assert.deepEqual(
      await query(pg18, database, "SELECT to_regnamespace('tidemark') IS NULL AS no_history, to_regclass('agents') IS NULL AS no_table"),
      [{ no_history: true, no_table: true }],
      'not even the history tables were created',
    );
    assert.deepEqual(backupsIn(root), []);
  });

  it('a missing pg_dump or one that fails stops the run before any change, with its message', async () => {
    const database = await freshDatabase(pg15);
    const missing = project({ live: { url: urlOf(pg15, database), backup: { command: './bin/pg_dump' } } });
    await assert.rejects(applyMigrations(loadProject(missing), 'live', options(pg15)), (error: Error) => {
      assert.equal(
        error.message,
        `backup.command "${join(missing, 'bin', 'pg_dump')}" was not found: install postgresql-client (of the server's major version or newer) or set backup.command`,
      );
      return true;
    });
    // A pg_dump that cannot write its file: pg_dump's own message, and nothing applied.
    const unwritable = project({ live: { url: urlOf(pg15, database), backup: { dir: 'tidemark.json/inside-a-file' } } });
    await assert.rejects(
      applyMigrations(loadProject(unwritable), 'live', options(pg15)),
      /^Error: cannot create the backup folder .*tidemark\.json\/inside-a-file: .*; nothing was changed$/,
    );
    assert.deepEqual(await query(pg15, database, "SELECT to_regnamespace('tidemark') IS NULL AS no_history, to_regclass('agents') IS NULL AS no_table"), [
      { no_history: true, no_table: true },
    ]);

    // pg_dump's own failure: the deploy role may not read a table someone else owns.
    const role = 'tidemark_deploy';
    const shared = await freshDatabase(pg15);
    await query(pg15, shared, `CREATE ROLE ${role} LOGIN PASSWORD 'deploy-secret'; GRANT CREATE ON DATABASE ${shared} TO ${role}; GRANT CREATE ON SCHEMA public TO ${role};`);
    const url = `postgres://${role}@127.0.0.1:${pg15.port}/${shared}`;
    const asDeploy = { askPassword: async () => 'deploy-secret' };
    let untouched: string | undefined;
    try {
      await applyMigrations(loadProject(project({ live: { url } })), 'live', { ...asDeploy, toVersion: '001' });
      await query(pg15, shared, 'CREATE TABLE payroll (id int)');
      const refused = project({ live: { url, backup: true } });
      await assert.rejects(applyMigrations(loadProject(refused), 'live', asDeploy), (error: Error) => {
        assert.match(error.message, /^pg_dump failed: pg_dump: error: .*permission denied for table payroll.*; nothing was changed$/);
        assert.ok(!error.message.includes('deploy-secret'));
        return true;
      });
      assert.deepEqual(
        await query(pg15, shared, "SELECT count(*)::int AS n FROM information_schema.columns WHERE table_name = 'agents' AND column_name = 'note'"),
        [{ n: 1 }],
        '002 did not run',
      );
      assert.deepEqual(backupsIn(refused), [], 'the partial dump is removed');

      // The same on a first apply (a sequence it may not read; no table, so the database counts
      // as empty): the history tables the run had to create are gone again.
      untouched = await freshDatabase(pg15);
      await query(pg15, untouched, `GRANT CREATE ON DATABASE ${untouched} TO ${role}; GRANT CREATE ON SCHEMA public TO ${role}; CREATE SEQUENCE invoice_numbers;`);
      const first = project({ live: { url: `postgres://${role}@127.0.0.1:${pg15.port}/${untouched}`, backup: true } });
      await assert.rejects(
        applyMigrations(loadProject(first), 'live', asDeploy),
        /^Error: pg_dump failed: .*permission denied for sequence invoice_numbers.*; nothing was changed$/,
      );
      const nothingThere = "SELECT to_regnamespace('tidemark') IS NULL AS no_history, to_regclass('agents') IS NULL AS no_table";
      assert.deepEqual(await query(pg15, untouched, nothingThere), [{ no_history: true, no_table: true }]);
      // And a first apply refused because the database holds tables Tidemark does not track.
      await query(pg15, untouched, 'DROP SEQUENCE invoice_numbers; CREATE TABLE payroll (id int);');
      await assert.rejects(
        applyMigrations(loadProject(project({ live: { url: `postgres://${role}@127.0.0.1:${pg15.port}/${untouched}` } })), 'live', asDeploy),
        /refusing to apply to live: it is not tracked/,
      );
      assert.deepEqual(await query(pg15, untouched, nothingThere), [{ no_history: true, no_table: true }]);
    } finally {
      await query(pg15, shared, `DROP OWNED BY ${role}`).catch(() => undefined);
      if (untouched) await query(pg15, untouched, `DROP OWNED BY ${role}`).catch(() => undefined);
      await query(pg15, pg15.adminDatabase, `DROP ROLE IF EXISTS ${role}`).catch(() => undefined);
    }
  });
});
