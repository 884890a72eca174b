/**
 * plan: the dry run. Each pending migration runs inside a transaction that is always rolled back,
 * and after every statement the runner's own locks (pg_locks of its backend) show which statement
 * takes which lock on which relation — "AccessExclusiveLock on public.users" — before production
 * finds out.
 *
 * Locks are only visible when newly taken, so in one transaction a migration would not show the
 * locks an earlier pending migration already holds. Two passes: all pending migrations in order in
 * one transaction (errors as they would happen, and what each newly locks), then each migration
 * alone on the current schema, whose locks on existing relations are added to its list when it
 * can run alone. One that needs an earlier pending migration cannot; for it, the statement's own
 * lock as the parse tree predicts it (sql/locks) is listed when an earlier migration of the dry run
 * already holds exactly that lock — applied, each migration runs in its own transaction and takes it.
 */
import type { Migration } from '../migrations/types';
import type { RunReport } from '../protocol';
import { transactionControl, transactionIncompatibility } from '../sql/transaction';
import { pgLockModeName } from '../sql/lock-modes';
import { lockEffects } from '../sql/locks';
import type { DatabaseAdapter } from '../database/adapter';
import { pendingMigrations } from './apply';
import { stateRows } from '../database/tracking';
import { CancelledError, errorMessage, planSection, setTimeouts, statementFailure, StatementError, type SectionPlan } from './execution';
import { preChecksPassed, runVerifyChecks } from './verify';
import { findEnvironment, type Environment, type Project } from '../database/environments';
import { describeBlock, migrationsFor, untilBlocked } from './directives';
import { validateToVersion, failureLocation, migrationsOnDisk, withLockedSession, type RunOptions } from './session';

type Step = RunReport['steps'][number];
type LockTaken = NonNullable<Step['locks']>[number];

const USER_RELATIONS = `SELECT c.oid::int8::text AS oid FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
  WHERE n.nspname NOT IN ('pg_catalog', 'information_schema', 'pg_toast')`;

/** The relation locks this backend holds, outside the history schema ($1); the replay check reads them too. */
export const OWN_LOCKS = `SELECT l.mode, n.nspname, c.relname, c.oid::int8::text AS oid
    FROM pg_locks l JOIN pg_class c ON c.oid = l.relation JOIN pg_namespace n ON n.oid = c.relnamespace
   WHERE l.pid = pg_backend_pid() AND l.locktype = 'relation' AND l.granted
     AND n.nspname NOT IN ('pg_catalog', 'information_schema', 'pg_toast') AND n.nspname <> $1`;

interface Planned {
  migration: Migration;
  plan: SectionPlan;
}

export async function planMigrations(project: Project, environment: string | undefined, options: RunOptions = {}): Promise<RunReport> {
  const env = findEnvironment(project, environment);
  const migrations = migrationsFor(migrationsOnDisk(project, true).migrations, env.name);
  validateToVersion(options.toVersion, migrations);
  return withLockedSession(env, options, async ({ db, history }) => {
    const { runnable: candidates, blockedBy } = untilBlocked(pendingMigrations(migrations, (await stateRows(db, history, migrations)).rows, options.toVersion), options.toVersion);
    const planned: Planned[] = [];
    for (const migration of candidates) planned.push({ migration, plan: await planSection(migration.up, migration.noTransactionDirective) });
    const existing = new Set((await db.query(USER_RELATIONS)).rows.map((r) => String(r.oid)));
    const steps: Step[] = [];
    let firstFailure: RunReport['failure'];
    await db.transaction(
      async () => {
        await setTimeouts(db, env, 'LOCAL');
        for (const [i, item] of planned.entries()) {
          if (options.isCancelled?.()) throw new CancelledError();
          options.progress?.(`planning ${item.migration.version} ${item.migration.name}`, Math.round((i / planned.length) * 50));
          const { step, failure } = await measure(project, env, db, item, existing);
          steps.push(step);
          firstFailure ??= failure;
        }
      },
      { rollback: true },
    );
    for (const [i, item] of planned.entries()) {
      if (i === 0) continue; // alone or first: the same measurement
      if (options.isCancelled?.()) throw new CancelledError();
      options.progress?.(`measuring the locks of ${item.migration.version} alone`, 50 + Math.round((i / planned.length) * 50));
      const alone = await db.transaction(
        async () => {
          await setTimeouts(db, env, 'LOCAL');
          return measure(project, env, db, item, existing);
        },
        { rollback: true },
      );
      if (alone.step.outcome !== 'ok') continue;
      const listed = new Set(steps[i].locks!.map((l) => `${l.relation}/${l.mode}`));
      for (const lock of alone.step.locks ?? []) {
        if (!lock.newRelation && !listed.has(`${lock.relation}/${lock.mode}`)) steps[i].locks!.push(lock);
      }
    }
    const failed = steps.filter((s) => s.outcome === 'failed').length;
    if (blockedBy)
      steps.push({
        version: blockedBy.version,
        name: blockedBy.name,
        action: 'plan',
        outcome: 'skipped',
        durationMs: 0,
        message: `blocked: ${blockedBy.blockedReasons.join('; ')}`,
      });
    let summary =
      candidates.length === 0
        ? `Nothing to plan for ${env.name}: it is up to date.`
        : `Planned ${candidates.length} migration${candidates.length === 1 ? '' : 's'} on ${env.name} (rolled back): ${failed ? `${failed} would fail` : 'all would succeed'}.`;
    if (blockedBy) summary = `${candidates.length ? summary : `Nothing planned for ${env.name}.`} Stopped before ${describeBlock(blockedBy)}.`;
    return { environment: env.name, steps, failure: firstFailure, summary };
  });
}

/** Runs one migration in a savepoint, recording the locks each statement takes. */
async function measure(
  project: Project,
  env: Environment,
  db: DatabaseAdapter,
  { migration, plan }: Planned,
  existing: Set<string>,
): Promise<{ step: Step; failure?: RunReport['failure'] }> {
  const started = Date.now();
  const locks: LockTaken[] = [];
  const notes: string[] = [];
  const heldBefore = (await db.query(OWN_LOCKS, [env.historySchema])).rows;
  const held = new Set(heldBefore.map((r) => `${r.oid}/${r.mode}`));
  await db.query('SAVEPOINT tidemark_plan');
  let error: unknown;
  let failedAt: number | undefined;
  // The pre-checks run as apply runs them, before the up: a failing one is the plan's finding.
  if (migration.precheck) {
    try {
      notes.push(preChecksPassed(await runVerifyChecks(db, migration, migration.precheck)));
    } catch (e) {
      if (!(e instanceof StatementError)) throw e;
      await db.query('ROLLBACK TO SAVEPOINT tidemark_plan');
      const durationMs = Date.now() - started;
      return {
        step: {
          version: migration.version,
          name: migration.name,
          action: 'plan',
          durationMs,
          locks,
          outcome: 'failed',
          message: `${failureLocation(project, e.failure)}: ${e.failure.message}; apply would stop here, before any change`,
        },
        failure: e.failure,
      };
    }
  }
  for (const [index, statement] of plan.statements.entries()) {
    if (plan.skipped.has(index)) continue;
    // A file that owns its transaction: the dry run's own transaction stands in for its blocks.
    if (plan.ownTransaction && transactionControl(statement.node)) continue;
    const label = `line ${migration.up.file.positionAt(statement.start).line + 1}: ${firstLine(statement.text)}`;
    const incompatible = transactionIncompatibility(statement.node);
    if (incompatible) {
      notes.push(`not planned: ${label} — ${incompatible} cannot run inside the dry run's transaction; its locks are not measured`);
      continue;
    }
    try {
      await db.query(statement.text);
    } catch (e) {
      error = e;
      failedAt = index;
      break;
    }
    for (const r of (await db.query(OWN_LOCKS, [env.historySchema])).rows) {
      const key = `${r.oid}/${r.mode}`;
      if (held.has(key)) continue;
      held.add(key);
      locks.push({ relation: `${r.nspname}.${r.relname}`, mode: String(r.mode), statement: label, ...(existing.has(String(r.oid)) ? {} : { newRelation: true }) });
    }
    for (const effect of lockEffects(statement.node)) {
      const mode = pgLockModeName(effect.mode);
      const r = heldBefore.find((h) => h.mode === mode && (effect.relation === h.relname || effect.relation === `${h.nspname}.${h.relname}`));
      const relation = r && `${r.nspname}.${r.relname}`;
      if (!r || locks.some((l) => l.relation === relation && l.mode === mode)) continue;
      locks.push({ relation: relation!, mode, statement: label, ...(existing.has(String(r.oid)) ? {} : { newRelation: true }) });
    }
  }
  const durationMs = Date.now() - started;
  const base = { version: migration.version, name: migration.name, action: 'plan' as const, durationMs, locks };
  if (error !== undefined) {
    await db.query('ROLLBACK TO SAVEPOINT tidemark_plan');
    const failure = statementFailure(migration, migration.up, plan.statements[failedAt!], error);
    return { step: { ...base, outcome: 'failed', message: `${failureLocation(project, failure)}: ${errorMessage(error)}` }, failure };
  }
  await db.query('RELEASE SAVEPOINT tidemark_plan');
  if (plan.noTransactionReason) notes.unshift(`runs without a transaction when applied (${plan.noTransactionReason})`);
  return { step: { ...base, outcome: 'ok', message: notes.length ? notes.join('; ') : undefined } };
}

function firstLine(text: string): string {
  const line = text.trim().split('\n')[0].trim();
  return line.length > 80 ? `${line.slice(0, 77)}...` : line;
}
