/**
 * One expand/contract change carried out on a real PostgreSQL server while the application keeps
 * writing: `tidemark new --expand-contract` writes the phases, `tidemark apply --to` applies them
 * one by one, a writer process (live-writer.ts) inserts and updates through the statements the
 * deployed code would use at each point (the old column before the switch, the new one after,
 * both in between), and a reader checks the two columns agree. Used by the live test and by
 * `npm run bench:expand-contract`.
 */
import { fork, type ChildProcess } from 'node:child_process';
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import type { Client } from 'pg';
import { tidemark } from './cli';
import { adminClient, freshDatabase, urlOf, writeFiles, type TestServer } from './databases';
import type { WriteOp, WriterMessage, WriterStats } from './live-writer';
import { scratchDir } from './test-cleanup';

export const LOCK_TIMEOUT_MS = 5000;

/** The table every kind of change is tried on: a unique, a CHECK, a foreign key, an expression index, a policy, `rows` rows. */
export function usersSchema(rows: number): string {
  return `CREATE TABLE IF NOT EXISTS orgs (id bigint PRIMARY KEY);
CREATE TABLE IF NOT EXISTS users (
  id bigint PRIMARY KEY,
  org_id bigint NOT NULL REFERENCES orgs (id),
  email text NOT NULL DEFAULT '' CONSTRAINT users_email_length CHECK (length(email) < 200),
  nickname text,
  amount integer NOT NULL DEFAULT 0,
  full_name text,
  given_name text,
  family_name text,
  CONSTRAINT users_email_key UNIQUE (email)
);
CREATE INDEX IF NOT EXISTS users_org_id_idx ON users (org_id);
CREATE INDEX IF NOT EXISTS users_lower_email_idx ON users (lower(email));
ALTER TABLE users ENABLE ROW LEVEL SECURITY;
DROP POLICY IF EXISTS users_self ON users;
CREATE POLICY users_self ON users USING (email = current_setting('app.email', true));
INSERT INTO orgs VALUES (1) ON CONFLICT DO NOTHING;
INSERT INTO users (id, org_id, email, nickname, amount, full_name, given_name, family_name)
SELECT g, 1, 'seed' || g || '@example.com', CASE WHEN g % 3 = 0 THEN NULL ELSE 'n' || g END, g, 'First' || g || ' Last' || g, 'Given' || g, 'Family' || g
  FROM generate_series(1, ${rows}) AS g
ON CONFLICT DO NOTHING;
`;
}

export const USERS_DOWN = 'DROP TABLE IF EXISTS users;\nDROP TABLE IF EXISTS orgs;\n';

/**
 * What the deployed code writes: before the change, once the expand is in, once the middle phase
 * is in, after the deploy that stops using the old name (before the contract), and after it.
 */
type Stage = 'before' | 'expand' | 'middle' | 'deployed' | 'after';

export interface LiveScenario {
  kind: string;
  /** Arguments after `tidemark new --expand-contract`. */
  args: string[];
  /** The statements the deployed code uses once each phase is applied. */
  writers: Record<Stage, WriteOp[]>;
  /** Rows where the two columns disagree, counted while both exist (after the expand); undefined when there is one column. */
  mismatches?: { touched: string; all: string };
  /** id and value (as text) of every row, through the final name. */
  finalRead: string;
  /** The value a written value must read back as at the end. */
  expected?: (value: string | null) => string | null;
}

const usersOps = (table: string, column: string, value: WriteOp['value'] = 'text'): WriteOp => ({
  insert: `INSERT INTO ${table} (id, org_id, email${column === 'email' ? '' : `, ${column}`}) VALUES ($1, 1, ${column === 'email' ? '$2' : `'i' || $1::bigint || '@example.com', $2`})`,
  update: `UPDATE ${table} SET ${column} = $2 WHERE id = $1`,
  value,
});

/** Code writing the two new columns of a split from one two-word value. */
const SPLIT_WRITER: WriteOp = {
  insert: "INSERT INTO users (id, org_id, email, first_name, last_name) VALUES ($1, 1, 'i' || $1::bigint || '@example.com', split_part($2, ' ', 1), split_part($2, ' ', 2))",
  update: "UPDATE users SET first_name = split_part($2, ' ', 1), last_name = split_part($2, ' ', 2) WHERE id = $1",
  value: 'name',
};
const SPLIT_MISMATCH = "(first_name, last_name) IS DISTINCT FROM (split_part(full_name, ' ', 1), split_part(full_name, ' ', 2))";

/** Code writing the two old columns of a merge. */
const MERGE_OLD_WRITER: WriteOp = {
  insert: "INSERT INTO users (id, org_id, email, given_name, family_name) VALUES ($1, 1, 'i' || $1::bigint || '@example.com', split_part($2, ' ', 1), split_part($2, ' ', 2))",
  update: "UPDATE users SET given_name = split_part($2, ' ', 1), family_name = split_part($2, ' ', 2) WHERE id = $1",
  value: 'name',
};

export const SCENARIOS: LiveScenario[] = [
  {
    kind: 'rename-column',
    args: ['rename-column', 'users', 'email', 'email_address'],
    writers: {
      before: [usersOps('users', 'email')],
      expand: [
        usersOps('users', 'email'),
        { insert: 'INSERT INTO users (id, org_id, email_address) VALUES ($1, 1, $2)', update: 'UPDATE users SET email_address = $2 WHERE id = $1', value: 'text' },
      ],
      middle: [{ insert: 'INSERT INTO users (id, org_id, email_address) VALUES ($1, 1, $2)', update: 'UPDATE users SET email_address = $2 WHERE id = $1', value: 'text' }],
      deployed: [{ insert: 'INSERT INTO users (id, org_id, email_address) VALUES ($1, 1, $2)', update: 'UPDATE users SET email_address = $2 WHERE id = $1', value: 'text' }],
      after: [{ insert: 'INSERT INTO users (id, org_id, email_address) VALUES ($1, 1, $2)', update: 'UPDATE users SET email_address = $2 WHERE id = $1', value: 'text' }],
    },
    mismatches: {
      touched: 'SELECT count(*)::int AS n FROM users WHERE email_address IS NOT NULL AND email_address IS DISTINCT FROM email',
      all: 'SELECT count(*)::int AS n FROM users WHERE email_address IS DISTINCT FROM email',
    },
    finalRead: 'SELECT id::int AS id, email_address AS v FROM users',
  },
  {
    kind: 'change-type',
    args: ['change-type', 'users', 'amount', 'bigint'],
    writers: {
      before: [usersOps('users', 'amount', 'int')],
      expand: [usersOps('users', 'amount', 'int'), usersOps('users', 'amount__new', 'int')],
      middle: [usersOps('users', 'amount', 'int')],
      deployed: [usersOps('users', 'amount', 'int')],
      after: [usersOps('users', 'amount', 'bigint')],
    },
    mismatches: {
      touched: 'SELECT count(*)::int AS n FROM users WHERE amount__new IS NOT NULL AND amount__new IS DISTINCT FROM amount::bigint',
      all: 'SELECT count(*)::int AS n FROM users WHERE amount__new IS DISTINCT FROM amount::bigint',
    },
    finalRead:
      "SELECT id::int AS id, amount::text AS v FROM users WHERE format_type((SELECT atttypid FROM pg_attribute WHERE attrelid = 'users'::regclass AND attname = 'amount'), NULL) = 'bigint'",
  },
  {
    kind: 'set-not-null',
    args: ['set-not-null', 'users', 'nickname', '--fill', "'anon'"],
    writers: {
      before: [usersOps('users', 'nickname', 'nullable-text')],
      expand: [usersOps('users', 'nickname', 'nullable-text')],
      middle: [usersOps('users', 'nickname', 'nullable-text')],
      deployed: [usersOps('users', 'nickname', 'text')],
      after: [usersOps('users', 'nickname', 'text')],
    },
    mismatches: { touched: 'SELECT 0 AS n', all: 'SELECT count(*)::int AS n FROM users WHERE nickname IS NULL' },
    finalRead: 'SELECT id::int AS id, nickname AS v FROM users',
    expected: (v) => v ?? 'anon',
  },
  {
    kind: 'split-column',
    args: [
      'split-column',
      'users',
      'full_name',
      'first_name',
      'last_name',
      '--first',
      "split_part(full_name, ' ', 1)",
      '--second',
      "split_part(full_name, ' ', 2)",
      '--join',
      "first_name || ' ' || last_name",
    ],
    writers: {
      before: [usersOps('users', 'full_name', 'name')],
      expand: [usersOps('users', 'full_name', 'name'), SPLIT_WRITER],
      middle: [SPLIT_WRITER],
      deployed: [SPLIT_WRITER],
      after: [SPLIT_WRITER],
    },
    mismatches: {
      touched: `SELECT count(*)::int AS n FROM users WHERE first_name IS NOT NULL AND ${SPLIT_MISMATCH}`,
      all: `SELECT count(*)::int AS n FROM users WHERE ${SPLIT_MISMATCH}`,
    },
    finalRead: "SELECT id::int AS id, first_name || ' ' || last_name AS v FROM users",
  },
  {
    kind: 'merge-columns',
    args: [
      'merge-columns',
      'users',
      'given_name',
      'family_name',
      'display_name',
      '--join',
      "given_name || ' ' || family_name",
      '--first',
      "split_part(display_name, ' ', 1)",
      '--second',
      "split_part(display_name, ' ', 2)",
    ],
    writers: {
      before: [MERGE_OLD_WRITER],
      expand: [MERGE_OLD_WRITER, usersOps('users', 'display_name', 'name')],
      middle: [usersOps('users', 'display_name', 'name')],
      deployed: [usersOps('users', 'display_name', 'name')],
      after: [usersOps('users', 'display_name', 'name')],
    },
    mismatches: {
      touched: "SELECT count(*)::int AS n FROM users WHERE display_name IS NOT NULL AND display_name IS DISTINCT FROM given_name || ' ' || family_name",
      all: "SELECT count(*)::int AS n FROM users WHERE display_name IS DISTINCT FROM given_name || ' ' || family_name",
    },
    finalRead: 'SELECT id::int AS id, display_name AS v FROM users',
  },
  {
    kind: 'rename-table',
    args: ['rename-table', 'users', 'members'],
    writers: {
      before: [usersOps('users', 'email')],
      expand: [usersOps('users', 'email'), usersOps('members', 'email')],
      middle: [usersOps('users', 'email'), usersOps('members', 'email')],
      deployed: [usersOps('members', 'email')],
      after: [usersOps('members', 'email')],
    },
    finalRead: 'SELECT id::int AS id, email AS v FROM members',
  },
];

export interface PhaseFigures {
  phase: string;
  version: string;
  applyMs: number;
  /** Rows/s of the writer while the phase was being applied. */
  duringRowsPerSec: number;
}

export interface LiveResult {
  kind: string;
  phases: PhaseFigures[];
  /** Rows/s before the first phase and after each phase (label → rows/s). */
  windows: Array<{ label: string; rowsPerSec: number }>;
  writes: number;
  failedWrites: number;
  errors: string[];
  /** The most rows the reader ever saw disagree while both columns existed. */
  maxMismatchedRows: number;
  /** Rows whose final value is not the last value the writer wrote. */
  lostWrites: number;
  maxWriteLatencyMs: number;
  applyOutput: string[];
}

class Writer {
  private stats?: Promise<WriterStats>;
  private constructor(private readonly child: ChildProcess) {}

  static async start(url: string, password: string): Promise<Writer> {
    const child = fork(join(__dirname, 'live-writer.js'), [], {
      env: { ...process.env, LIVE_WRITER_URL: url, PGPASSWORD: password },
      stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
    });
    await new Promise<void>((resolve, reject) => {
      child.once('message', (m: { type: string; message?: string }) => (m.type === 'ready' ? resolve() : reject(new Error(m.message))));
      child.once('exit', (code) => reject(new Error(`the writer exited (${code})`)));
    });
    return new Writer(child);
  }

  send(message: WriterMessage): void {
    this.child.send(message);
  }

  stop(): Promise<WriterStats> {
    this.stats ??= new Promise((resolve, reject) => {
      this.child.on('message', (m: { type: string; stats?: WriterStats; message?: string }) =>
        m.type === 'stats' ? resolve(m.stats!) : m.type === 'error' ? reject(new Error(m.message)) : undefined,
      );
      this.send({ type: 'stop' });
    });
    return this.stats;
  }
}

/** Polls the mismatch count on its own connection until stopped; the largest count seen. */
class Reader {
  max = 0;
  private running = true;
  private loop?: Promise<void>;
  constructor(private readonly client: Client) {}

  watch(sql: string | undefined): void {
    this.running = false;
    const previous = this.loop ?? Promise.resolve();
    if (!sql) return;
    this.loop = previous.then(async () => {
      this.running = true;
      while (this.running) {
        this.max = Math.max(this.max, Number((await this.client.query(sql)).rows[0].n));
        await new Promise((r) => setTimeout(r, 20));
      }
    });
  }

  async stop(): Promise<void> {
    this.running = false;
    await this.loop;
  }
}

const pause = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Runs one scenario on `server`: figures a user would look at. */
export async function runLiveScenario(server: TestServer, scenario: LiveScenario, { seedRows = 20_000, batchSize = 500, windowMs = 1000 } = {}): Promise<LiveResult> {
  const database = await freshDatabase(server);
  const dir = scratchDir(`live-${scenario.kind}-`);
  writeFiles(dir, {
    'tidemark.json': JSON.stringify({
      environments: { local: { url: urlOf(server, database) } },
      expandContract: { soak: { backfill: false, contract: false, contractProtected: false }, batchSize, lockTimeout: `${LOCK_TIMEOUT_MS / 1000}s` },
    }),
    'migrations/001_base.sql': `-- migrate:up\n${usersSchema(seedRows)}-- migrate:down\n${USERS_DOWN}`,
  });
  const env = { PGPASSWORD: server.password };
  const applyOutput: string[] = [];
  const apply = async (to: string) => {
    const run = await tidemark(dir, ['apply', '--env', 'local', '--to', to], env);
    applyOutput.push(run.stdout + run.stderr);
    if (run.code !== 0) throw new Error(`tidemark apply --to ${to} failed (${run.code}): ${run.stdout}${run.stderr}`);
  };
  await apply('001');
  const created = await tidemark(dir, ['new', '--expand-contract', ...scenario.args, '--format', 'json'], env);
  if (created.code !== 0) throw new Error(`tidemark new --expand-contract failed: ${created.stderr}`);
  const phases = (JSON.parse(created.stdout) as { phases: Array<{ role: string; version: string }> }).phases;
  if (phases.length !== 3 || readdirSync(join(dir, 'migrations')).length < 4) throw new Error(`expected three phases, got ${created.stdout}`);

  const url = `postgres://${server.user}@${server.host}:${server.port}/${database}`;
  const writer = await Writer.start(url, server.password);
  const readerClient = await adminClient(server, database);
  const reader = new Reader(readerClient);
  const figures: PhaseFigures[] = [];
  try {
    writer.send({ type: 'mode', ops: scenario.writers.before });
    writer.send({ type: 'mark', label: 'before' });
    await pause(windowMs);
    const stages: Stage[] = ['expand', 'middle', 'after'];
    for (const [i, phase] of phases.entries()) {
      if (phase.role === 'contract') {
        // The deploy that stops using the old name comes before the contract; the reader stops
        // comparing columns the contract drops.
        await reader.stop();
        writer.send({ type: 'mode', ops: scenario.writers.deployed });
        writer.send({ type: 'mark', label: 'deployed' });
        await pause(windowMs);
      }
      writer.send({ type: 'mark', label: `during ${phase.role}` });
      const started = performance.now();
      await apply(phase.version);
      figures.push({ phase: phase.role, version: phase.version, applyMs: performance.now() - started, duringRowsPerSec: 0 });
      // The deployed code moves on once the phase is in: the writers of the next stage.
      writer.send({ type: 'mode', ops: scenario.writers[stages[i]] });
      writer.send({ type: 'mark', label: `after ${phase.role}` });
      if (scenario.mismatches) reader.watch(i === 0 ? scenario.mismatches.touched : i === 1 ? scenario.mismatches.all : undefined);
      await pause(windowMs);
    }
  } finally {
    await reader.stop().catch(() => undefined);
  }
  const stats = await writer.stop();
  const finalRows = new Map((await readerClient.query(scenario.finalRead)).rows.map((r) => [Number(r.id), r.v === null ? null : String(r.v)]));
  await readerClient.end();
  const expected = scenario.expected ?? ((v: string | null) => v);
  const lostWrites = stats.written.filter(([id, value]) => finalRows.get(id) !== expected(value)).length;
  const rate = (w: { writes: number; ms: number }) => Math.round((w.writes * 1000) / Math.max(1, w.ms));
  for (const f of figures) {
    const w = stats.windows.find((x) => x.label === `during ${f.phase}`);
    f.duringRowsPerSec = w ? rate(w) : 0;
  }
  return {
    kind: scenario.kind,
    phases: figures,
    windows: stats.windows.filter((w) => w.label !== 'start').map((w) => ({ label: w.label, rowsPerSec: rate(w) })),
    writes: stats.writes,
    failedWrites: stats.failures,
    errors: stats.errors,
    maxMismatchedRows: reader.max,
    lostWrites: finalRows.size ? lostWrites : stats.written.length,
    maxWriteLatencyMs: Math.round(stats.maxLatencyMs),
    applyOutput,
  };
}
