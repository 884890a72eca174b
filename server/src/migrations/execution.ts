/**
 * The one description of how a migration will run (MigrationExecution), built by each layout
 * reader from what it found. Lint rules and the runner read it instead of asking which tool a
 * file belongs to.
 */
import type { Node } from '@pgsql/types';
import { transactionControl } from '../sql/transaction';
import type { LayoutId, MigrationExecution } from './types';

export interface ExecutionFacts {
  /**
   * The file says it must not run in a transaction (goose NO TRANSACTION, diesel run_in_transaction = false, a directive);
   * a string says how, when the layout has more than one way (dbmate's `transaction:false` or Tidemark's directive).
   */
  noTransaction?: boolean | string;
  /** The layout has no down migrations by design (Prisma, Drizzle, Supabase, sqlx up-only files). */
  noDownsByDesign?: boolean;
  /** A repeatable migration (Flyway R__): run again whenever it changes. */
  repeatable?: boolean;
  generatedBy?: MigrationExecution['generatedBy'];
}

/** How each tool's files say "no transaction", for messages that name the marker the user wrote. */
export const NO_TRANSACTION_MARKERS: Partial<Record<LayoutId, string>> = {
  goose: 'the -- +goose NO TRANSACTION annotation',
  diesel: 'run_in_transaction = false in metadata.toml',
  sqlx: 'the -- no-transaction line',
  'node-pg-migrate': 'the -- no transaction header',
  atlas: 'the -- atlas:txmode none directive',
  liquibase: "the changeset's runInTransaction:false",
  'graphile-migrate': 'the --! no-transaction header',
};

/** The Tidemark directive's wording, where the layout has no marker of its own. */
export const TIDEMARK_NO_TRANSACTION = 'the -- tidemark:no-transaction directive';

/** dbmate's own way: `-- migrate:up transaction:false`. */
export const DBMATE_NO_TRANSACTION = 'the -- migrate:up transaction:false option';

export function describeExecution(layout: LayoutId, facts: ExecutionFacts = {}): MigrationExecution {
  const transaction = facts.noTransaction ? 'none' : 'wrapped';
  const marker = typeof facts.noTransaction === 'string' ? facts.noTransaction : (NO_TRANSACTION_MARKERS[layout] ?? TIDEMARK_NO_TRANSACTION);
  const downsByDesign = !facts.noDownsByDesign;
  // A no-transaction migration that fails is resumed at the failed statement: what ran before it
  // stays, and the statement itself may have half-run, so it must be safe to run again.
  const canRunTwice = transaction === 'none' || !!facts.repeatable;
  // Literals rather than spreads of optional parts (every migration of a folder is described; a
  // spread costs more than the rest), in the same key order.
  const execution: MigrationExecution =
    transaction === 'none' ? { layout, transaction, noTransactionMarker: marker, downsByDesign, canRunTwice } : { layout, transaction, downsByDesign, canRunTwice };
  if (facts.generatedBy) execution.generatedBy = facts.generatedBy;
  return execution;
}

/**
 * The execution once the up's statements are known: a file that opens and commits its own
 * transaction (ownsTransaction) runs as written (`own`), whatever its layout would do otherwise.
 */
export function withUpStatements(execution: MigrationExecution, upStatements: readonly { node?: Node }[]): MigrationExecution {
  return execution.transaction !== 'own' && ownsTransaction(upStatements) ? { ...execution, transaction: 'own' } : execution;
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

/** The project's lint settings that change how a migration counts as running (tidemark.json `lint`). */
export interface ExecutionPolicy {
  idempotency?: 'auto' | 'require' | 'off';
  rollbacks?: 'auto' | 'require' | 'off';
}

/**
 * The execution as the project's settings have it: a team that re-runs files by hand requires
 * idempotency everywhere ("require"), one that never rolls back needs no downs ("off").
 */
export function applyExecutionPolicy(execution: MigrationExecution, policy: ExecutionPolicy | undefined): MigrationExecution {
  const idempotency = policy?.idempotency ?? 'auto';
  const rollbacks = policy?.rollbacks ?? 'auto';
  if (idempotency === 'auto' && rollbacks === 'auto') return execution;
  return {
    ...execution,
    canRunTwice: idempotency === 'auto' ? execution.canRunTwice : idempotency === 'require',
    downsByDesign: rollbacks === 'auto' ? execution.downsByDesign : rollbacks === 'require',
  };
}
