/**
 * npm run bench:check — the replay check, side by side with what it replaces, in one run:
 *  0. The whole chain: `tidemark check` of all 100 migrations (each one checked: up, verify, up
 *     again, down, catalog compared, down again) against `tidemark apply` of the same 100 on a
 *     fresh sandbox, time and peak memory (VmHWM) of each process. Targets: ≤ 1.5×, ≤ 250 MB.
 *  1. Cold: `tidemark check` of the last migration of a generated 100-migration project (a new
 *     process: builds the 99 earlier ones on a fresh shadow, then checks the last), against
 *     `tidemark apply` building the same 100 migrations on a fresh sandbox. Ratio check/apply.
 *  2. Warm: the language server re-checking the last migration (20 statements) after an edit, its
 *     shadow kept: the replay's own durations, median of 7 (target < 300 ms).
 *  3. The language server's memory (RSS) with that warm shadow.
 * Figures are printed, not asserted.
 */
import { spawnSync } from 'node:child_process';
import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { seedSandbox, writeFiles } from '../support/databases';
import { TestLspClient } from '../support/lsp-client';
import { repoRoot } from '../support/paths';
import { scratchDir, testCleanupHooks } from '../support/test-cleanup';

const cli = join(repoRoot, 'dist', 'cli.js');
const COUNT = 100;

function migration(i: number, statements = 2): string {
  const t = `bench_${String(i).padStart(3, '0')}`;
  const up = [`CREATE TABLE IF NOT EXISTS ${t} (id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY, name text NOT NULL);`];
  for (let s = 1; s < statements; s++) up.push(`ALTER TABLE ${t} ADD COLUMN IF NOT EXISTS c${s} text;`);
  const down = [...Array.from({ length: statements - 1 }, (_, s) => `ALTER TABLE ${t} DROP COLUMN IF EXISTS c${statements - 1 - s};`), `DROP TABLE IF EXISTS ${t};`];
  return `-- migrate:up\n${up.join('\n')}\n-- migrate:down\n${down.join('\n')}\n`;
}

const name = (i: number) => `migrations/${String(i).padStart(3, '0')}_bench.sql`;
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

function timed(args: string[], cwd: string): number {
  return measured(args, cwd).ms;
}

/**
 * Runs the CLI; its time and peak memory (VmHWM, read by a preloaded exit hook, in MB). Not
 * getrusage's maxRSS: Linux carries the parent's peak over to a spawned child (kept across fork
 * and exec), so every child of this process, which holds PGlite itself, reported this process's
 * ~273 MB whatever its own peak was.
 */
function measured(args: string[], cwd: string, allowedExit = [0]): { ms: number; mb: number } {
  const hook = join(cwd, '.bench-maxrss.cjs');
  const out = join(cwd, '.bench-maxrss');
  writeFileSync(
    hook,
    `process.on('exit', () => require('node:fs').writeFileSync(${JSON.stringify(out)}, /VmHWM:\\s+(\\d+)/.exec(require('node:fs').readFileSync('/proc/self/status', 'utf8'))[1]));\n`,
  );
  const start = performance.now();
  const r = spawnSync(process.execPath, ['--require', hook, cli, ...args], { cwd, encoding: 'utf8' });
  const ms = performance.now() - start;
  if (!allowedExit.includes(r.status ?? -1)) throw new Error(`tidemark ${args.join(' ')} exited ${r.status}: ${r.stdout}${r.stderr}`);
  const mb = Number(readFileSync(out, 'utf8')) / 1024;
  rmSync(hook);
  rmSync(out);
  return { ms, mb };
}

/** Runs the two, `first` first on even runs and second on odd ones: neither always gets the warmer machine. */
function inTurn(run: number, first: () => void, second: () => void): void {
  for (const f of run % 2 ? [second, first] : [first, second]) f();
}

/** (0) `tidemark check` of the whole chain against `tidemark apply` of it on a fresh sandbox, taking turns at going first. */
async function chainBench(): Promise<void> {
  const checks: Array<{ ms: number; mb: number }> = [];
  const applies: Array<{ ms: number; mb: number }> = [];
  for (let run = 0; run < 3; run++) {
    const root = await project();
    await seedSandbox(join(root, '.tidemark', 'sandbox'));
    // check exits 1 when a finding is an error; the generated chain has none, but a finding must not hide the figure.
    inTurn(
      run,
      () => checks.push(measured(['check'], root, [0, 1])),
      () => applies.push(measured(['apply', '--format', 'json'], root)),
    );
  }
  const byTime = (xs: Array<{ ms: number }>) => median(xs.map((x) => x.ms));
  const peak = (xs: Array<{ mb: number }>) => Math.max(...xs.map((x) => x.mb));
  const shown = (x: { ms: number; mb: number }) => `${x.ms.toFixed(0)} ms/${x.mb.toFixed(0)} MB`;
  const check = byTime(checks);
  const apply = byTime(applies);
  console.log(
    `(0) whole chain, ${COUNT} migrations: tidemark check of all ${check.toFixed(0)} ms, peak ${peak(checks).toFixed(0)} MB vs tidemark apply of all on a fresh sandbox ${apply.toFixed(0)} ms, peak ${peak(applies).toFixed(0)} MB: ` +
      `${(check / apply).toFixed(2)}× (target ≤ 1.5×, ≤ 250 MB; runs: ${checks.map(shown).join(' ')} vs ${applies.map(shown).join(' ')})`,
  );
}

async function project(): Promise<string> {
  const root = scratchDir('bench-check-');
  const files: Record<string, string> = {};
  for (let i = 1; i <= COUNT; i++) files[name(i)] = migration(i, i === COUNT ? 20 : 2);
  writeFiles(root, files);
  return root;
}

async function coldBench(): Promise<void> {
  const checks: number[] = [];
  const applies: number[] = [];
  // Five runs, each on a new project, the two commands taking turns at going first: on this
  // shared 2-core machine single runs of either vary by up to 40%.
  // The sandbox template is made once, in this process (initdb on PGlite): done and settled
  // before the timing, so that its clean-up does not compete with the timed processes for the cores.
  await seedSandbox(join(scratchDir('bench-check-seed-'), 'sandbox'));
  await new Promise((resolve) => setTimeout(resolve, 3000));
  for (let run = 0; run < 5; run++) {
    const root = await project();
    await seedSandbox(join(root, '.tidemark', 'sandbox'));
    inTurn(
      run,
      () => checks.push(timed(['check', name(COUNT)], root)),
      () => applies.push(timed(['apply', '--format', 'json'], root)),
    );
  }
  const check = median(checks);
  const apply = median(applies);
  console.log(
    `(1) cold, ${COUNT} migrations: tidemark check of the last ${check.toFixed(0)} ms vs tidemark apply of all on a fresh sandbox ${apply.toFixed(0)} ms: ${(check / apply).toFixed(2)}× (runs: ${checks.map((x) => x.toFixed(0)).join('/')} vs ${applies.map((x) => x.toFixed(0)).join('/')})`,
  );
}

async function warmBench(): Promise<void> {
  const root = await project();
  const client = new TestLspClient({ workspaceFolder: root });
  try {
    await client.initialize();
    const path = join(root, name(COUNT));
    const text = readFileSync(path, 'utf8');
    const u = client.open(path, text);
    const finished = () => client.notifications.filter((n) => (n.params as { state?: string; uri?: string }).state === 'finished' && (n.params as { uri: string }).uri === u);
    const waitFor = async (n: number) => {
      const deadline = Date.now() + 120_000;
      while (finished().length < n) {
        if (Date.now() > deadline) throw new Error(`the replay did not finish: ${client.logs.join('')}`);
        await new Promise((r) => setTimeout(r, 10));
      }
      return finished()[n - 1].params as { durationMs?: number; findings?: number };
    };
    client.save(u);
    const first = await waitFor(1);
    const warm: number[] = [];
    for (let edit = 1; edit <= 7; edit++) {
      client.change(u, text.replace('name text NOT NULL', `name text NOT NULL DEFAULT 'edit ${edit}'`));
      client.save(u);
      warm.push((await waitFor(edit + 1)).durationMs ?? Number.NaN);
    }
    const rss = Number(/VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${client.child.pid}/status`, 'utf8'))?.[1] ?? 0) / 1024;
    console.log(
      `(2) warm, the last migration (20 statements) after an edit, shadow kept: median ${median(warm).toFixed(0)} ms (target < 300 ms; runs ${warm.map((x) => x.toFixed(0)).join('/')}; the first check, building the shadow, ${first.durationMs} ms)`,
    );
    console.log(`(3) language server RSS with the warm shadow: ${rss.toFixed(0)} MB`);
  } finally {
    await client.dispose();
  }
}

async function main(): Promise<void> {
  testCleanupHooks.beforeEach();
  try {
    await seedSandbox(join(scratchDir('bench-check-seed-'), 'sandbox'));
    await chainBench();
    if (process.argv.includes('--chain-only')) return;
    await coldBench();
    await warmBench();
  } finally {
    await testCleanupHooks.afterEach();
  }
}

main().catch((error) => {
  console.error(error);
  process.exitCode = 1;
});
