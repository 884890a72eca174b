// npm run bench:lint — Tidemark's linter against squawk's, side by side on one generated
// 5,000-statement migration (mixed DDL):
//   (1) `tidemark lint --format json` vs `squawk --reporter json` (cold processes, wall time)
//   (2) language server: didOpen → publishDiagnostics, ours vs `squawk server`
//   (3) our server re-diagnosing a 1,000-statement file after one keystroke-sized edit
// and against pgfence (@flvmnt/pgfence, the same stack: TypeScript on libpg-query):
//   (4) cold CLI on 500 / 5,000 / 20,000 statements, `pgfence analyze --output json`, with squawk
//       beside it; peak memory (RSS) of every process
//   (5) `tidemark lint --cache` re-running an unchanged 200-file project vs squawk on the same files
//   (6) whole repositories: generated golang-migrate folders of 100 / 400 / 1,600 migrations (1-5
//       statements each, a down file each), cold `tidemark lint --format json` at the root vs squawk
//       and pgfence on the same up files; the growth 400 → 1,600; `lint FILE` of the last migration
//       of the 1,600 folder vs the same file alone in an empty folder; and the Node floors. Each
//       folder is also linted on one thread and on two (TIDEMARK_LINT_THREADS), which must print
//       the same; the default uses a second thread only when the load leaves a core idle.
// BENCH_ONLY=repo runs (6) alone; BENCH_ONLY=edit runs (3) alone.
// Build first (npm run build); the script does it when dist/ is missing.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { loadavg } from 'node:os';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { writeGolangMigrateFolder } from './generated-project.mjs';
import { startServer } from './lsp-driver.mjs';

const require = createRequire(import.meta.url);
const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const RUNS = Number(process.env.BENCH_RUNS ?? 5);
// (2) and (3) time one open file: the other migrations of the folder are not linted meanwhile.
const OPEN_FILE_ONLY = { initializationOptions: { lintDelayMs: 0 }, settings: { 'tidemark.lint.scope': 'openFiles' } };
// Our server started as the editor starts it (client/src/extension.ts), with its Node flags.
// BENCH_SERVER_FLAGS replaces those flags (e.g. to add --cpu-prof).
const serverFlags =
  process.env.BENCH_SERVER_FLAGS !== undefined
    ? process.env.BENCH_SERVER_FLAGS.split(' ').filter(Boolean)
    : require(join(root, 'out', 'server', 'src', 'protocol.js')).SERVER_NODE_FLAGS;
const ourServerArgs = [...serverFlags, join(root, 'dist', 'server.js'), '--stdio'];

function squawkBinary() {
  const candidates = [join(root, 'node_modules', '.bin', 'squawk')];
  try {
    candidates.push(join(dirname(require.resolve('@squawk-cli/linux-x64/package.json')), 'bin', 'squawk'));
  } catch {
    // Other platforms: only node_modules/.bin/squawk.
  }
  const found = candidates.find((c) => existsSync(c));
  if (!found) throw new Error(`squawk binary not found (looked at ${candidates.join(', ')}); run npm ci`);
  return found;
}

/** Mixed migration DDL, the kinds of statements runbooks hold, each referring to its own objects. */
function statement(i) {
  const t = `tenant_table_${Math.floor(i / 10)}`;
  switch (i % 12) {
    case 0:
      return `CREATE TABLE IF NOT EXISTS ${t} (\n  id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,\n  tenant_id uuid NOT NULL,\n  name text NOT NULL,\n  created_at timestamptz NOT NULL DEFAULT now()\n);`;
    case 1:
      return `ALTER TABLE ${t} ADD COLUMN IF NOT EXISTS status_${i} text;`;
    case 2:
      return `CREATE INDEX CONCURRENTLY IF NOT EXISTS ${t}_tenant_${i} ON ${t} (tenant_id);`;
    case 3:
      return `ALTER TABLE ${t} ALTER COLUMN name TYPE varchar(200);`;
    case 4:
      return `ALTER TABLE orders_${i} ADD CONSTRAINT orders_${i}_fk FOREIGN KEY (tenant_id) REFERENCES tenants (id);`;
    case 5:
      return `UPDATE accounts_${i} SET plan = 'free' WHERE plan IS NULL;`;
    case 6:
      return `ALTER TABLE ${t} ENABLE ROW LEVEL SECURITY;`;
    case 7:
      return `CREATE POLICY ${t}_isolation_${i} ON ${t} USING (tenant_id = current_setting('app.tenant_id', true)::uuid);`;
    case 8:
      return `ALTER TABLE users_${i} DROP COLUMN legacy_${i};`;
    case 9:
      return `CREATE OR REPLACE FUNCTION touch_${i}() RETURNS trigger LANGUAGE plpgsql AS $$\nBEGIN\n  NEW.updated_at := now();\n  RETURN NEW;\nEND;\n$$;`;
    case 10:
      return `DO $$\nBEGIN\n  IF NOT EXISTS (SELECT 1 FROM pg_type WHERE typname = 'state_${i}') THEN\n    CREATE TYPE state_${i} AS ENUM ('on', 'off');\n  END IF;\nEND\n$$;`;
    default:
      return `ALTER TABLE ${t} ALTER COLUMN name SET NOT NULL;`;
  }
}

function migration(count) {
  return Array.from({ length: count }, (_, i) => statement(i)).join('\n\n') + '\n';
}

/**
 * CPU time (user + system, ms) from /proc on Linux: of a running process, or with `children` of
 * this process's waited-for children. The machine may be shared; CPU time is what each side
 * costs, wall time what a user waits. Undefined elsewhere.
 */
function cpuMs(pid, children = false) {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    // utime, stime, cutime, cstime are fields 14-17 of stat; the slice above starts at field 3.
    const [utime, stime, cutime, cstime] = fields.slice(11, 15).map(Number);
    return ((children ? cutime + cstime : utime + stime) * 1000) / 100;
  } catch {
    return undefined;
  }
}

const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const ms = (x) => `${x.toFixed(x < 10 ? 1 : 0)} ms`;

// GNU time reports a child's peak RSS (getrusage's ru_maxrss), which Node does not expose for children.
const GNU_TIME = existsSync('/usr/bin/time') ? '/usr/bin/time' : undefined;

function timeProcess(command, args, options, runs = RUNS) {
  const times = [];
  const cpu = [];
  const rss = [];
  const rssFile = join(tmpdir(), `tidemark-bench-rss-${process.pid}`);
  let last;
  for (let i = 0; i < runs; i++) {
    const cpuBefore = cpuMs('self', true);
    const start = performance.now();
    last = GNU_TIME
      ? spawnSync(GNU_TIME, ['-q', '-o', rssFile, '-f', '%M', command, ...args], { encoding: 'utf8', maxBuffer: 1 << 30, ...options })
      : spawnSync(command, args, { encoding: 'utf8', maxBuffer: 1 << 30, ...options });
    times.push(performance.now() - start);
    if (cpuBefore !== undefined) cpu.push(cpuMs('self', true) - cpuBefore);
    if (last.error) throw last.error;
    if (GNU_TIME) {
      const kb = Number(readFileSync(rssFile, 'utf8').trim().split('\n').pop());
      if (kb) rss.push(kb / 1024);
    }
  }
  if (GNU_TIME) rmSync(rssFile, { force: true });
  return { time: median(times), cpu: cpu.length ? median(cpu) : undefined, rss: rss.length ? median(rss) : undefined, result: last };
}

function pgfenceCli() {
  try {
    return join(dirname(require.resolve('@flvmnt/pgfence/package.json')), 'dist', 'index.js');
  } catch {
    throw new Error('pgfence not found (@flvmnt/pgfence is a devDependency); run npm ci');
  }
}

/** How many findings a peer printed as JSON: squawk's array, pgfence's results[].checks. */
function peerFindings(stdout) {
  try {
    const parsed = JSON.parse(stdout);
    if (Array.isArray(parsed)) return parsed.length;
    if (Array.isArray(parsed.results)) return parsed.results.reduce((n, r) => n + (r.checks?.length ?? 0) + (r.policyViolations?.length ?? 0), 0);
    return '?';
  } catch {
    return '?';
  }
}

/**
 * (4) and (5): cold CLIs against pgfence and squawk, one row per size, the three tools run in turn
 * within each repetition so that the shared machine's load falls on all of them alike.
 */
async function peerRows(dir, squawk) {
  const pgfence = pgfenceCli();
  const tidemarkCli = join(root, 'dist', 'cli.js');
  const rows = [];
  for (const count of [500, 5000, 20000]) {
    const file = join(dir, `sizes-${count}.sql`);
    writeFileSync(file, migration(count));
    const runs = { ours: [], pgfence: [], squawk: [] };
    for (let i = 0; i < RUNS; i++) {
      runs.ours.push(timeProcess(process.execPath, [tidemarkCli, 'lint', '--format', 'json', file], { cwd: dir }, 1));
      runs.pgfence.push(timeProcess(process.execPath, [pgfence, 'analyze', '--output', 'json', file], { cwd: dir }, 1));
      runs.squawk.push(timeProcess(squawk, ['--reporter', 'json', file], { cwd: dir }, 1));
    }
    const m = (list, field) => (list.some((r) => r[field] === undefined) ? undefined : median(list.map((r) => r[field])));
    const [ours, theirs, sq] = [runs.ours, runs.pgfence, runs.squawk].map((list) => ({
      time: m(list, 'time'),
      cpu: m(list, 'cpu'),
      rss: m(list, 'rss'),
      stdout: list.at(-1).result.stdout,
    }));
    const label = `(4) CLI cold vs pgfence, ${count.toLocaleString('en')} stmts`;
    rows.push([
      label,
      'wall',
      ms(ours.time),
      ms(theirs.time),
      ratio(ours.time, theirs.time),
      '≤ 0.8×',
      `squawk ${ms(sq.time)} (${ratio(ours.time, sq.time)}); ${JSON.parse(ours.stdout).length} vs ${peerFindings(theirs.stdout)} findings`,
    ]);
    rows.push(['', 'CPU', cpuText(ours.cpu), cpuText(theirs.cpu), ratio(ours.cpu, theirs.cpu), '', `squawk ${cpuText(sq.cpu)}`]);
    rows.push(['', 'peak RSS', mb(ours.rss), mb(theirs.rss), ratio(ours.rss, theirs.rss), '', `squawk ${mb(sq.rss)}`]);
  }
  rows.push(['(4) LSP didOpen → diagnostics vs pgfence', 'wall', '-', '-', '-', '≤ 0.5×', 'pgfence 0.1.5 ships no language server (commands: analyze, init)']);

  // (5) A 200-file project linted once with --cache, then re-run unchanged.
  const project = join(dir, 'cached-project');
  mkdirSync(join(project, 'migrations'), { recursive: true });
  const files = [];
  for (let f = 0; f < 200; f++) {
    const path = join(project, 'migrations', `${String(f + 1).padStart(4, '0')}_step.sql`);
    writeFileSync(path, Array.from({ length: 25 }, (_, i) => statement(f * 25 + i)).join('\n\n') + '\n');
    files.push(path);
  }
  const cachedArgs = [tidemarkCli, 'lint', '--cache', '--format', 'json'];
  const filled = spawnSync(process.execPath, cachedArgs, { cwd: project, encoding: 'utf8', maxBuffer: 1 << 30 });
  // A re-run is answered from its run record only once the files it read are older than the
  // record's racy window (lint-cache/run-record.ts, 2 s): wait that long, as after any edit, and
  // let one re-run write the record. The per-file path (a re-run within 2 s of an edit, or with no
  // record) is timed too, with the records removed before each run.
  await new Promise((resolve) => setTimeout(resolve, 2100));
  spawnSync(process.execPath, cachedArgs, { cwd: project, encoding: 'utf8', maxBuffer: 1 << 30 });
  const records = join(project, '.tidemark', 'cache', 'runs');
  if (!existsSync(records)) throw new Error(`bench: the --cache re-run wrote no run record in ${records}`);
  const rerun = { ours: [], squawk: [], perFile: [] };
  for (let i = 0; i < RUNS; i++) {
    rerun.ours.push(timeProcess(process.execPath, cachedArgs, { cwd: project }, 1));
    rerun.squawk.push(timeProcess(squawk, ['--reporter', 'json', ...files], { cwd: project }, 1));
  }
  for (let i = 0; i < RUNS; i++) {
    rmSync(records, { recursive: true, force: true });
    rerun.perFile.push(timeProcess(process.execPath, cachedArgs, { cwd: project }, 1));
  }
  const cold = timeProcess(process.execPath, [tidemarkCli, 'lint', '--format', 'json'], { cwd: project }, 1);
  const same = [...rerun.ours, ...rerun.perFile].every((r) => r.result.stdout === filled.stdout) ? 'same output as the filling run' : 'OUTPUT DIFFERS from the filling run';
  const oursTime = median(rerun.ours.map((r) => r.time));
  const squawkTime = median(rerun.squawk.map((r) => r.time));
  const perFileTime = median(rerun.perFile.map((r) => r.time));
  rows.push([
    '(5) lint --cache re-run, 200 unchanged files',
    'wall',
    ms(oursTime),
    ms(squawkTime),
    ratio(oursTime, squawkTime),
    '≤ 1.2×',
    `vs squawk; ${same}; from the per-file cache (no run record) ${ms(perFileTime)}; without --cache ${ms(cold.time)}`,
  ]);
  rows.push(['', 'peak RSS', mb(median(rerun.ours.map((r) => r.rss ?? 0))), mb(median(rerun.squawk.map((r) => r.rss ?? 0))), '', '', '']);
  return rows;
}

/**
 * (6) Whole repositories: what a real project pays is the cost per migration file, so the folders
 * hold many small migrations. The three tools run in turn within each repetition.
 */
function repositoryRows(dir, squawk) {
  const pgfence = pgfenceCli();
  const tidemarkCli = join(root, 'dist', 'cli.js');
  const runs = Math.min(RUNS, 3);
  const rows = [];
  const ours = new Map();
  const squawkTimes = new Map();
  const m = (list, field) => (list.some((r) => r[field] === undefined) ? undefined : median(list.map((r) => r[field])));
  let lastFile;
  for (const count of [100, 400, 1600]) {
    const project = join(dir, `repository-${count}`);
    const ups = writeGolangMigrateFolder(join(project, 'migrations'), count);
    if (count === 1600) lastFile = ups.at(-1);
    const list = { ours: [], squawk: [], pgfence: [], oneThread: [], twoThreads: [] };
    // The default run, and the run on one thread and on two whatever the load (cli/lint-threads.ts).
    const withThreads = (threads) => ({ cwd: project, env: { ...process.env, TIDEMARK_LINT_THREADS: String(threads) } });
    for (let i = 0; i < runs; i++) {
      list.ours.push(timeProcess(process.execPath, [tidemarkCli, 'lint', '--format', 'json'], { cwd: project }, 1));
      list.oneThread.push(timeProcess(process.execPath, [tidemarkCli, 'lint', '--format', 'json'], withThreads(1), 1));
      list.twoThreads.push(timeProcess(process.execPath, [tidemarkCli, 'lint', '--format', 'json'], withThreads(2), 1));
      list.squawk.push(timeProcess(squawk, ['--reporter', 'json', ...ups], { cwd: project }, 1));
      list.pgfence.push(timeProcess(process.execPath, [pgfence, 'analyze', '--output', 'json', ...ups], { cwd: project }, 1));
    }
    const [o, sq, pf] = [list.ours, list.squawk, list.pgfence].map((l) => ({ time: m(l, 'time'), cpu: m(l, 'cpu'), rss: m(l, 'rss'), stdout: l.at(-1).result.stdout }));
    ours.set(count, o);
    squawkTimes.set(count, sq.time);
    const label = `(6) repository, ${count.toLocaleString('en')} migrations`;
    const findings = `${JSON.parse(o.stdout).length} vs ${peerFindings(sq.stdout)} vs ${peerFindings(pf.stdout)} findings (ours: up and down files)`;
    rows.push([label, 'wall', ms(o.time), ms(sq.time), ratio(o.time, sq.time), '≤ 2×', `pgfence ${ms(pf.time)} (${ratio(o.time, pf.time)}, target ≤ 0.5×); ${findings}`]);
    rows.push(['', 'CPU', cpuText(o.cpu), cpuText(sq.cpu), ratio(o.cpu, sq.cpu), '', `pgfence ${cpuText(pf.cpu)} (${ratio(o.cpu, pf.cpu)})`]);
    rows.push(['', 'peak RSS', mb(o.rss), mb(sq.rss), ratio(o.rss, sq.rss), count === 1600 ? '≤ 120 MB' : '', `pgfence ${mb(pf.rss)}`]);
    const [one, two] = [list.oneThread, list.twoThreads].map((l) => ({ time: m(l, 'time'), cpu: m(l, 'cpu'), rss: m(l, 'rss'), stdout: l.at(-1).result.stdout }));
    if (one.stdout !== o.stdout || two.stdout !== o.stdout) throw new Error(`${count} migrations: the output on one or two threads differs from the default run's`);
    rows.push([
      '    TIDEMARK_LINT_THREADS=1 / =2',
      'wall',
      `${ms(one.time)} / ${ms(two.time)}`,
      '',
      '',
      '',
      `CPU ${cpuText(one.cpu)} / ${cpuText(two.cpu)}; peak RSS ${mb(one.rss)} / ${mb(two.rss)}; same output`,
    ]);
  }
  const grow = (field) => ratio(ours.get(1600)[field], ours.get(400)[field]);
  rows.push(['(6) growth, 1,600 / 400 migrations', 'wall', grow('time'), '', '', '≤ 4.4×', `CPU ${grow('cpu')} (4× the files)`]);

  // `lint FILE` of the last migration: in its 1,600-migration folder, and alone in an empty folder.
  const alone = join(dir, 'alone', 'migrations');
  mkdirSync(alone, { recursive: true });
  const aloneFile = join(alone, lastFile.split(/[\\/]/).pop());
  writeFileSync(aloneFile, readFileSync(lastFile));
  const single = { inFolder: [], alone: [] };
  for (let i = 0; i < runs; i++) {
    single.inFolder.push(timeProcess(process.execPath, [tidemarkCli, 'lint', '--format', 'json', lastFile], { cwd: dirname(dirname(lastFile)) }, 1));
    single.alone.push(timeProcess(process.execPath, [tidemarkCli, 'lint', '--format', 'json', aloneFile], { cwd: dirname(alone) }, 1));
  }
  const [inFolder, byItself] = [single.inFolder, single.alone].map((l) => ({ time: m(l, 'time'), cpu: m(l, 'cpu'), rss: m(l, 'rss') }));
  rows.push([
    '(6) lint FILE, last of 1,600',
    'wall',
    ms(inFolder.time),
    ms(byItself.time),
    ratio(inFolder.time, byItself.time),
    '≤ 1.2×',
    'vs the same file alone in an empty folder',
  ]);
  rows.push(['', 'CPU', cpuText(inFolder.cpu), cpuText(byItself.cpu), ratio(inFolder.cpu, byItself.cpu), '', '']);

  // The floors under the 100-migration ratio: Node itself, and our CLI doing nothing.
  const nodeAlone = timeProcess(process.execPath, ['-e', ''], {}, runs);
  const help = timeProcess(process.execPath, [tidemarkCli, '--help'], {}, runs);
  const sq100 = squawkTimes.get(100);
  rows.push([
    '    floor: node -e ""',
    'wall',
    ms(nodeAlone.time),
    ms(sq100),
    ratio(nodeAlone.time, sq100),
    '',
    `CPU ${cpuText(nodeAlone.cpu)}; squawk on 100 migrations beside it`,
  ]);
  rows.push(['    floor: tidemark --help', 'wall', ms(help.time), ms(sq100), ratio(help.time, sq100), '', `CPU ${cpuText(help.cpu)}; the CLI bundle loaded, no lint`]);
  return rows;
}

const ratio = (a, b) => (a === undefined || b === undefined || !b ? '-' : `${(a / b).toFixed(2)}×`);
const cpuText = (x) => (x === undefined ? '-' : ms(x));
const mb = (x) => (x === undefined ? '-' : `${x.toFixed(0)} MB`);

/**
 * Where a re-lint of the 1,000-statement file goes, in-process (needs `tsc -b`'s out/): building
 * the unit (split + cached parse) and each rule, median of 5 warm runs. Rules over 2 ms are listed.
 */
function ruleBreakdown(path, text) {
  const out = join(root, 'out', 'server', 'src');
  if (!existsSync(join(out, 'lint', 'engine.js'))) return '(run tsc -b for the per-rule breakdown)\n';
  const { ensureParser } = require(join(out, 'sql', 'parse.js'));
  const { buildLintUnit } = require(join(out, 'lint', 'unit.js'));
  const { lintUnit } = require(join(out, 'lint', 'engine.js'));
  const { allRules } = require(join(out, 'lint', 'rules', 'index.js'));
  return ensureParser().then(() => {
    const unitTimes = [];
    const ruleTimes = new Map(allRules.map((r) => [r.id, []]));
    for (let run = 0; run < 6; run++) {
      let start = performance.now();
      const unit = buildLintUnit(path, text);
      unitTimes.push(performance.now() - start);
      for (const rule of allRules) {
        start = performance.now();
        lintUnit(unit, { rules: [rule] });
        ruleTimes.get(rule.id).push(performance.now() - start);
      }
    }
    const rows = [...ruleTimes].map(([id, times]) => [id, median(times.slice(1))]).sort((a, b) => b[1] - a[1]);
    const total = rows.reduce((sum, [, t]) => sum + t, 0);
    const listed = rows.filter(([, t]) => t > 2).map(([id, t]) => `  ${id.padEnd(36)} ${ms(t)}`);
    return [`Re-lint of the 1,000-statement file in-process: unit ${ms(median(unitTimes.slice(1)))}, rules ${ms(total)} (${allRules.length} rules); slowest:`, ...listed, ''].join(
      '\n',
    );
  });
}

/** Types one character at 30 places of a file open in `server`; the time of each re-diagnosis. */
async function timeEdits(server, path, text) {
  const opened = await server.open(path, text);
  const times = [];
  const cpu = [];
  const lines = text.split('\n');
  for (let i = 0; i < 30; i++) {
    const from = (i * 97) % lines.length;
    let line = lines.findIndex((l, n) => n >= from && l.includes('ADD COLUMN IF NOT EXISTS status_'));
    if (line < 0) line = lines.findIndex((l) => l.includes('ADD COLUMN IF NOT EXISTS status_'));
    const character = lines[line].indexOf('status_') + 'status_'.length;
    const edited = await server.edit(opened.uri, { start: { line, character }, end: { line, character } }, 'x');
    times.push(edited.time);
    if (edited.cpu !== undefined) cpu.push(edited.cpu);
  }
  await server.stop();
  return { times, cpu };
}

async function main() {
  if (!existsSync(join(root, 'dist', 'cli.js')) || !existsSync(join(root, 'dist', 'server.js'))) {
    spawnSync(process.execPath, ['esbuild.mjs'], { cwd: root, stdio: 'inherit' });
  }
  const squawk = squawkBinary();
  const dir = mkdtempSync(join(tmpdir(), 'tidemark-bench-'));
  if (process.env.BENCH_ONLY === 'repo') {
    printTable(repositoryRows(dir, squawk));
    rmSync(dir, { recursive: true, force: true });
    return;
  }
  mkdirSync(join(dir, 'migrations'));
  const big = join(dir, 'migrations', '001_bench.sql');
  const bigText = migration(5000);
  writeFileSync(big, bigText);
  const medium = join(dir, 'migrations', '002_edit.sql');
  const mediumText = migration(1000);
  writeFileSync(medium, mediumText);
  if (process.env.BENCH_ONLY === 'edit') {
    const { times, cpu } = await timeEdits(await startServer(process.execPath, ourServerArgs, dir, OPEN_FILE_ONLY), medium, mediumText);
    const mean = cpu.reduce((x, y) => x + y, 0) / cpu.length;
    console.log(`(3) LSP re-diagnosis after an edit, 1,000: median ${ms(median(times))} (max ${ms(Math.max(...times))}), CPU ${ms(mean)} mean per edit`);
    rmSync(dir, { recursive: true, force: true });
    return;
  }
  console.log(`Generated ${big}: 5,000 statements, ${(bigText.length / 1024).toFixed(0)} KB; ${medium}: 1,000 statements. Median of ${RUNS} runs.\n`);

  // (1) CLI, cold processes.
  const ours = timeProcess(process.execPath, [join(root, 'dist', 'cli.js'), 'lint', '--format', 'json', big], { cwd: dir });
  const theirs = timeProcess(squawk, ['--reporter', 'json', big], { cwd: dir });
  const ourFindings = JSON.parse(ours.result.stdout).length;
  const theirFindings = (() => {
    try {
      const parsed = JSON.parse(theirs.result.stdout);
      return Array.isArray(parsed) ? parsed.length : '?';
    } catch {
      return '?';
    }
  })();

  // What no linter in a Node process can go below, for reading (1) and (2): a cold `tidemark lint`
  // of a one-statement file (node, the bundle, the WASM parser), and a cold process that only loads
  // the parser and parses the 5,000 statements in one call, with the V8 flag our parse module sets.
  const tiny = join(dir, 'tiny.sql');
  writeFileSync(tiny, 'SELECT 1;\n');
  const fixedCost = timeProcess(process.execPath, [join(root, 'dist', 'cli.js'), 'lint', '--format', 'json', tiny], { cwd: dir });
  const parseOnlyScript = [
    "require('node:v8').setFlagsFromString('--liftoff-only');",
    `const pq = require(${JSON.stringify(require.resolve('libpg-query'))});`,
    `const text = require('node:fs').readFileSync(${JSON.stringify(big)}, 'utf8');`,
    'pq.loadModule().then(() => { const t = performance.now(); pq.parseSync(text); console.log(performance.now() - t); });',
  ].join('\n');
  const parseOnly = timeProcess(process.execPath, ['-e', parseOnlyScript], { cwd: dir });
  const parseCallMs = Number(parseOnly.result.stdout.trim());

  // (2) Language servers: didOpen → publishDiagnostics, after a warm-up document.
  const warm = join(dir, 'migrations', '000_warm.sql');
  writeFileSync(warm, 'SELECT 1;\n');
  const openTimes = { ours: [], theirs: [] };
  const openCpu = { ours: [], theirs: [] };
  let ourOpenCount = 0;
  let theirOpenCount = 0;
  for (let i = 0; i < Math.min(RUNS, 3); i++) {
    const server = await startServer(process.execPath, ourServerArgs, dir, OPEN_FILE_ONLY);
    await server.open(warm, 'SELECT 1;\n');
    const opened = await server.open(big, bigText);
    openTimes.ours.push(opened.time);
    if (opened.cpu !== undefined) openCpu.ours.push(opened.cpu);
    ourOpenCount = opened.count;
    await server.stop();
    const squawkServer = await startServer(squawk, ['server'], dir, { pull: true });
    await squawkServer.open(warm, 'SELECT 1;\n');
    const theirsOpened = await squawkServer.open(big, bigText);
    openTimes.theirs.push(theirsOpened.time);
    if (theirsOpened.cpu !== undefined) openCpu.theirs.push(theirsOpened.cpu);
    theirOpenCount = theirsOpened.count;
    await squawkServer.stop();
  }

  // (3) Re-diagnosis after one edit in a 1,000-statement file (our server with no debounce; squawk's for context).
  const { times: editTimes, cpu: editCpu } = await timeEdits(await startServer(process.execPath, ourServerArgs, dir, OPEN_FILE_ONLY), medium, mediumText);
  const { times: squawkEditTimes, cpu: squawkEditCpu } = await timeEdits(await startServer(squawk, ['server'], dir, { pull: true }), medium, mediumText);

  const mean = (xs) => (xs.length ? xs.reduce((x, y) => x + y, 0) / xs.length : undefined);
  const medianOrNone = (xs) => (xs.length ? median(xs) : undefined);
  const rows = [
    ['(1) CLI, 5,000 statements', 'wall', ms(ours.time), ms(theirs.time), ratio(ours.time, theirs.time), '≤ 2×', `${ourFindings} vs ${theirFindings} findings`],
    ['', 'CPU', cpuText(ours.cpu), cpuText(theirs.cpu), ratio(ours.cpu, theirs.cpu), '', ''],
    ['', 'peak RSS', mb(ours.rss), mb(theirs.rss), ratio(ours.rss, theirs.rss), '', ''],
    ['    floor: lint of a 1-statement file', 'wall', ms(fixedCost.time), ms(theirs.time), ratio(fixedCost.time, theirs.time), '', 'node + bundle + WASM parser'],
    [
      '    floor: load parser, parse 5,000 only',
      'wall',
      ms(parseOnly.time),
      ms(theirs.time),
      ratio(parseOnly.time, theirs.time),
      '',
      `no rules; the parse call alone ${ms(parseCallMs)}`,
    ],
    [
      '(2) LSP didOpen → diagnostics, 5,000',
      'wall',
      ms(median(openTimes.ours)),
      ms(median(openTimes.theirs)),
      ratio(median(openTimes.ours), median(openTimes.theirs)),
      '≤ 0.2×',
      `${ourOpenCount} vs ${theirOpenCount} diagnostics`,
    ],
    [
      '',
      'CPU',
      cpuText(medianOrNone(openCpu.ours)),
      cpuText(medianOrNone(openCpu.theirs)),
      ratio(medianOrNone(openCpu.ours), medianOrNone(openCpu.theirs)),
      '',
      'server process only',
    ],
    [
      '    floor: the parse call alone',
      'wall',
      ms(parseCallMs),
      ms(median(openTimes.theirs)),
      ratio(parseCallMs, median(openTimes.theirs)),
      '',
      'first parse in a process, as above',
    ],
    [
      '(3) LSP re-diagnosis after an edit, 1,000',
      'wall',
      `${ms(median(editTimes))} (max ${ms(Math.max(...editTimes))})`,
      ms(median(squawkEditTimes)),
      ratio(median(editTimes), median(squawkEditTimes)),
      '< 50 ms',
      `${editTimes.length} one-character edits`,
    ],
    ['', 'CPU', cpuText(mean(editCpu)), cpuText(mean(squawkEditCpu)), ratio(mean(editCpu), mean(squawkEditCpu)), '', 'mean per edit, server process'],
  ];
  console.log(await ruleBreakdown(medium, mediumText));
  rows.push(...(await peerRows(dir, squawk)));
  rows.push(...repositoryRows(dir, squawk));
  printTable(rows);
  rmSync(dir, { recursive: true, force: true });
}

function printTable(rows) {
  const header = ['measure', 'time', 'tidemark', 'squawk/peer', 'ratio', 'target', 'notes'];
  console.log(
    `Load average at the end of the run: ${loadavg()
      .map((l) => l.toFixed(1))
      .join(' ')} (wall times grow with it; CPU times much less).\n`,
  );
  const widths = header.map((h, c) => Math.max(h.length, ...rows.map((r) => r[c].length)));
  const line = (cells) => cells.map((cell, c) => cell.padEnd(widths[c])).join(' | ');
  console.log(line(header));
  console.log(widths.map((w) => '-'.repeat(w)).join('-|-'));
  for (const row of rows) console.log(line(row));
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
