/**
 * Backups that cannot finish, and passwords from ~/.pgpass, through the real CLI on a real
 * PostgreSQL 15 server with Debian's pg_dump: a pg_dump queued behind another session's ACCESS
 * EXCLUSIVE lock stops after lockTimeout; one that never returns stops at backup.timeout; SIGTERM
 * during the backup of a first apply leaves the empty database empty; the printed restore command
 * names a pg_restore that exists; PGPASSWORD="" still lets .pgpass answer; mark pending warns
 * about the objects an applied migration left.
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { chmodSync, existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { adminClient, freshDatabase, startServers, urlOf, writeFiles, type TestServer } from '../support/databases';
import { ensurePostgresClient } from '../support/pg-client-tools';
import { tidemark, type CliResult } from '../support/cli';
import { scratchDir } from '../support/test-cleanup';
import { repoRoot } from '../support/paths';

/** A pg_dump wrapper that answers --version at once and otherwise hangs until it is stopped. */
const HANGING_PG_DUMP = `#!/bin/sh
if [ "$1" = "--version" ]; then exec pg_dump --version; fi
trap 'kill $p 2>/dev/null; exit 143' TERM INT
sleep 600 & p=$!
wait $p
`;

/** A wrapper that just runs pg_dump (a custom backup.command, as teams write them). */
const WRAPPER_PG_DUMP = `#!/bin/sh
exec pg_dump "$@"
`;

describe('CLI: backups that cannot finish, and .pgpass', function () {
  this.timeout(180_000);
  let server: TestServer;

  before(async () => {
    ensurePostgresClient();
    [server] = await startServers(1, { postgres15: true });
  });
  after(async () => server?.stop());

  const env = () => ({ PGPASSWORD: server.password });

  function project(environment: Record<string, unknown>, files: Record<string, string> = {}): string {
    const root = scratchDir('backup-faults-');
    writeFiles(root, {
      'migrations/001_orders.sql': '-- migrate:up\nCREATE TABLE orders (id bigint PRIMARY KEY, note text);\n-- migrate:down\nDROP TABLE orders;\n',
      ...files,
    });
    writeFileSync(join(root, 'tidemark.json'), JSON.stringify({ environments: { live: environment } }));
    return root;
  }

  function script(root: string, name: string, text: string): string {
    const path = join(root, name);
    writeFileSync(path, text);
    chmodSync(path, 0o755);
    return `./${name}`;
  }

  async function rows(database: string, sql: string): Promise<Record<string, unknown>[]> {
    const client = await adminClient(server, database);
    try {
      return (await client.query(sql)).rows;
    } finally {
      await client.end();
    }
  }

  it("a pg_dump queued behind another session's ACCESS EXCLUSIVE lock stops after lockTimeout, naming the table", async () => {
    const database = await freshDatabase(server);
    const root = project({ url: urlOf(server, database), lockTimeout: '2s', backup: true });
    assert.equal((await tidemark(root, ['apply', '--env', 'live', '--to', '001'], env())).code, 0);
    writeFileSync(join(root, 'migrations', '002_note.sql'), '-- migrate:up\nALTER TABLE orders ADD COLUMN IF NOT EXISTS shipped_at timestamptz;\n');
    const holder = await adminClient(server, database);
    try {
      await holder.query('BEGIN');
      await holder.query('LOCK TABLE orders IN ACCESS EXCLUSIVE MODE');
      const started = Date.now();
      const result = await tidemark(root, ['apply', '--env', 'live'], env());
      const seconds = (Date.now() - started) / 1000;
      assert.equal(result.code, 2, result.stderr);
      assert.match(result.stderr, /pg_dump waited 2s \(lockTimeout\) for a lock on .*orders.*which another session holds; nothing was changed/);
      assert.ok(seconds < 60, `apply took ${seconds} s`);
    } finally {
      await holder.query('ROLLBACK');
      await holder.end();
    }
    assert.deepEqual(await rows(database, 'SELECT version FROM tidemark.migrations ORDER BY version'), [{ version: '001' }]);
  });

  it('a pg_dump that never returns stops at backup.timeout', async () => {
    const database = await freshDatabase(server);
    const root = project({});
    const command = script(root, 'hanging-pg-dump.sh', HANGING_PG_DUMP);
    writeFileSync(join(root, 'tidemark.json'), JSON.stringify({ environments: { live: { url: urlOf(server, database), backup: { command, timeout: '2s' } } } }));
    const result = await tidemark(root, ['apply', '--env', 'live'], env());
    assert.equal(result.code, 2, result.stderr);
    assert.match(result.stderr, /pg_dump did not finish within 2s \(backup\.timeout\) and was stopped; nothing was changed/);
    assert.deepEqual(await rows(database, "SELECT nspname FROM pg_namespace WHERE nspname = 'tidemark'"), [], 'a first apply that stopped leaves no history tables');
  });

  it('SIGTERM during the backup of a first apply into an empty database leaves it empty', async () => {
    const database = await freshDatabase(server);
    const root = project({});
    const command = script(root, 'hanging-pg-dump.sh', HANGING_PG_DUMP);
    writeFileSync(join(root, 'tidemark.json'), JSON.stringify({ environments: { live: { url: urlOf(server, database), backup: { command } } } }));
    const child = spawn(process.execPath, [join(repoRoot, 'dist', 'cli.js'), 'apply', '--env', 'live'], { cwd: root, env: { ...process.env, ...env() } });
    let stderr = '';
    const result = await new Promise<CliResult>((resolve) => {
      child.stderr.on('data', (d) => {
        stderr += d;
        if (/backing up live/.test(stderr) && !child.killed) setTimeout(() => child.kill('SIGTERM'), 300);
      });
      child.on('close', (code) => resolve({ code, stdout: '', stderr }));
    });
    assert.equal(result.code, 2, result.stderr);
    assert.match(result.stderr, /the backup was cancelled; nothing was changed/);
    assert.deepEqual(await rows(database, "SELECT nspname FROM pg_namespace WHERE nspname = 'tidemark'"), []);
    assert.deepEqual(await rows(database, "SELECT relname FROM pg_class WHERE relname = 'orders'"), []);
  });

  it('with a custom backup.command, the restore command names a pg_restore that exists', async () => {
    const database = await freshDatabase(server);
    const root = project({});
    const command = script(root, 'dump-wrapper.sh', WRAPPER_PG_DUMP);
    writeFileSync(join(root, 'tidemark.json'), JSON.stringify({ environments: { live: { url: urlOf(server, database), backup: { command } } } }));
    const result = await tidemark(root, ['apply', '--env', 'live', '--format', 'json'], env());
    assert.equal(result.code, 0, result.stderr);
    const restore = (JSON.parse(result.stdout) as { backup: { restoreCommand: string } }).backup.restoreCommand;
    const program = restore.split(' ')[0];
    assert.doesNotMatch(program, /dump-wrapper/);
    const resolved = program.includes('/')
      ? program
      : (process.env.PATH ?? '')
          .split(':')
          .map((d) => join(d, program))
          .find(existsSync);
    assert.ok(resolved && existsSync(resolved), `the printed restore command names ${program}, which does not exist`);
  });

  it('PGPASSWORD="" does not disable ~/.pgpass', async () => {
    const database = await freshDatabase(server);
    const root = project({ url: urlOf(server, database) });
    const home = scratchDir('home-');
    mkdirSync(home, { recursive: true });
    writeFileSync(join(home, '.pgpass'), `${server.host}:${server.port}:*:${server.user}:${server.password}\n`, { mode: 0o600 });
    const result = await tidemark(root, ['status', '--env', 'live'], { PGPASSWORD: '', HOME: home });
    assert.equal(result.code, 0, result.stderr);
    assert.match(result.stdout, /001/);
    assert.doesNotMatch(result.stdout + result.stderr, new RegExp(server.password));
  });

  it('mark pending of an applied migration warns that its objects still exist and points at rollback', async () => {
    const database = await freshDatabase(server);
    const root = project({ url: urlOf(server, database) });
    assert.equal((await tidemark(root, ['apply', '--env', 'live'], env())).code, 0);
    const result = await tidemark(root, ['mark', 'pending', '001', '--env', 'live'], env());
    assert.equal(result.code, 0, result.stderr);
    assert.match(result.stderr, /tidemark: warning: 001 orders created objects that still exist in live: table orders\b.*tidemark rollback --env live/);
    // Nothing to warn about once the objects are gone.
    await rows(database, 'DROP TABLE orders');
    assert.equal((await tidemark(root, ['mark', 'applied', '001', '--env', 'live'], env())).code, 0);
    const again = await tidemark(root, ['mark', 'pending', '001', '--env', 'live'], env());
    assert.doesNotMatch(again.stderr, /warning/);
  });
});
