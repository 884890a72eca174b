/**
 * Applying one migration. One that can run in a transaction runs in one together with its history
 * row; one that cannot (CREATE INDEX CONCURRENTLY, VACUUM, ... or `-- tidemark:no-transaction`)
 * runs statement by statement with its progress recorded, and resumes at the failed statement once
 * the file is fixed; so does one that opens and commits its own transaction (BEGIN ... COMMIT),
 * run as written with its blocks kept. Pre-checks (`-- migrate:check`) run first; a failing one
 * changes nothing.
 */
import type { Migration } from '../migrations/types';
import { normaliseForChecksum } from '../migrations/checksum';
import type { StatementFailure } from '../protocol';
import { ServerError } from '../database/adapter';
import { RunnerInputError, type Environment, type Project } from '../database/environments';
import type { HistoryRow } from '../database/history';
import { splitStatements } from '../sql/split';
import type { Statement } from '../sql/statements';
import { callsProcedure, transactionControl, transactionIncompatibility } from '../sql/transaction';
import { CancelledError, errorMessage, planSection, resetTimeouts, runStatements, setTimeouts, StatementError, type SectionPlan } from './execution';
import { failureLocation, historyFilesOf, type RunOptions, type Session } from './session';
import type { Step } from './steps';
import { preChecksPassed, runVerifyChecks } from './verify';

/** A pre-check failed: the migration stopped before its first statement, so nothing was changed. */
class PreCheckFailed extends StatementError {}

const asPreCheckFailure = (error: unknown): never => {
  throw error instanceof StatementError ? new PreCheckFailed(error.failure, error.cause, error.index) : error;
};

export interface AppliedOne {
  step: Step;
  failure?: StatementFailure;
}

/** Applies migrations one at a time in one session on one environment. */
export class MigrationApplier {
  constructor(
    private readonly project: Project,
    private readonly env: Environment,
    private readonly session: Session,
    private readonly options: RunOptions,
  ) {}

  /** Statements applied for good (committed) by the last statement-by-statement run, for its failure's message. */
  private done = 0;

  /** `row` is the migration's history row from an earlier run that stopped half-way, if any. */
  async apply(migration: Migration, row: HistoryRow | undefined): Promise<AppliedOne> {
    const plan = await planSection(migration.up, migration);
    const started = Date.now();
    const base = { version: migration.version, name: migration.name, action: 'apply' as const };
    // The migration's own notices (a backfill's rows done of the total) as they arrive, as psql shows them.
    const progress = this.options.progress;
    const stopNotices = progress ? this.session.db.onNotice((message) => progress(`${migration.version}: ${message}`)) : undefined;
    try {
      refuseTransactionControl(migration, plan);
      const byStatement = plan.transaction !== 'wrapped';
      const message = byStatement ? await this.statementByStatement(migration, plan, row, started) : await this.inTransaction(migration, plan, started);
      return { step: { ...base, outcome: 'ok', durationMs: Date.now() - started, message } };
    } catch (error) {
      return this.failed(migration, plan, error, Date.now() - started);
    } finally {
      stopNotices?.();
    }
  }

  /** The whole migration, its pre-checks and its history row in one transaction. */
  private async inTransaction(migration: Migration, plan: SectionPlan, started: number): Promise<string | undefined> {
    const { db, history } = this.session;
    let message: string | undefined;
    await db.transaction(async () => {
      await setTimeouts(db, this.env, 'LOCAL');
      if (migration.precheck) message = preChecksPassed(await runVerifyChecks(db, migration, migration.precheck, this.options.isCancelled).catch(asPreCheckFailure));
      await runStatements(db, migration, plan, { isCancelled: this.options.isCancelled });
      await history.upsertWithEvent(historyRow(migration, 'applied', plan.statements.length, started), 'apply', message);
    });
    return message;
  }

  /**
   * Statement by statement, each committed with its progress, resuming where an earlier run
   * stopped. The row exists before the first statement so that a crash leaves an honest record.
   */
  private async statementByStatement(migration: Migration, plan: SectionPlan, row: HistoryRow | undefined, started: number): Promise<string> {
    const { db, history } = this.session;
    let from = row?.state === 'failed' ? Math.min(row.statementsDone, plan.statements.length) : 0;
    if (row && from > 0) refuseChangedPrefix(migration, plan.statements, row, from);
    const resumeNote =
      row?.state === 'failed' && row.statementStarted === from + 1 ? await startedStatementOutcome(this.session, migration, plan.statements, from, this.options) : undefined;
    if (resumeNote?.ran) from += 1;
    // Pre-checks guard the first statement; a resumed migration is past them.
    const checked =
      migration.precheck && from === 0
        ? await db.transaction(() => runVerifyChecks(db, migration, migration.precheck!, this.options.isCancelled), { rollback: true }).catch(asPreCheckFailure)
        : undefined;
    const message = [
      checked !== undefined ? preChecksPassed(checked) : '',
      `${plan.transaction === 'own' ? 'ran as written: the file opens and commits its own transaction' : `ran without a transaction: ${plan.noTransactionReason}`}${from ? `; resumed at statement ${from + 1}` : ''}`,
      resumeNote?.message,
    ]
      .filter(Boolean)
      .join('; ');
    await history.upsert(historyRow(migration, 'failed', from, started, 'started; not finished'));
    await setTimeouts(db, this.env, 'SESSION');
    this.done = from;
    // Where the transaction the file opened (BEGIN) is, while it is open.
    let ownBlockStart: number | undefined;
    try {
      await runStatements(db, migration, plan, {
        from,
        isCancelled: this.options.isCancelled,
        // A statement and its progress commit together, so a lost connection cannot leave one
        // without the other; only what PostgreSQL refuses in a transaction runs bare, marked as
        // started first so that a resume knows it may or may not have run; so does a CALL, whose
        // procedure may commit. Inside a transaction
        // the file opens, statements run as written and the progress is written just before its
        // COMMIT, in that transaction: the block and its progress commit together or not at all.
        step: async (i, statement, execute) => {
          const control = transactionControl(statement.node);
          if (control === 'BEGIN' || control === 'START') {
            await execute();
            ownBlockStart = i;
            return;
          }
          if (ownBlockStart !== undefined) {
            if (control === 'COMMIT') await history.recordProgress(migration.version, i + 1, 'started; not finished');
            await execute();
            if (control === 'ROLLBACK' || control === 'PREPARE') await history.recordProgress(migration.version, i + 1, 'started; not finished');
            if (control === 'COMMIT' || control === 'ROLLBACK' || control === 'PREPARE') {
              ownBlockStart = undefined;
              this.done = i + 1;
            }
            return;
          }
          const bare = control !== undefined || transactionIncompatibility(statement.node) !== undefined || callsProcedure(statement.node);
          if (!bare) {
            await db.transaction(async () => {
              await execute();
              await history.recordProgress(migration.version, i + 1, 'started; not finished');
            });
          } else {
            if (!control) await history.recordProgress(migration.version, i, 'started; not finished', i + 1);
            await execute();
            await history.recordProgress(migration.version, i + 1, 'started; not finished');
          }
          this.done = i + 1;
        },
      });
    } catch (error) {
      // A failure inside the file's own transaction aborted it: end it, so the progress (the
      // statements before its BEGIN) can be written and the session used again.
      if (ownBlockStart !== undefined) await db.query('ROLLBACK').catch(() => undefined);
      // A lost connection cannot record anything; the row keeps the last progress written.
      const note = error instanceof StatementError ? error.failure.message : error instanceof CancelledError ? 'cancelled' : errorMessage(error);
      await history.recordProgress(migration.version, this.done, note).catch(() => undefined);
      throw error;
    } finally {
      await resetTimeouts(db, this.env);
    }
    await history.upsertWithEvent(historyRow(migration, 'applied', plan.statements.length, started), 'apply', message);
    return message;
  }

  /** The step of a migration that failed or was cancelled, with a `fail` event where the connection still allows one. */
  private async failed(migration: Migration, plan: SectionPlan, error: unknown, durationMs: number): Promise<AppliedOne> {
    const { history } = this.session;
    const base = { version: migration.version, name: migration.name, action: 'apply' as const };
    if (error instanceof CancelledError) {
      await history.event(migration.version, 'fail', durationMs, 'cancelled').catch(() => undefined);
      return {
        step: {
          ...base,
          outcome: 'skipped',
          durationMs,
          message: plan.transaction !== 'wrapped' ? 'cancelled between statements; progress is recorded' : 'cancelled; rolled back',
        },
      };
    }
    const failure = error instanceof StatementError ? error.failure : undefined;
    const cause = error instanceof StatementError ? error.cause : error;
    const lost = cause instanceof ServerError && cause.connectionLost;
    const where = failure ? failureLocation(this.project, failure) : undefined;
    const state =
      plan.transaction === 'own'
        ? `; ${this.done} of ${plan.statements.length} statements are applied (committed), the rest are not: apply again resumes at statement ${this.done + 1}`
        : '';
    const message = `${failure ? failure.message : errorMessage(error)}${error instanceof PreCheckFailed ? '; nothing was changed' : plan.transaction !== 'wrapped' ? state : ' (rolled back)'}`;
    if (!lost) await history.event(migration.version, 'fail', durationMs, where ? `${where}: ${message}` : message).catch(() => undefined);
    if (!failure && !(error instanceof ServerError)) throw error;
    return { step: { ...base, outcome: 'failed', durationMs, message }, failure };
  }
}

function historyRow(migration: Migration, state: 'applied' | 'failed', statementsDone: number, started: number, error?: string) {
  return {
    ...historyFilesOf(migration),
    durationMs: Date.now() - started,
    state,
    statementsDone,
    error,
  };
}

/** COMMIT or ROLLBACK in a migration Tidemark wraps in a transaction would end that transaction. */
function refuseTransactionControl(migration: Migration, plan: SectionPlan): void {
  const s = plan.conflictingControl;
  if (!s) return;
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
    const name = [index_.relation?.schemaname, index_.idxname]
      .filter(Boolean)
      .map((part) => `"${part!.replace(/"/g, '""')}"`)
      .join('.');
    const r = await session.db.query('SELECT i.indisvalid AS valid FROM pg_index i WHERE i.indexrelid = to_regclass($1)', [name]);
    if (r.rows.length === 0)
      return { ran: false, message: `${where} was running when the last run stopped; index ${index_.idxname} does not exist, so it had not finished: ran it again` };
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
