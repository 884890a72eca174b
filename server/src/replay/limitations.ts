/**
 * What the shadow database cannot do the way a server does, and how a statement is sent to it:
 * CONCURRENTLY is dropped (the check runs in a transaction), statements that can never run in a
 * transaction are not replayed, and failures that come from the shadow's limits (an extension
 * PGlite lacks, a missing role, a foreign server) are limitations, not the migration's errors.
 */
import { nodeType, type Statement } from '../sql/statements';
import { transactionControl, transactionIncompatibility } from '../sql/transaction';
import { ServerError } from '../database/adapter';

export interface ShadowText {
  /** The SQL sent: the statement, with CONCURRENTLY blanked to spaces (server positions still match). */
  sql: string;
  /** Why the statement was changed for the shadow. */
  note?: string;
}

const FOREIGN_DATA = new Set([
  'CreateFdwStmt',
  'CreateForeignServerStmt',
  'CreateUserMappingStmt',
  'ImportForeignSchemaStmt',
  'CreateForeignTableStmt',
  'AlterFdwStmt',
  'AlterForeignServerStmt',
]);

/** The text to run in the shadow, or undefined for a statement the shadow does not replay. */
export function shadowStatementText(statement: Statement): ShadowText | undefined {
  if (transactionControl(statement.node)) return undefined;
  const why = transactionIncompatibility(statement.node);
  if (!why) return { sql: statement.text };
  if (/CONCURRENTLY/.test(why)) {
    const sql = statement.text.replace(/\bconcurrently\b/i, (w) => ' '.repeat(w.length));
    return { sql, note: `${why} ran without CONCURRENTLY in the shadow database (the check runs in a transaction)` };
  }
  return undefined;
}

/** Why a statement that cannot run in a transaction was not replayed. */
export function notReplayedReason(statement: Statement): string | undefined {
  if (transactionControl(statement.node)) return undefined;
  const why = transactionIncompatibility(statement.node);
  return why && !/CONCURRENTLY/.test(why) ? `${why} was not replayed: it cannot run in the shadow's transaction` : undefined;
}

/**
 * The reason a failure comes from the shadow rather than the migration, or undefined when the
 * migration itself is wrong.
 */
export function shadowLimitation(statement: Statement, error: unknown): string | undefined {
  const message = error instanceof Error ? error.message : String(error);
  const code = error instanceof ServerError ? error.code : undefined;
  const type = nodeType(statement.node);
  if (type === 'CreateExtensionStmt')
    return /^extension ".+" (is not available|ships with PGlite)/.test(message) ? message : `the shadow database (PGlite) cannot create this extension: ${message}`;
  // file_fdw loads like any extension; a wrapper or server that is not there (postgres_fdw, a server the platform provides) is the shadow's limit.
  if (type && FOREIGN_DATA.has(type) && (code === '42704' || /foreign-data wrapper|server .* does not exist/i.test(message))) {
    return `the shadow database lacks this foreign-data wrapper or server: ${message}`;
  }
  const role = /^role "(.+)" does not exist$/.exec(message);
  if (role) return `role ${role[1]} does not exist in the shadow database; list it in "check": {"roles": [...]} in tidemark.json`;
  if (/extension|could not access file|could not load library/i.test(message) && (code === '58P01' || code === '0A000' || code === '42704')) {
    return `the shadow database (PGlite) lacks what this statement needs: ${message}`;
  }
  return undefined;
}
