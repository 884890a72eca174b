/**
 * Other migration tools that a test runs against the same database after Tidemark (compatibility
 * mode must leave a state the tool agrees with). The npm ones are devDependencies of the project,
 * so a clean clone (CI) has them after `npm ci`; nothing is downloaded at test time.
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { repoRoot } from './paths';

/** The path of `bin` in the project's node_modules/.bin; a clear error when `npm ci` has not installed `pkg`. */
export function projectTool(pkg: string, bin = pkg): string {
  const path = join(repoRoot, 'node_modules', '.bin', bin);
  if (!existsSync(path)) throw new Error(`${pkg} is not installed at ${path}: it is a devDependency of the project; run npm ci`);
  return path;
}
