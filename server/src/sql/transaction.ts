/**
 * Statements PostgreSQL refuses to run inside a transaction block ("cannot run inside a
 * transaction block"). The runner switches a migration holding one to statement-by-statement
 * mode; the linter warns where that leaves a migration half-applied on failure.
 */
import type { Node } from '@pgsql/types';
import { optionEnabled } from './options';
import { nodeTypeName, type AstNode } from './ast';

/** Why the statement cannot run in a transaction (e.g. "CREATE INDEX CONCURRENTLY"), or undefined. */
/**
 * A top-level CALL: the procedure may COMMIT or ROLLBACK (a batched backfill does), which
 * PostgreSQL allows only when the CALL is not inside a transaction block, so a runner going
 * statement by statement must not wrap it in one.
 */
export function callsProcedure(node: Node | undefined): boolean {
  return !!node && 'CallStmt' in (node as AstNode);
}

export function transactionIncompatibility(node: Node | undefined): string | undefined {
  if (!node) return undefined;
  const type = nodeTypeName(node);
  const body = type === undefined ? undefined : (node as AstNode)[type];
  const stmt = body as AstNode;
  switch (type) {
    case 'IndexStmt':
      return stmt.concurrent ? 'CREATE INDEX CONCURRENTLY' : undefined;
    case 'DropStmt':
      return stmt.concurrent ? 'DROP INDEX CONCURRENTLY' : undefined;
    case 'ReindexStmt':
      if (optionEnabled(stmt.params, 'concurrently')) return 'REINDEX CONCURRENTLY';
      // REINDEX SYSTEM / DATABASE run one transaction per table themselves.
      return stmt.kind === 'REINDEX_OBJECT_SYSTEM' || stmt.kind === 'REINDEX_OBJECT_DATABASE' ? 'REINDEX DATABASE/SYSTEM' : undefined;
    case 'AlterTableStmt':
      for (const cmd of stmt.cmds ?? []) {
        const c = (cmd as AstNode).AlterTableCmd;
        if (c?.subtype === 'AT_DetachPartition' && c.def?.PartitionCmd?.concurrent) return 'ALTER TABLE ... DETACH PARTITION CONCURRENTLY';
      }
      return undefined;
    case 'VacuumStmt':
      return stmt.is_vacuumcmd ? 'VACUUM' : undefined; // ANALYZE alone is fine in a transaction
    case 'AlterSystemStmt':
      return 'ALTER SYSTEM';
    case 'CreatedbStmt':
      return 'CREATE DATABASE';
    case 'DropdbStmt':
      return 'DROP DATABASE';
    case 'CreateTableSpaceStmt':
      return 'CREATE TABLESPACE';
    case 'DropTableSpaceStmt':
      return 'DROP TABLESPACE';
    case 'CreateSubscriptionStmt':
      // Only when it creates a replication slot, which is the default.
      return hasCreateSlotFalse(stmt.options) ? undefined : 'CREATE SUBSCRIPTION (with create_slot)';
    case 'DropSubscriptionStmt':
      return 'DROP SUBSCRIPTION';
    default:
      return undefined;
  }
}

function hasCreateSlotFalse(options: unknown): boolean {
  return (
    Array.isArray(options) &&
    options.some((o: AstNode) => o?.DefElem?.defname === 'create_slot' && (o.DefElem.arg?.Boolean?.boolval === false || /^(false|off)$/i.test(o.DefElem.arg?.String?.sval ?? '')))
  );
}

/** Transaction control written into a migration (BEGIN, COMMIT, ROLLBACK, SAVEPOINT...). */
export function transactionControl(node: Node | undefined): string | undefined {
  const stmt = (node as AstNode | undefined)?.TransactionStmt;
  if (!stmt) return undefined;
  return String(stmt.kind ?? '')
    .replace(/^TRANS_STMT_/, '')
    .replace(/_/g, ' ');
}
