/**
 * Running the statements of one section and turning what the server says about a failing
 * statement into a place in the migration file.
 */
import type { Migration, MigrationExecution, Section } from '../migrations/types';
import type { StatementFailure } from '../protocol';
import { ensureParser } from '../sql/parse';
import { SourceFile } from '../sql/source';
import { parseStatements, type Statement } from '../sql/statements';
import { transactionControl, transactionIncompatibility } from '../sql/transaction';
import { describeExecution, TIDEMARK_NO_TRANSACTION, withUpStatements } from '../migrations/execution';
import { ServerError, type DatabaseAdapter } from '../database/adapter';
import type { Environment } from '../database/environments';

export class CancelledError extends Error {
  constructor() {
    super('cancelled');
  }
}

/** A statement failed: where, and what the server said. */
export class StatementError extends Error {
  constructor(
    readonly failure: StatementFailure,
    override readonly cause: unknown,
    /** Index of the failing statement in its section. */
    readonly index?: number,
  ) {
    super(failure.message);
  }
}

export interface SectionPlan {
  section: Section;
  statements: Statement[];
  /**
   * How the section runs: the migration's MigrationExecution.transaction (the one description the
   * layout readers and lint share), made `own` when the section opens and commits its own
   * transaction, and `none` when a statement cannot run in one.
   */
  transaction: MigrationExecution['transaction'];
  /** Why the section must run statement by statement outside a transaction; undefined when it can run in one. */
  noTransactionReason?: string;
  /** Transaction control written into the section that Tidemark's own transaction replaces (a wrapping BEGIN ... COMMIT). */
  skipped: Set<number>;
  /** Transaction control in the middle of a section that would end Tidemark's transaction. */
  conflictingControl?: Statement;
}

/** What planSection reads of a migration; undefined for a section known only from history (its file is gone): wrapped. */
export type PlannedMigration = Pick<Migration, 'execution' | 'noTransactionDirective'> | undefined;

/**
 * Parses a section and decides how it must run, from `migration.execution`: a section of a
 * migration whose layout runs it without a transaction (goose NO TRANSACTION, diesel, a sqitch
 * script that opens none, the directive) runs statement by statement; one that owns its
 * transaction runs as written (withUpStatements); a statement PostgreSQL refuses in a
 * transaction makes it `none` whatever the layout says.
 */
export async function planSection(section: Section, migration: PlannedMigration): Promise<SectionPlan> {
  await ensureParser();
  const statements = parseStatements(section.text, section.offset, section.breaks);
  const declared: MigrationExecution = migration?.execution ?? describeExecution('dbmate');
  let noTransactionReason: string | undefined = declared.transaction === 'none' || migration?.noTransactionDirective ? declaredNoTransaction(migration!) : undefined;
  for (const s of statements) {
    const why = transactionIncompatibility(s.node);
    if (why && !noTransactionReason) noTransactionReason = `${why} (line ${section.file.positionAt(s.start).line + 1}) cannot run inside a transaction`;
  }
  // The section's own statements decide `own`: a down may own its transaction while its up does not.
  let { transaction } = withUpStatements({ ...declared, transaction: declared.transaction === 'own' ? 'wrapped' : declared.transaction }, statements);
  if (transaction === 'wrapped' && noTransactionReason) transaction = 'none';
  const skipped = new Set<number>();
  let conflictingControl: Statement | undefined;
  if (transaction === 'wrapped') {
    statements.forEach((s, i) => {
      const control = transactionControl(s.node);
      if (!control) return;
      const wrapsStart = i === 0 && /^(BEGIN|START)$/.test(control);
      const wrapsEnd = i === statements.length - 1 && /^(COMMIT|END)$/.test(control);
      if (wrapsStart || wrapsEnd) skipped.add(i);
      else conflictingControl ??= s;
    });
  }
  return { section, statements, transaction, noTransactionReason, skipped, conflictingControl };
}

/** Why a migration runs without a transaction as its layout describes it. */
function declaredNoTransaction(migration: NonNullable<PlannedMigration>): string {
  const { layout, transaction, noTransactionMarker } = migration.execution;
  // sqitch has no marker: psql runs a script that opens no transaction as it is.
  if (transaction === 'none' && layout === 'sqitch' && !migration.noTransactionDirective) return 'sqitch runs a script that opens no transaction statement by statement (psql)';
  return noTransactionMarker ?? TIDEMARK_NO_TRANSACTION;
}

/** The SQL section a migration's files hold, or the text stored in history when the file is gone. */
export function storedSection(kind: Section['kind'], text: string, label: string): Section {
  return { kind, file: new SourceFile(label, text), offset: 0, text };
}

/** Converts the server's 1-based character position inside `statement.text` to a file offset. */
export function fileOffsetOfPosition(statement: Statement, position: number | undefined): number {
  if (!position || position < 1) return statement.start;
  let offset = 0;
  // The server counts characters (code points); JavaScript strings count UTF-16 units.
  for (let n = 1; n < position && offset < statement.text.length; n++) offset += statement.text.codePointAt(offset)! > 0xffff ? 2 : 1;
  return statement.start + offset;
}

export function statementFailure(migration: Pick<Migration, 'version'>, section: Section, statement: Statement | undefined, error: unknown): StatementFailure {
  const message = errorMessage(error);
  const offset = statement ? fileOffsetOfPosition(statement, error instanceof ServerError ? error.position : undefined) : section.offset;
  const pos = section.file.positionAt(offset);
  return {
    version: migration.version,
    file: section.file.path,
    line: pos.line,
    character: pos.character,
    statement: statement?.text ?? '',
    message,
  };
}

export function errorMessage(error: unknown): string {
  if (error instanceof ServerError) {
    return [error.message, error.detail ? `DETAIL: ${error.detail}` : '', error.hint ? `HINT: ${error.hint}` : ''].filter(Boolean).join(' ');
  }
  return error instanceof Error ? error.message : String(error);
}

/** SET LOCAL (in a transaction) or SET (session) of the environment's timeouts; values are integers. */
export async function setTimeouts(db: DatabaseAdapter, env: Environment, scope: 'LOCAL' | 'SESSION'): Promise<void> {
  const parts: string[] = [];
  if (env.lockTimeoutMs !== undefined) parts.push(`SET ${scope} lock_timeout = ${Math.floor(env.lockTimeoutMs)}`);
  if (env.statementTimeoutMs !== undefined) parts.push(`SET ${scope} statement_timeout = ${Math.floor(env.statementTimeoutMs)}`);
  if (parts.length) await db.exec(parts.join('; '));
}

export async function resetTimeouts(db: DatabaseAdapter, env: Environment): Promise<void> {
  const parts: string[] = [];
  if (env.lockTimeoutMs !== undefined) parts.push('RESET lock_timeout');
  if (env.statementTimeoutMs !== undefined) parts.push('RESET statement_timeout');
  if (parts.length) await db.exec(parts.join('; ')).catch(() => undefined);
}

/** Runs one statement through `execute`, with whatever bookkeeping belongs around it. */
export type StatementStep = (index: number, statement: Statement, execute: () => Promise<void>) => Promise<void>;

/**
 * Runs statements `from`..end one by one, each through `step` when given (else bare, then
 * `after`); throws StatementError naming the statement that failed.
 */
export async function runStatements(
  db: DatabaseAdapter,
  migration: Pick<Migration, 'version'>,
  plan: SectionPlan,
  options: { from?: number; isCancelled?: () => boolean; after?: (index: number, statement: Statement) => Promise<void>; step?: StatementStep } = {},
): Promise<void> {
  for (let i = options.from ?? 0; i < plan.statements.length; i++) {
    if (plan.skipped.has(i)) continue;
    if (options.isCancelled) {
      // PGlite runs in this thread and its queries can resolve without giving I/O a turn; yield so
      // a cancellation message that arrived meanwhile is read before asking.
      await new Promise((resolve) => setImmediate(resolve));
      if (options.isCancelled()) throw new CancelledError();
    }
    const statement = plan.statements[i];
    const execute = async () => {
      try {
        await db.query(statement.text);
      } catch (error) {
        throw new StatementError(statementFailure(migration, plan.section, statement, error), error, i);
      }
    };
    if (options.step) await options.step(i, statement, execute);
    else {
      await execute();
      await options.after?.(i, statement);
    }
  }
}
