/**
 * check and apply agree: every runner fixture — transactional, no-transaction, a file that owns
 * its transaction, an enum value added and used, CONCURRENTLY, a failing statement, sqitch's
 * BEGIN ... ROLLBACK verify — goes through apply on the sandbox, apply on a real server and the
 * replay check, and all three must reach the same outcome (ok, the up failing at the same line,
 * or the verify failing).
 */
import assert from 'node:assert/strict';
import { applyMigrations } from '../../server/src/runner/apply';
import { loadConfig } from '../../server/src/migrations/config';
import { replayProject } from '../../server/src/replay/project';
import type { RunReport } from '../../server/src/protocol';
import type { ReplayResult } from '../../server/src/replay/check';
import { postgresBackend, pgliteBackend, type Backend, type Fixture } from './backends';

const BASE = {
  'migrations/001_base.sql':
    "-- migrate:up\nCREATE TYPE mood AS ENUM ('sad', 'ok');\nCREATE TABLE feelings (id int PRIMARY KEY, m mood NOT NULL DEFAULT 'ok');\nINSERT INTO feelings VALUES (1, 'sad');\n-- migrate:down\nDROP TABLE IF EXISTS feelings;\nDROP TYPE IF EXISTS mood;\n",
};

/** The outcome a user sees: the up's failing line, the verify failing, or ok. */
type Outcome = 'ok' | `up fails at line ${number}` | 'verify fails';

interface Case {
  name: string;
  file: string;
  expected: Outcome;
  /** What the database holds after apply, where it says how far a failure got. */
  after?: { sql: string; rows: unknown[] };
}

const CASES: Case[] = [
  {
    name: 'transactional',
    file: "-- migrate:up\nALTER TABLE feelings ADD COLUMN IF NOT EXISTS note text;\n-- migrate:down\nALTER TABLE feelings DROP COLUMN IF EXISTS note;\n-- migrate:verify\n-- expect: 1\nSELECT count(*) FROM information_schema.columns WHERE table_name = 'feelings' AND column_name = 'note';\n",
    expected: 'ok',
  },
  {
    name: 'no-transaction',
    file: '-- migrate:up\n-- tidemark:no-transaction\nALTER TABLE feelings ADD COLUMN IF NOT EXISTS a int;\nALTER TABLE feelings ADD COLUMN IF NOT EXISTS b int;\n-- migrate:down\nALTER TABLE feelings DROP COLUMN IF EXISTS a, DROP COLUMN IF EXISTS b;\n',
    expected: 'ok',
  },
  {
    name: 'own transaction (two blocks, as golang-migrate files write them)',
    file: '-- migrate:up\nBEGIN;\nCREATE TABLE IF NOT EXISTS own_a (id int);\nCOMMIT;\nBEGIN;\nCREATE TABLE IF NOT EXISTS own_b (id int);\nINSERT INTO own_b VALUES (1);\nCOMMIT;\n-- migrate:down\nBEGIN;\nDROP TABLE IF EXISTS own_a, own_b;\nCOMMIT;\n',
    expected: 'ok',
    after: {
      sql: "SELECT (SELECT count(*) FROM own_b)::int AS b, (SELECT statements_done FROM tidemark.migrations WHERE version = '002')::int AS done",
      rows: [{ b: 1, done: 7 }],
    },
  },
  {
    name: 'own transaction failing in its second block: the first stays, the second does not',
    file: '-- migrate:up\nBEGIN;\nCREATE TABLE IF NOT EXISTS kept (id int);\nCOMMIT;\nBEGIN;\nCREATE TABLE IF NOT EXISTS lost (id int);\nSELECT no_such_column FROM kept;\nCOMMIT;\n',
    expected: 'up fails at line 7',
    after: {
      sql: "SELECT to_regclass('kept') IS NOT NULL AS kept, to_regclass('lost') IS NOT NULL AS lost, (SELECT state || ':' || statements_done FROM tidemark.migrations WHERE version = '002') AS history",
      rows: [{ kept: true, lost: false, history: 'failed:3' }],
    },
  },
  {
    name: 'enum value added and used, without a transaction',
    file: "-- migrate:up\n-- tidemark:no-transaction\nALTER TYPE mood ADD VALUE IF NOT EXISTS 'happy';\nUPDATE feelings SET m = 'happy' WHERE id = 1;\n-- migrate:verify\n-- expect: happy\nSELECT m::text FROM feelings WHERE id = 1;\n",
    expected: 'ok',
  },
  {
    name: 'enum value added and used in one transaction (PostgreSQL refuses it)',
    file: "-- migrate:up\nALTER TYPE mood ADD VALUE IF NOT EXISTS 'happy';\nUPDATE feelings SET m = 'happy' WHERE id = 1;\n",
    expected: 'up fails at line 3',
  },
  {
    name: 'CREATE INDEX CONCURRENTLY',
    file: '-- migrate:up\nCREATE INDEX CONCURRENTLY IF NOT EXISTS feelings_m ON feelings (m);\n-- migrate:down\nDROP INDEX CONCURRENTLY IF EXISTS feelings_m;\n',
    expected: 'ok',
  },
  {
    name: 'a failing statement',
    file: '-- migrate:up\nALTER TABLE feelings ADD COLUMN IF NOT EXISTS c int;\nALTER TABLE no_such_table ADD COLUMN d int;\n',
    expected: 'up fails at line 3',
  },
  {
    name: "sqitch's verify script: BEGIN; ... ROLLBACK; passing",
    file: '-- migrate:up\nALTER TABLE feelings ADD COLUMN IF NOT EXISTS e int;\n-- migrate:verify\nBEGIN;\nSELECT e FROM feelings WHERE false;\nROLLBACK;\n',
    expected: 'ok',
  },
  {
    name: "sqitch's verify script: BEGIN; ... ROLLBACK; failing",
    file: '-- migrate:up\nALTER TABLE feelings ADD COLUMN IF NOT EXISTS f int;\n-- migrate:verify\nBEGIN;\nSELECT no_such_column FROM feelings WHERE false;\nROLLBACK;\n',
    expected: 'verify fails',
  },
];

function applyOutcome(report: RunReport): Outcome {
  const test = report.steps.filter((s) => s.version === '002');
  const apply = test.find((s) => s.action === 'apply');
  assert.ok(apply, JSON.stringify(report.steps));
  if (apply.outcome !== 'ok') {
    const line = /^(\d+)$/.test(String(report.failure?.line)) ? report.failure!.line + 1 : NaN;
    return `up fails at line ${line}`;
  }
  return test.some((s) => s.action === 'verify' && s.outcome === 'failed') ? 'verify fails' : 'ok';
}

function checkOutcome(result: ReplayResult): Outcome {
  const error = result.findings.find((f) => f.rule === 'replay-error');
  if (error) return `up fails at line ${error.file.positionAt(error.start).line + 1}`;
  if (result.findings.some((f) => f.rule === 'replay-verify-failed')) return 'verify fails';
  const other = result.findings.filter((f) => f.rule !== 'replay-not-idempotent' && f.rule !== 'replay-rollback-mismatch');
  assert.deepEqual(
    other.map((f) => `${f.rule}: ${f.message}`),
    [],
    'the check raised something apply does not',
  );
  return 'ok';
}

describe('check and apply agree (sandbox, server, replay check)', function () {
  this.timeout(300_000);
  const server = postgresBackend();
  const sandbox = pgliteBackend();
  before(async () => {
    await Promise.all([server.start(), sandbox.start()]);
  });
  after(async () => {
    await Promise.all([server.stop(), sandbox.stop()]);
  });

  for (const c of CASES) {
    it(`${c.name}: ${c.expected}`, async () => {
      const files = { ...BASE, 'migrations/002_case.sql': c.file };
      const run = async (backend: Backend): Promise<{ outcome: Outcome; fixture: Fixture; report: RunReport }> => {
        const fixture = await backend.fixture(files, { verifyAfterApply: true });
        const report = await applyMigrations(fixture.project(), 'local', fixture.options);
        assert.equal(report.steps.find((s) => s.version === '001')?.outcome, 'ok', JSON.stringify(report.steps));
        return { outcome: applyOutcome(report), fixture, report };
      };
      const [onServer, onSandbox] = await Promise.all([run(server), run(sandbox)]);
      const [checked] = await replayProject(loadConfig(onSandbox.fixture.root), [onSandbox.fixture.root + '/migrations/002_case.sql']);

      const outcomes = { server: onServer.outcome, sandbox: onSandbox.outcome, check: checkOutcome(checked) };
      assert.deepEqual(
        outcomes,
        { server: c.expected, sandbox: c.expected, check: c.expected },
        JSON.stringify({ server: onServer.report.steps, sandbox: onSandbox.report.steps, check: checked.findings.map((f) => f.message) }),
      );
      if (c.after) {
        assert.deepEqual(await onServer.fixture.sql('local', c.after.sql), c.after.rows, 'server');
        assert.deepEqual(await onSandbox.fixture.sql('local', c.after.sql), c.after.rows, 'sandbox');
      }
    });
  }
});
