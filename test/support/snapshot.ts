/**
 * Reviewed snapshot files: the test renders what a user would see, and the file in the repository
 * holds what a reviewer accepted. They must be equal, byte for byte. A missing or different file
 * fails the test; only `UPDATE_SNAPSHOTS=1` writes snapshots, so a change of wording or range
 * reaches the repository as a diff somebody reviewed, never as a silent write (in CI or anywhere).
 */
import { AssertionError } from 'node:assert';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, relative } from 'node:path';
import { repoRoot } from './paths';

/** Set to 1 to write the snapshots the tests render (then review `git diff` and commit them). */
export const updatingSnapshots = process.env.UPDATE_SNAPSHOTS === '1';

export function matchSnapshot(path: string, actual: string): void {
  const shown = relative(repoRoot, path);
  if (updatingSnapshots) {
    if (!existsSync(path) || readFileSync(path, 'utf8') !== actual) {
      mkdirSync(dirname(path), { recursive: true });
      writeFileSync(path, actual);
    }
    return;
  }
  if (!existsSync(path)) {
    throw new Error(`${shown} does not exist. Render it with UPDATE_SNAPSHOTS=1 (see CONTRIBUTING.md), review it, and commit it.`);
  }
  const expected = readFileSync(path, 'utf8');
  if (actual !== expected) {
    throw new AssertionError({
      message: `${shown} differs from what the code renders now. If the change is intended, run the test with UPDATE_SNAPSHOTS=1 and review the diff before committing.`,
      actual,
      expected,
      operator: 'strictEqual',
    });
  }
}
