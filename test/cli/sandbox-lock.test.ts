/**
 * The sandbox lock when its holder is killed with -9 while a dozen `tidemark apply` processes wait
 * on the same PGlite sandbox: several waiters find the stale lock at once, and exactly one may
 * take it over and apply. Run a few rounds, since a race shows only sometimes.
 */
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { seedSandbox } from '../support/databases';
import { repoRoot } from '../support/paths';
import { tempWorkspace } from '../support/lsp-client';

const ROUNDS = 3;
const WAITERS = 12;

function startCli(
  cwd: string,
  args: string[],
  extraEnv: Record<string, string> = {},
): { child: ChildProcess; done: Promise<{ code: number | null; stdout: string; stderr: string }> } {
  const child = spawn(process.execPath, [join(repoRoot, 'dist', 'cli.js'), ...args], { cwd, env: { ...process.env, PGPASSWORD: '', ...extraEnv } });
  let stdout = '';
  let stderr = '';
  child.stdout!.on('data', (d) => (stdout += d));
  child.stderr!.on('data', (d) => (stderr += d));
  const done = new Promise<{ code: number | null; stdout: string; stderr: string }>((resolve) => child.on('close', (code) => resolve({ code, stdout, stderr })));
  return { child, done };
}

async function until(check: () => boolean, what: string, ms = 30_000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 25));
  }
}

describe('tidemark apply: a stale sandbox lock is taken over by one waiter only', function () {
  this.timeout(180_000);

  // Without the pause the race is real but rare; with it, every waiter judges the lock stale
  // before any of them acts, which is what made two of them apply before take-overs were atomic.
  for (const pauseMs of [0, 400]) {
    const rounds = pauseMs ? 2 : ROUNDS;
    const waiterEnv: Record<string, string> = pauseMs ? { TIDEMARK_FAULT_STALE_LOCK_PAUSE_MS: String(pauseMs) } : {};
    it(`holder killed with -9, ${WAITERS} appliers waiting: one applies, ${rounds} rounds${pauseMs ? `, ${pauseMs} ms between judging the lock stale and taking it` : ''}`, async () => {
      for (let round = 1; round <= rounds; round++) {
        const root = tempWorkspace({ 'migrations/001_slow.sql': 'CREATE TABLE applied_once (id int);\nSELECT pg_sleep(2);\n' });
        writeFileSync(join(root, 'tidemark.json'), JSON.stringify({ lockWaitTimeout: '6s', environments: { sandbox: { sandbox: true, path: '.tidemark/sandbox' } } }));
        await seedSandbox(join(root, '.tidemark', 'sandbox'));
        const lock = join(root, '.tidemark', 'sandbox.lock');
        const holder = startCli(root, ['apply', '--format', 'json']);
        await until(() => existsSync(lock) && readFileSync(lock, 'utf8').includes(String(holder.child.pid)), 'the holder to take the lock');
        const waiters = Array.from({ length: WAITERS }, () => startCli(root, ['apply', '--format', 'json'], waiterEnv));
        // Let every waiter start and find the lock taken before its holder dies.
        await new Promise((r) => setTimeout(r, 1500));
        holder.child.kill('SIGKILL');
        await holder.done;
        const results = await Promise.all(waiters.map((w) => w.done));
        const appliers = results.filter(
          (r) => r.code === 0 && JSON.parse(r.stdout).steps.some((s: { action: string; outcome: string }) => s.action === 'apply' && s.outcome === 'ok'),
        );
        const others = results.filter((r) => !appliers.includes(r));
        for (const r of others) {
          // The rest either found nothing left to apply or gave up waiting while the applier held the lock.
          const fine =
            (r.code === 0 && /Nothing to apply to sandbox/.test(JSON.parse(r.stdout).summary)) || (r.code === 2 && /the sandbox database is in use by process \d+/.test(r.stderr));
          assert.ok(fine, `round ${round}: ${r.code} ${r.stdout} ${r.stderr}`);
        }
        assert.equal(appliers.length, 1, `round ${round}: ${appliers.length} processes applied`);
      }
    });
  }
});
