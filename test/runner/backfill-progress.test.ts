/**
 * `tidemark apply` shows a migration's NOTICEs as they arrive: the generated backfill's progress
 * (rows done of the rows to copy, per batch) on a real server and on the embedded sandbox, and a
 * notice raised before a long statement ends reaches the terminal before it ends.
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { tidemark } from '../support/cli';
import { adminClient, freshDatabase, startServers, urlOf, writeFiles, type TestServer } from '../support/databases';
import { repoRoot } from '../support/paths';
import { scratchDir } from '../support/test-cleanup';
import { usersSchema, USERS_DOWN } from '../support/live-change';

interface TimedLine {
  at: number;
  line: string;
}

/** Runs the CLI, noting when each stderr line arrived; the time it exited. */
function timedRun(cwd: string, args: string[], env: NodeJS.ProcessEnv): Promise<{ code: number | null; lines: TimedLine[]; exitedAt: number; output: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [join(repoRoot, 'dist', 'cli.js'), ...args], { cwd, env: { ...process.env, ...env } });
    const lines: TimedLine[] = [];
    let output = '';
    let pending = '';
    child.stdout.on('data', (d) => (output += d));
    child.stderr.on('data', (d: Buffer) => {
      pending += d.toString();
      const parts = pending.split('\n');
      pending = parts.pop()!;
      for (const line of parts) lines.push({ at: performance.now(), line });
    });
    child.on('close', (code) => resolve({ code, lines, exitedAt: performance.now(), output }));
  });
}

/** The backfill's progress lines of `text`, in order. */
function progressLines(text: string): string[] {
  return text.split('\n').filter((l) => /backfill users\.email_address/.test(l));
}

async function renameProject(dir: string, config: object | undefined, env: NodeJS.ProcessEnv): Promise<void> {
  writeFiles(dir, {
    ...(config ? { 'tidemark.json': JSON.stringify(config) } : {}),
    'migrations/001_base.sql': `-- migrate:up\n${usersSchema(1200)}-- migrate:down\n${USERS_DOWN}`,
  });
  const created = await tidemark(dir, ['new', '--expand-contract', 'rename-column', 'users', 'email', 'email_address', '--batch-size', '500'], env);
  assert.equal(created.code, 0, created.stderr);
}

const EXPECTED = [
  '003: backfill users.email_address: 0 of 1200 rows to copy',
  '003: backfill users.email_address: 500 of 1200 rows (41%), batch 1, up to id 500',
  '003: backfill users.email_address: 1000 of 1200 rows (83%), batch 2, up to id 1000',
  '003: backfill users.email_address: 1200 of 1200 rows (100%), batch 3, up to id 1200',
  '003: backfill users.email_address done: 1200 rows copied in 3 batches',
];

describe('apply shows the backfill progress (NOTICEs) as it arrives', function () {
  this.timeout(180_000);

  describe('on a real server', () => {
    let server: TestServer;
    before(async () => {
      [server] = await startServers(1);
    });
    after(async () => {
      await server?.stop();
    });

    it("prints each batch's rows done of the total", async () => {
      const dir = scratchDir('progress-server-');
      const env = { PGPASSWORD: server.password };
      await renameProject(dir, { environments: { local: { url: urlOf(server, await freshDatabase(server)) } }, expandContract: { soak: { backfill: false } } }, env);
      const run = await tidemark(dir, ['apply', '--env', 'local', '--to', '003'], env);
      assert.equal(run.code, 0, run.stdout + run.stderr);
      assert.deepEqual(progressLines(run.stderr), EXPECTED);
    });

    it('each batch commits on its own: a batch that fails keeps the batches before it', async () => {
      const dir = scratchDir('progress-commit-');
      const env = { PGPASSWORD: server.password };
      const database = await freshDatabase(server);
      await renameProject(dir, { environments: { local: { url: urlOf(server, database) } }, expandContract: { soak: { backfill: false } } }, env);
      const expand = await tidemark(dir, ['apply', '--env', 'local', '--to', '002'], env);
      assert.equal(expand.code, 0, expand.stdout + expand.stderr);
      // Rows past id 1000 refuse the copy: the third batch fails.
      const client = await adminClient(server, database);
      try {
        await client.query('ALTER TABLE users ADD CONSTRAINT late_rows_refuse_copy CHECK (id <= 1000 OR email_address IS NULL)');
        const run = await tidemark(dir, ['apply', '--env', 'local', '--to', '003'], env);
        assert.equal(run.code, 1, run.stdout + run.stderr);
        assert.match(run.stdout + run.stderr, /late_rows_refuse_copy/);
        const copied = await client.query('SELECT count(*)::int AS n FROM users WHERE email_address = email');
        assert.equal(copied.rows[0].n, 1000, 'the two batches before the failing one stay committed');
      } finally {
        await client.end();
      }
    });

    it('a notice raised before a long statement ends is shown before it ends', async () => {
      const dir = scratchDir('progress-stream-');
      writeFiles(dir, {
        'tidemark.json': JSON.stringify({ environments: { local: { url: urlOf(server, await freshDatabase(server)) } } }),
        'migrations/001_slow.sql': [
          '-- migrate:up',
          "DO $$ BEGIN RAISE NOTICE 'first half done'; PERFORM pg_sleep(1.5); RAISE NOTICE 'second half done'; END $$;",
          '-- migrate:down',
          'SELECT 1;',
          '',
        ].join('\n'),
      });
      const run = await timedRun(dir, ['apply', '--env', 'local'], { PGPASSWORD: server.password });
      assert.equal(run.code, 0, run.lines.map((l) => l.line).join('\n'));
      const first = run.lines.find((l) => l.line === '001: first half done');
      const second = run.lines.find((l) => l.line === '001: second half done');
      assert.ok(first && second, run.lines.map((l) => l.line).join('\n'));
      assert.ok(second.at - first.at > 1000, `the first notice came ${Math.round(second.at - first.at)} ms before the second`);
    });
  });

  it('on the sandbox (PGlite): the same progress lines', async () => {
    const dir = scratchDir('progress-sandbox-');
    await renameProject(dir, { expandContract: { soak: { backfill: false } } }, {});
    const run = await tidemark(dir, ['apply', '--to', '003'], {});
    assert.equal(run.code, 0, run.stdout + run.stderr);
    assert.deepEqual(progressLines(run.stderr), EXPECTED);
  });
});
