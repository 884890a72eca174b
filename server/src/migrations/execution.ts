/**
 * The one description of how a migration will run (MigrationExecution), from what its layout
 * reader found. Lint rules and the runner read it instead of asking which tool a file belongs to.
 */
import type { Node } from '@pgsql/types';
import { transactionControl } from '../sql/transaction';
import type { LayoutId, LayoutKind, MigrationExecution } from './types';

/** The tool layout a file-name classification stands for, until every layout has its own reader. */
const LAYOUT_OF_KIND: Record<LayoutKind, LayoutId> = {
  sections: 'dbmate',
  paired: 'golang-migrate',
  folders: 'folders',
  flyway: 'flyway',
};

export function describeExecution(layout: LayoutKind, noTransactionDirective: boolean, upStatements: readonly { node?: Node }[] = []): MigrationExecution {
  const transaction = ownsTransaction(upStatements) ? 'own' : noTransactionDirective ? 'none' : 'wrapped';
  return {
    layout: LAYOUT_OF_KIND[layout],
    transaction,
    downsByDesign: true,
    // A no-transaction migration that fails is resumed at the failed statement: what ran before it
    // stays, and the statement itself may have half-run, so it must be safe to run again.
    canRunTwice: transaction === 'none',
  };
}

/**
 * True when a section opens its own transaction and commits it (a top-level BEGIN or START
 * TRANSACTION, then COMMIT or END): golang-migrate and sqitch files do, psql scripts do. Such a
 * section runs as written, its blocks kept, never wrapped in another transaction.
 */
export function ownsTransaction(statements: readonly { node?: Node }[]): boolean {
  let opened = false;
  for (const statement of statements) {
    const control = transactionControl(statement.node);
    if (control === 'BEGIN' || control === 'START') opened = true;
    else if (control === 'COMMIT' && opened) return true;
  }
  return false;
}
