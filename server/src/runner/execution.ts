/**
 * Running the statements of one section and turning what the server says about a failing
 * statement into a place in the migration file.
 */
import type { Migration, Section } from '../migrations/types';
import type { StatementFailure } from '../protocol';
import { ensureParser } from '../sql/parse';
import { SourceFile } from '../sql/source';
import { parseStatements, type Statement } from '../sql/statements';
import { transactionControl, transactionIncompatibility } from '../sql/transaction';
import { ownsTransaction, TIDEMARK_NO_TRANSACTION } from '../migrations/execution';
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
  /** Why the section must run statement by statement outside a transaction; undefined when it can run in one. */
  noTransactionReason?: string;
  /** Transaction control written into the section that Tidemark's own transaction replaces (a wrapping BEGIN ... COMMIT). */
  skipped: Set<number>;
  /** Transaction control in the middle of a section that would end Tidemark's transaction. */
  conflictingControl?: Statement;
  /**
   * The section opens and commits its own transaction (BEGIN ... COMMIT): it runs as written,
   * statement by statement, its blocks kept and never wrapped again (execution `own`).
   */
  ownTransaction: boolean;
}

/**
 * Parses a section and decides how it must run. `noTransaction` is what in the file says it runs
 * without a transaction, in its tool's words (noTransactionMarker); `true` for Tidemark's directive.
 */
export async function planSection(section: Section, noTransaction: boolean | string | undefined): Promise<SectionPlan> {
  await ensureParser();
  const statements = parseStatements(section.text, section.offset, section.breaks);
  let noTransactionReason: string | undefined = typeof noTransaction === 'string' ? noTransaction : noTransaction ? TIDEMARK_NO_TRANSACTION : undefined;
  for (const s of statements) {
    const why = transactionIncompatibility(s.node);
    if (why && !noTransactionReason) noTransactionReason = `${why} (line ${section.file.positionAt(s.start).line + 1}) cannot run inside a transaction`;
  }
  const skipped = new Set<number>();
  let conflictingControl: Statement | undefined;
  const ownTransaction = ownsTransaction(statements);
  if (!noTransactionReason && !ownTransaction) {
    statements.forEach((s, i) => {
      const control = transactionControl(s.node);
      if (!control) return;
      const wrapsStart = i === 0 && /^(BEGIN|START)$/.test(control);
      const wrapsEnd = i === statements.length - 1 && /^(COMMIT|END)$/.test(control);
      if (wrapsStart || wrapsEnd) skipped.add(i);
      else conflictingControl ??= s;
    });
  }
  return { section, statements, noTransactionReason, skipped, conflictingControl, ownTransaction };
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
