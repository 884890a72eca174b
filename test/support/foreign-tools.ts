/**
 * Other migration tools from the npm registry that a test runs against the same database after
 * Tidemark (compatibility mode must leave a state the tool agrees with). They are not dependencies
 * of the project: each is installed once, at the pinned version, into its own folder under the
 * system's temp directory, so a clean clone (CI) gets it on the first run.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** The path of `bin` from `spec` (`node-pg-migrate@9.0.0`) with its peers installed beside it. */
export function npmTool(spec: string, bin: string, peers: string[] = []): string {
  const dir = join(tmpdir(), 'tidemark-foreign-tools', [spec, ...peers].join('+').replace(/[/@]/g, '_'));
  const path = join(dir, 'node_modules', '.bin', bin);
  if (existsSync(path)) return path;
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, 'package.json'), '{"private": true}\n');
  const r = spawnSync('npm', ['install', '--no-audit', '--no-fund', '--no-save', spec, ...peers], { cwd: dir, encoding: 'utf8', timeout: 300_000 });
  if (r.status !== 0 || !existsSync(path)) throw new Error(`could not install ${spec} for the test: ${r.stderr || r.stdout}`);
  return path;
}
