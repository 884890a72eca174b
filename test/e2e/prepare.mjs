// Shared by run.mjs (code-server) and run-electron.mjs (@vscode/test-electron): the test-only
// extension's build, fresh workspace copies, and the lint finding the editor must show.
import { spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, readdirSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import * as esbuild from 'esbuild';

export const repo = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');
export const e2e = join(repo, 'test', 'e2e');
export const work = join(e2e, '.work');

/** Type-checks and bundles test/e2e/extension-host into `target` (package.json + dist/). */
export async function buildTestExtension(target) {
  const tsc = spawnSync(process.execPath, [join(repo, 'node_modules', 'typescript', 'bin', 'tsc'), '-p', join(e2e, 'extension-host', 'tsconfig.json')], { encoding: 'utf8' });
  if (tsc.status !== 0) throw new Error(`the test extension does not type-check:\n${tsc.stdout}${tsc.stderr}`);
  rmSync(target, { recursive: true, force: true });
  mkdirSync(target, { recursive: true });
  cpSync(join(e2e, 'extension-host', 'package.json'), join(target, 'package.json'));
  await esbuild.build({
    entryPoints: ['index', 'electron', 'flows.test'].map((f) => join(e2e, 'extension-host', 'src', `${f}.ts`)),
    outdir: join(target, 'dist'),
    bundle: true,
    platform: 'node',
    format: 'cjs',
    target: 'node20',
    // mocha comes from the repository at run time (TIDEMARK_E2E_REPO); vscode from the host.
    external: ['vscode', 'mocha'],
    logLevel: 'warning',
  });
  return target;
}

/** migrations-sample once it holds a project; until then the fixture standing in for it. */
export function sampleSource() {
  const sample = join(repo, 'migrations-sample');
  const hasProject =
    existsSync(join(sample, 'tidemark.json')) || (existsSync(join(sample, 'migrations')) && readdirSync(join(sample, 'migrations')).some((f) => f.endsWith('.sql')));
  return hasProject ? sample : join(e2e, 'fixture-workspace');
}

/** A copy of `source` under .work without the sandbox database or any other local state. */
export function freshWorkspace(source, name) {
  const target = join(work, name);
  rmSync(target, { recursive: true, force: true });
  mkdirSync(work, { recursive: true });
  cpSync(source, target, { recursive: true, filter: (src) => !/[\\/](\.tidemark|node_modules|\.vscode)$/.test(src) });
  return target;
}

/**
 * A lint finding the editor must show: `tidemark lint` of the workspace's migrations, else of its
 * flagged/ examples (the sample keeps its migrations clean): {file, rule, line}, or {}.
 */
export function firstFinding(workspace) {
  const attempts = [
    [],
    ...(existsSync(join(workspace, 'flagged', 'ban-drop-column.sql')) ? [['flagged/ban-drop-column.sql']] : []),
    ...(existsSync(join(workspace, 'flagged')) ? [['flagged']] : []),
  ];
  for (const paths of attempts) {
    const lint = spawnSync(process.execPath, [join(repo, 'dist', 'cli.js'), 'lint', '--cwd', workspace, '--format', 'json', ...paths], { encoding: 'utf8' });
    try {
      const findings = JSON.parse(lint.stdout);
      const finding = findings.find((f) => f.rule !== 'syntax-error') ?? findings[0];
      if (finding) return { file: finding.file, rule: finding.rule, line: finding.line };
    } catch {
      // Output that is not JSON: no finding to show; the flows test then fails saying so.
    }
  }
  return {};
}

/**
 * The migrations `tidemark status` lists for the sandbox on a throwaway copy of the workspace:
 * what the tree must show. {environment, versions: ["001 name", ...]}
 */
export function expectedSandbox(source) {
  const probe = freshWorkspace(source, 'workspace-probe');
  const status = spawnSync(process.execPath, [join(repo, 'dist', 'cli.js'), 'status', '--cwd', probe, '--env', 'sandbox', '--format', 'json'], { encoding: 'utf8' });
  rmSync(probe, { recursive: true, force: true });
  if (status.status !== 0) throw new Error(`tidemark status --env sandbox failed: ${status.stderr || status.stdout}`);
  const parsed = JSON.parse(status.stdout);
  const env = Array.isArray(parsed) ? parsed[0] : parsed;
  return { environment: env.environment, labels: env.migrations.map((m) => `${m.version} ${m.name}`) };
}

/** A TCP port nothing listens on right now (for code-server and the PostgreSQL server). */
export function freePort() {
  return new Promise((res, rej) => {
    const server = createServer();
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address();
      server.close(() => res(port));
    });
    server.on('error', rej);
  });
}
