/**
 * Statements PostgreSQL refuses to run inside a transaction block. The runner switches a
 * migration holding one to statement-by-statement mode; the linter warns where that is risky.
 */
import type { Node } from '@pgsql/types';

/** Why the statement cannot run in a transaction (e.g. "CREATE INDEX CONCURRENTLY"), or undefined. */
export function transactionIncompatibility(_node: Node | undefined): string | undefined {
  return undefined;
}
