/**
 * Verification: the verify section runs in a transaction that is always rolled back. Pre-checks
 * (`-- migrate:check`) are the same kind of queries, run by apply and plan before the up. Every
 * statement must succeed; a query returning a single boolean must return true; a query with
 * `-- expect: VALUE` (or the runbooks' `-- Should be VALUE`) before it must return VALUE in its
 * first cell. A section that passes without error (sqitch's verify scripts) is judged by errors
 * alone, as its tool judges it.
 */
import type { Migration, Section } from '../migrations/types';
import { compareVersionKeys, versionId, versionOrder } from '../migrations/version';
import type { RunReport, StatementFailure } from '../protocol';
import { BOOLEAN_TYPE_OID, type DatabaseAdapter, type QueryResult } from '../database/adapter';
import { stateRows } from '../database/tracking';
import { findEnvironment, RunnerInputError, type Project } from '../database/environments';
import { CancelledError, planSection, statementFailure, StatementError, storedSection } from './execution';
import type { History } from '../database/history';
import { validateToVersion, migrationsOnDisk, withLockedSession, type RunOptions } from './session';
import { transactionControl } from '../sql/transaction';
import { runSteps, type StepOutcome } from './steps';

const EXPECT = /^--\s*(?:expect\s*:|should\s+be\b:?)\s*(.*?)\s*$/i;

export interface VerifyOutcome {
  passed: boolean;
  message: string;
  durationMs: number;
  failure?: StatementFailure;
}

/** The expected first cell written before a verify query, if any. */
export function expectedValue(leadingComments: string[]): string | undefined {
  for (let i = leadingComments.length - 1; i >= 0; i--) {
    const m = EXPECT.exec(leadingComments[i]);
    if (m) return m[1].replace(/^'(.*)'$/, '$1');
  }
  return undefined;
}

/** Text of a cell as PostgreSQL would print it, for comparing with an expectation. */
function cellMatches(value: unknown, expected: string): boolean {
  if (value === null || value === undefined) return /^null$/i.test(expected);
  if (typeof value === 'boolean') return value ? /^(t|true)$/i.test(expected) : /^(f|false)$/i.test(expected);
  if (value instanceof Date) return value.toISOString() === expected || String(value) === expected;
  if (typeof value === 'number' || typeof value === 'bigint') return Number(expected) === Number(value) && expected.trim() !== '';
  if (typeof value === 'object') return JSON.stringify(value) === expected;
  return String(value) === expected;
}

function resultProblem(result: QueryResult, expected: string | undefined): string | undefined {
  if (expected !== undefined) {
    if (result.fields.length === 0) return `expected ${expected}, but the statement returned no result`;
    if (result.rows.length === 0) return `expected ${expected}, but the query returned no rows`;
    const value = result.rows[0][result.fields[0].name];
    return cellMatches(value, expected)
      ? undefined
      : `expected ${expected}, got ${value === null ? 'NULL' : typeof value === 'object' && !(value instanceof Date) ? JSON.stringify(value) : String(value)}`;
  }
  if (result.fields.length === 1 && result.rows.length === 1 && result.fields[0].dataTypeID === BOOLEAN_TYPE_OID) {
    const value = result.rows[0][result.fields[0].name];
    if (value !== true) return `the check returned ${value === null ? 'NULL' : 'false'}`;
  }
  return undefined;
}

/**
 * Runs a verify section's checks on the current session: throws StatementError at the first
 * statement that fails or whose result is not what it expects. The caller decides what to roll
 * back (the runner a transaction of its own, the replay check a savepoint inside its own).
 */
export async function runVerifyChecks(db: DatabaseAdapter, migration: Pick<Migration, 'version'>, section: Section, isCancelled?: () => boolean): Promise<number> {
  const plan = await planSection(section, false);
  // A pre-check's failure says it is one, and what the query looks for (its comment), since it stops a run.
  const asFailure = (statement: (typeof plan.statements)[number], error: unknown) => {
    const failure = statementFailure(migration, section, statement, error);
    if (section.kind !== 'check') return failure;
    const about = statement.leadingComments.map((c) => c.replace(/^--\s*/, '').trim()).filter((c) => c && !EXPECT.test(`-- ${c}`));
    return { ...failure, message: `check failed: ${failure.message}${about.length ? ` (${about.join('; ')})` : ''}` };
  };
  let ran = 0;
  for (const statement of plan.statements) {
    if (isCancelled?.()) throw new CancelledError();
    // Checks run inside a transaction of the runner's (always rolled back for a verify): a BEGIN,
    // COMMIT or ROLLBACK written in the section (sqitch's `BEGIN; … ROLLBACK;` verify scripts)
    // would end it early, so it is not sent.
    if (transactionControl(statement.node)) continue;
    ran++;
    let result: QueryResult;
    try {
      result = await db.query(statement.text);
    } catch (error) {
      throw new StatementError(asFailure(statement, error), error);
    }
    // sqitch's rule for its verify scripts: a script passes when it raises no error, whatever it returns.
    const problem = section.passesWithoutError ? undefined : resultProblem(result, expectedValue(statement.leadingComments));
    if (problem) throw new StatementError(asFailure(statement, new Error(problem)), undefined);
  }
  return ran;
}

/** A step's note for a migration's pre-checks that passed. */
export const preChecksPassed = (n: number) => `${n} pre-check${n === 1 ? '' : 's'} passed`;

/** Runs a verify section and records the result on the migration's history row and as an event. */
export async function verifySection(
  db: DatabaseAdapter,
  history: History,
  migration: Pick<Migration, 'version' | 'noTransactionDirective'>,
  section: Section,
  isCancelled?: () => boolean,
  /** false on an environment managed by another tool: its result is reported, not written to a history Tidemark does not keep there. */
  record = true,
): Promise<VerifyOutcome> {
  const started = Date.now();
  let outcome: VerifyOutcome;
  try {
    const count = await db.transaction(() => runVerifyChecks(db, migration, section, isCancelled), { rollback: true });
    outcome = { passed: true, message: `${count} check${count === 1 ? '' : 's'} passed`, durationMs: Date.now() - started };
  } catch (error) {
    if (error instanceof CancelledError) throw error;
    if (!(error instanceof StatementError)) throw error;
    const f = error.failure;
    outcome = { passed: false, message: `line ${f.line + 1}: ${f.message}`, durationMs: Date.now() - started, failure: f };
  }
  if (!record) return outcome;
  await history.recordVerify(migration.version, outcome.passed, outcome.passed ? null : outcome.message);
  await history.event(migration.version, 'verify', outcome.durationMs, outcome.passed ? 'passed' : `failed: ${outcome.message}`);
  return outcome;
}

/**
 * Verifies applied migrations that have a verify section: one version, or all up to `toVersion`.
 * The current file's verify section is used; for a file that is gone, the one stored at apply time.
 */
export async function verifyMigrations(project: Project, environment: string | undefined, options: RunOptions & { version?: string } = {}): Promise<RunReport> {
  const env = findEnvironment(project, environment);
  const { migrations } = migrationsOnDisk(project, false);
  validateToVersion(options.toVersion ?? options.version, migrations);
  const keyOf = versionOrder(migrations);
  return withLockedSession(env, options, async ({ db, history }) => {
    const { rows: stated, managed } = await stateRows(db, history, migrations);
    const rows = stated.filter((r) => r.state === 'applied').sort((a, b) => compareVersionKeys(keyOf(a.version), keyOf(b.version)));
    const only = options.version === undefined ? undefined : versionId(options.version);
    const limit = options.toVersion === undefined ? undefined : keyOf(options.toVersion);
    if (only && !rows.some((r) => versionId(r.version) === only)) throw new RunnerInputError(`${options.version} is not applied in ${env.name}; nothing to verify`);
    const byKey = new Map(migrations.map((m) => [versionId(m.version), m]));
    const targets = rows
      .filter((r) => (!only || versionId(r.version) === only) && (!limit || compareVersionKeys(keyOf(r.version), limit) <= 0))
      .map((row) => {
        const migration = byKey.get(versionId(row.version));
        const section = migration
          ? migration.verify
          : row.verifySql?.trim()
            ? storedSection('verify', row.verifySql, `(verify SQL of ${row.version} stored in history)`)
            : undefined;
        return { row, section: section?.text.trim() ? section : undefined };
      })
      // Asked for one version, a missing verify section is said; among many, those without one are passed over.
      .filter((t) => t.section || only);
    const { steps, failure } = await runSteps(targets, options, {
      action: 'verify',
      verb: 'verifying',
      label: ({ row }) => row,
      run: async ({ row, section }): Promise<StepOutcome> => {
        const base = { version: row.version, name: row.name, action: 'verify' as const };
        if (!section) return { steps: [{ ...base, outcome: 'skipped', durationMs: 0, message: 'no verify section' }], stop: false };
        const outcome = await verifySection(db, history, { version: row.version, noTransactionDirective: false }, section, options.isCancelled, !managed);
        // Every verification is reported: one failure does not stop the others.
        return { steps: [{ ...base, outcome: outcome.passed ? 'ok' : 'failed', durationMs: outcome.durationMs, message: outcome.message }], failure: outcome.failure, stop: false };
      },
    });
    const failed = steps.filter((s) => s.outcome === 'failed');
    const passed = steps.filter((s) => s.outcome === 'ok').length;
    const summary =
      steps.length === 0
        ? `Nothing to verify in ${env.name}: no applied migration has a verify section.`
        : failed.length
          ? `Verification failed in ${env.name} for ${failed.map((s) => s.version).join(', ')}; ${passed} passed. ${failed[0].version}: ${failed[0].message}`
          : `Verified ${passed} migration${passed === 1 ? '' : 's'} in ${env.name}.`;
    return { environment: env.name, steps, failure, summary };
  });
}
