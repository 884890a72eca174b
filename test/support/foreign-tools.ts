/**
 * Other migration tools that a test runs against the same database after Tidemark (compatibility
 * mode must leave a state the tool agrees with). The npm ones are devDependencies of the project,
 * so a clean clone (CI) has them after `npm ci`; nothing is downloaded at test time.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { repoRoot } from './paths';

/** The path of `bin` in the project's node_modules/.bin; a clear error when `npm ci` has not installed `pkg`. */
export function projectTool(pkg: string, bin = pkg): string {
  const path = join(repoRoot, 'node_modules', '.bin', bin);
  if (!existsSync(path)) throw new Error(`${pkg} is not installed at ${path}: it is a devDependency of the project; run npm ci`);
  return path;
}

/**
 * The path of `bin` (relative to node_modules) from `spec` installed once into its own folder under the system's temp
 * directory: for a tool too large to be a devDependency (Liquibase's npm distribution carries its
 * JDBC drivers, about 130 MB), so that a clean machine installs it on the first run.
 */
export function npmTool(spec: string, bin: string): string {
  const dir = join(tmpdir(), 'tidemark-foreign-tools', spec.replace(/[/@]/g, '_'));
  const path = join(dir, 'node_modules', bin);
  if (existsSync(path)) return path;
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, 'package.json'), '{"private": true}\n');
  const r = spawnSync('npm', ['install', '--no-audit', '--no-fund', '--no-save', spec], { cwd: dir, encoding: 'utf8', timeout: 600_000 });
  if (r.status !== 0 || !existsSync(path)) throw new Error(`could not install ${spec} for the test: ${r.stderr || r.stdout}`);
  return path;
}

/** A Java runtime for tools that need one (Liquibase): Debian's, installed with apt-get when missing. */
export function ensureJava(): void {
  if (spawnSync('java', ['-version']).status === 0) return;
  const apt = (args: string[]) => spawnSync('apt-get', args, { encoding: 'utf8', env: { ...process.env, DEBIAN_FRONTEND: 'noninteractive' } });
  let r = apt(['install', '-y', '--no-install-recommends', 'default-jre-headless']);
  if (r.status !== 0) {
    apt(['update']);
    r = apt(['install', '-y', '--no-install-recommends', 'default-jre-headless']);
  }
  if (spawnSync('java', ['-version']).status !== 0) throw new Error(`java is not installed and apt-get could not install default-jre-headless: ${(r.stderr || '').slice(-500)}`);
}
