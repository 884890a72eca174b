/**
 * apply: pending migrations in version order, up to a target. A migration that can run in a
 * transaction runs in one together with its history row; one that cannot (CREATE INDEX
 * CONCURRENTLY, VACUUM, ... or `-- tidemark:no-transaction`) runs statement by statement with its
 * progress recorded, and resumes at the failed statement once the file is fixed.
 */
import { refuseUntracked } from './refuse-untracked';
import type { Migration } from '../migrations/types';
import { compareVersionKeys, versionKey, versionId } from '../migrations/version';
import type { RunReport, StatementFailure } from '../protocol';
import { ServerError } from '../database/adapter';
import { CancelledError, errorMessage, planSection, resetTimeouts, runStatements, setTimeouts, StatementError } from './execution';
import { findEnvironment, RunnerInputError, type Environment, type Project } from '../database/environments';
import { normaliseForChecksum } from '../migrations/checksum';
import { splitStatements } from '../sql/split';
import { transactionControl, transactionIncompatibility } from '../sql/transaction';
import type { Statement } from '../sql/statements';
import type { HistoryRow } from '../database/history';
import { checkTarget, failureLocation, migrationsOnDisk, requireConfirmation, withLockedSession, withReadSession, type RunOptions, type Session } from './session';
import { preChecksPassed, runVerifyChecks, verifySection } from './verify';
import { appliesIn, describeBlock, migrationsFor, untilBlocked } from './directives';
import { withBackupNote } from './backup-hook';
import { applyInToolHistory } from './tool-history';

type Step = RunReport['steps'][number];

/** Migrations not yet (fully) applied, up to `toVersion`. */
export function pendingMigrations(migrations: Migration[], rows: HistoryRow[], toVersion: string | undefined): Migration[] {
  const done = new Set(rows.filter((r) => r.state === 'applied').map((r) => versionId(r.version)));
  const limit = toVersion === undefined ? undefined : versionKey(toVersion);
  return migrations.filter((m) => !done.has(versionId(m.versionKey)) && (!limit || compareVersionKeys(m.versionKey, limit) <= 0));
}

/** `after: X`: every version must already be applied in X, and verified there when it has a verify section. */
async function checkUpstream(project: Project, env: Environment, candidates: Migration[], options: RunOptions): Promise<void> {
  const upstreamName = env.info.after;
  if (!upstreamName || candidates.length === 0) return;
  const upstream = findEnvironment(project, upstreamName);
  let rows: HistoryRow[];
  try {
    rows = await withReadSession(upstream, options, ({ history }) => history.rows());
  } catch (error) {
    throw new RunnerInputError(`${env.name} applies only what ${upstreamName} has (after: ${upstreamName}), but ${upstreamName} cannot be read: ${errorMessage(error)}`);
  }
  const byVersion = new Map(rows.map((r) => [versionId(r.version), r]));
  const refusals: string[] = [];
  for (const m of candidates) {
    // A migration the upstream environment never takes cannot wait for it there.
    if (!appliesIn(m, upstreamName)) continue;
    const row = byVersion.get(versionId(m.versionKey));
    if (!row || row.state !== 'applied') refusals.push(`${m.version} is not applied in ${upstreamName}`);
    else if (row.checksum !== m.checksum) refusals.push(`${m.version} in ${upstreamName} was applied from a different file (checksum differs)`);
    else if (m.verify && row.verifyResult !== 'passed') refusals.push(`${m.version} is applied in ${upstreamName} but ${row.verifyResult === 'failed' ? 'failed verification' : 'not verified'} there`);
  }
  if (refusals.length) {
    const allowed = candidates.slice(0, candidates.findIndex((m) => refusals.some((r) => r.startsWith(`${m.version} `))));
    const hint = allowed.length ? `; apply up to ${allowed[allowed.length - 1].version} with --to ${allowed[allowed.length - 1].version}` : '';
    throw new RunnerInputError(`refusing to apply to ${env.name} (after: ${upstreamName}): ${refusals.join('; ')}${hint}`);
  }
}

export async function applyMigrations(project: Project, environment: string | undefined, options: RunOptions = {}): Promise<RunReport> {
  const env = findEnvironment(project, environment);
  requireConfirmation(env, options.confirm, 'apply migrations to');
  const migrations = migrationsFor(migrationsOnDisk(project, true).migrations, env.name);
  checkTarget(options.toVersion);
  const verifyAfter = options.verifyAfterApply ?? project.verifyAfterApply;
  return withLockedSession(env, options, async (session) => {
    // Read under the lock: another runner may have applied some of these a moment ago.
    const rows = await session.history.rows();
    const managed = await refuseUntracked(session.db, session.history, env, migrations, rows);
    if (managed) return applyInToolHistory(project, env, session, migrations, managed.managed, options);
    const { runnable: candidates, blockedBy } = untilBlocked(pendingMigrations(migrations, rows, options.toVersion), options.toVersion);
    await checkUpstream(project, env, candidates, options);
    const backup = candidates.length ? await session.backup?.run(session.history, candidates[0].version, options.progress, options.isCancelled) : undefined;
    const steps: Step[] = [];
    let failure: StatementFailure | undefined;
    let stopped = false;
    const newestApplied = rows
      .filter((r) => r.state === 'applied')
      .map((r) => ({ version: r.version, key: versionKey(r.version) }))
      .sort((a, b) => compareVersionKeys(b.key, a.key))[0];
    for (const [i, migration] of candidates.entries()) {
      if (options.isCancelled?.()) {
        steps.push({ version: migration.version, name: migration.name, action: 'apply', outcome: 'skipped', durationMs: 0, message: 'cancelled' });
        stopped = true;
        break;
      }
      options.progress?.(`applying ${migration.version} ${migration.name}`, Math.round((i / candidates.length) * 100));
      const row = rows.find((r) => versionId(r.version) === versionId(migration.versionKey));
      const result = await applyOne(project, env, session, migration, row, options);
      const newer = newestApplied && compareVersionKeys(migration.versionKey, newestApplied.key) < 0 ? newestApplied.version : undefined;
      if (newer && result.step.outcome === 'ok') result.step.message = [`out of order: older than ${newer}, applied before it`, result.step.message].filter(Boolean).join('; ');
      steps.push(result.step);
      if (result.failure || result.step.outcome !== 'ok') {
        failure = result.failure;
        stopped = true;
        break;
      }
      if (verifyAfter && migration.verify) {
        const outcome = await verifySection(session.db, session.history, migration, migration.verify, options.isCancelled);
        steps.push({ version: migration.version, name: migration.name, action: 'verify', outcome: outcome.passed ? 'ok' : 'failed', durationMs: outcome.durationMs, message: outcome.message });
        if (!outcome.passed) {
          failure = outcome.failure;
          stopped = true;
          break;
        }
      }
    }
    if (blockedBy && !stopped) {
      steps.push({ version: blockedBy.version, name: blockedBy.name, action: 'apply', outcome: 'skipped', durationMs: 0, message: `blocked: ${blockedBy.blockedReasons.join('; ')}` });
    }
    const applied = steps.filter((s) => s.action === 'apply' && s.outcome === 'ok').length;
    // After a lost connection the history cannot be read again; count from what this run knows.
    const remaining = await session.history
      .rows()
      .then((now) => pendingMigrations(migrations, now, undefined).length)
      .catch(() => pendingMigrations(migrations, rows, undefined).length - applied);
    let summary = `Applied ${applied} migration${applied === 1 ? '' : 's'} to ${env.name}; ${remaining} pending.`;
    if (candidates.length === 0) summary = `Nothing to apply to ${env.name}: ${options.toVersion ? `everything up to ${options.toVersion} is applied` : 'it is up to date'}.`;
    if (blockedBy && !stopped) summary = `${candidates.length ? summary : `Nothing applied to ${env.name}.`} Stopped before ${describeBlock(blockedBy)}; the migrations after it wait too.`;
    if (stopped) {
      const last = steps[steps.length - 1];
      summary += ` Stopped at ${last.version} (${last.action} ${last.outcome === 'skipped' ? 'cancelled' : 'failed'})${failure ? ` at ${failureLocation(project, failure)}` : ''}: ${last.message}`;
    }
    return { environment: env.name, steps, failure: failure && { ...failure }, backup, summary: withBackupNote(project.root, backup, summary) };
  }, project.root);
}

/**
 * Resuming goes by position: statements 1..from ran from the file as it was then (the history keeps
 * that text). If one of them has changed since, resuming would leave the database matching neither
 * version of the file — an edited statement never runs, or an inserted one shifts what is skipped —
 * so refuse, and say which statement differs and how to get out.
 */
function refuseChangedPrefix(migration: Migration, statements: readonly Statement[], row: HistoryRow, from: number): void {
  const ran = splitStatements(row.upSql).map((span) => row.upSql.slice(span.start, span.end));
  const changed = statements.slice(0, from).findIndex((s, i) => ran[i] === undefined || normaliseForChecksum(ran[i]) !== normaliseForChecksum(s.text));
  if (changed < 0) return;
  const line = migration.up.file.positionAt(statements[changed].start).line + 1;
  throw new RunnerInputError(
    `cannot resume ${migration.version} (${migration.name}): it ran without a transaction and stopped after statement ${from}, ` +
      `but statement ${changed + 1} (${migration.up.file.path}:${line}) is not the one that ran then; resuming at statement ${from + 1} ` +
      `would leave the database matching neither version of the file. Put statements 1-${from} back as they ran (the history holds the ` +
      `SQL that ran) and change only later ones, or roll the migration back (its down section must cope with the part that ran) and apply it again.`,
  );
}

/**
 * The last run stopped while statement `index` + 1 — one PostgreSQL refuses in a transaction — was
 * running: it may or may not have taken effect. For CREATE INDEX CONCURRENTLY the catalog tells
 * (no index: it did not finish; a valid one: it did; an INVALID one: its build was interrupted and
 * must be dropped); for anything else only the user can, so refuse unless they said which.
 */
async function startedStatementOutcome(
  session: Session,
  migration: Migration,
  statements: readonly Statement[],
  index: number,
  options: RunOptions,
): Promise<{ ran: boolean; message: string }> {
  const statement = statements[index];
  const n = index + 1;
  const where = `statement ${n} (${migration.up.file.path}:${migration.up.file.positionAt(statement.start).line + 1})`;
  const index_ = (statement.node as { IndexStmt?: { concurrent?: boolean; idxname?: string; relation?: { schemaname?: string } } } | undefined)?.IndexStmt;
  if (index_?.concurrent && index_.idxname) {
    const name = [index_.relation?.schemaname, index_.idxname].filter(Boolean).map((part) => `"${part!.replace(/"/g, '""')}"`).join('.');
    const r = await session.db.query('SELECT i.indisvalid AS valid FROM pg_index i WHERE i.indexrelid = to_regclass($1)', [name]);
    if (r.rows.length === 0) return { ran: false, message: `${where} was running when the last run stopped; index ${index_.idxname} does not exist, so it had not finished: ran it again` };
    if (r.rows[0].valid === true) return { ran: true, message: `${where} was running when the last run stopped; index ${index_.idxname} exists and is valid, so it had finished` };
    throw new RunnerInputError(
      `cannot resume ${migration.version} (${migration.name}): ${where}, CREATE INDEX CONCURRENTLY, was running when the last run stopped, and index ${index_.idxname} ` +
        `exists but is INVALID (its build was interrupted). Drop it (DROP INDEX CONCURRENTLY ${name}) and apply again.`,
    );
  }
  if (options.startedStatement === 'ran') return { ran: true, message: `${where} may or may not have run when the last run stopped; counted as run (--started-statement ran)` };
  if (options.startedStatement === 'again') return { ran: false, message: `${where} may or may not have run when the last run stopped; ran it again (--started-statement again)` };
  throw new RunnerInputError(
    `cannot resume ${migration.version} (${migration.name}): ${where} runs outside a transaction and was running when the last run stopped; it may or may not have run. ` +
      `Check the database, then apply with --started-statement ran (it took effect: continue after it) or --started-statement again (it did not: run it again).`,
  );
}

interface OneResult {
  step: Step;
  failure?: StatementFailure;
}

async function applyOne(project: Project, env: Environment, session: Session, migration: Migration, row: HistoryRow | undefined, options: RunOptions): Promise<OneResult> {
  const plan = await planSection(migration.up, migration.noTransactionDirective);
  const started = Date.now();
  const base = { version: migration.version, name: migration.name, action: 'apply' as const };
  const historyRow = (state: 'applied' | 'failed', statementsDone: number, error?: string) => ({
    version: migration.version,
    name: migration.name,
    checksum: migration.checksum,
    upSql: migration.up.text,
    downSql: migration.down?.text,
    verifySql: migration.verify?.text,
    durationMs: Date.now() - started,
    state,
    statementsDone,
    error,
  });
  // A failing pre-check stops the migration before its first statement: said so in the step.
  let checkFailed = false;
  const failedCheck = (error: unknown): never => {
    checkFailed = error instanceof StatementError;
    throw error;
  };
  try {
    if (plan.conflictingControl) {
      const s = plan.conflictingControl;
      throw new StatementError(
        {
          version: migration.version,
          file: migration.up.file.path,
          ...migration.up.file.positionAt(s.start),
          statement: s.text,
          message: `${s.text.trim()} would end the transaction Tidemark runs this migration in; remove it, or add -- tidemark:no-transaction to run the migration statement by statement`,
        },
        undefined,
      );
    }
    let message: string | undefined;
    if (plan.noTransactionReason) {
      let from = row?.state === 'failed' ? Math.min(row.statementsDone, plan.statements.length) : 0;
      if (row && from > 0) refuseChangedPrefix(migration, plan.statements, row, from);
      const resumeNote = row?.state === 'failed' && row.statementStarted === from + 1 ? await startedStatementOutcome(session, migration, plan.statements, from, options) : undefined;
      if (resumeNote?.ran) from += 1;
      // Pre-checks guard the first statement; a resumed migration is past them.
      const checked = migration.check && from === 0 ? await session.db.transaction(() => runVerifyChecks(session.db, migration, migration.check!, options.isCancelled), { rollback: true }).catch(failedCheck) : undefined;
      message = [checked !== undefined ? preChecksPassed(checked) : '', `ran without a transaction: ${plan.noTransactionReason}${from ? `; resumed at statement ${from + 1}` : ''}`, resumeNote?.message].filter(Boolean).join('; ');
      // The row exists before the first statement so that a crash leaves an honest record.
      await session.history.upsert(historyRow('failed', from, 'started; not finished'));
      await setTimeouts(session.db, env, 'SESSION');
      let done = from;
      let inOwnTransaction = false;
      try {
        await runStatements(session.db, migration, plan, {
          from,
          isCancelled: options.isCancelled,
          // A statement and its progress commit together, so a lost connection cannot leave one
          // without the other; only what PostgreSQL refuses in a transaction runs bare, marked as
          // started first so that a resume knows it may or may not have run.
          step: async (i, statement, execute) => {
            const control = transactionControl(statement.node);
            const bare = control !== undefined || inOwnTransaction || transactionIncompatibility(statement.node) !== undefined;
            if (control) inOwnTransaction = /^(BEGIN|START)/.test(control) ? true : /^(COMMIT|ROLLBACK|END|PREPARE)$/.test(control) ? false : inOwnTransaction;
            if (!bare) {
              await session.db.transaction(async () => {
                await execute();
                await session.history.recordProgress(migration.version, i + 1, 'started; not finished');
              });
            } else {
              const marked = !control && !inOwnTransaction;
              if (marked) await session.history.recordProgress(migration.version, i, 'started; not finished', i + 1);
              await execute();
              await session.history.recordProgress(migration.version, i + 1, 'started; not finished');
            }
            done = i + 1;
          },
        });
      } catch (error) {
        // A lost connection cannot record anything; the row keeps the last progress written.
        const note = error instanceof StatementError ? error.failure.message : error instanceof CancelledError ? 'cancelled' : errorMessage(error);
        await session.history.recordProgress(migration.version, done, note).catch(() => undefined);
        throw error;
      } finally {
        await resetTimeouts(session.db, env);
      }
      await session.history.upsertWithEvent(historyRow('applied', plan.statements.length), 'apply', message);
    } else {
      await session.db.transaction(async () => {
        await setTimeouts(session.db, env, 'LOCAL');
        if (migration.check) message = preChecksPassed(await runVerifyChecks(session.db, migration, migration.check, options.isCancelled).catch(failedCheck));
        await runStatements(session.db, migration, plan, { isCancelled: options.isCancelled });
        await session.history.upsertWithEvent(historyRow('applied', plan.statements.length), 'apply', message);
      });
    }
    return { step: { ...base, outcome: 'ok', durationMs: Date.now() - started, message } };
  } catch (error) {
    const durationMs = Date.now() - started;
    if (error instanceof CancelledError) {
      await session.history.event(migration.version, 'fail', durationMs, 'cancelled').catch(() => undefined);
      return { step: { ...base, outcome: 'skipped', durationMs, message: plan.noTransactionReason ? 'cancelled between statements; progress is recorded' : 'cancelled; rolled back' } };
    }
    const failure = error instanceof StatementError ? error.failure : undefined;
    const lost = (error instanceof StatementError ? error.cause : error) instanceof ServerError && ((error instanceof StatementError ? error.cause : error) as ServerError).connectionLost;
    const where = failure ? failureLocation(project, failure) : undefined;
    const message = `${failure ? failure.message : errorMessage(error)}${checkFailed ? '; nothing was changed' : plan.noTransactionReason ? '' : ' (rolled back)'}`;
    if (!lost) await session.history.event(migration.version, 'fail', durationMs, where ? `${where}: ${message}` : message).catch(() => undefined);
    if (!failure && !(error instanceof ServerError)) throw error;
    return { step: { ...base, outcome: 'failed', durationMs, message }, failure };
  }
}
