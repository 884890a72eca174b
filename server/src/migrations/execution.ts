/**
 * The one description of how a migration will run (MigrationExecution), built by each layout
 * reader from what it found. Lint rules and the runner read it instead of asking which tool a
 * file belongs to.
 */
import type { LayoutId, MigrationExecution } from './types';

export interface ExecutionFacts {
  /** The file says it must not run in a transaction (goose NO TRANSACTION, diesel run_in_transaction = false, a directive). */
  noTransaction?: boolean;
  /** The layout has no down migrations by design (Prisma, Drizzle, Supabase, sqlx up-only files). */
  noDownsByDesign?: boolean;
  /** A repeatable migration (Flyway R__): run again whenever it changes. */
  repeatable?: boolean;
  generatedBy?: MigrationExecution['generatedBy'];
}

export function describeExecution(layout: LayoutId, facts: ExecutionFacts = {}): MigrationExecution {
  const transaction = facts.noTransaction ? 'none' : 'wrapped';
  return {
    layout,
    transaction,
    downsByDesign: !facts.noDownsByDesign,
    // A no-transaction migration that fails is resumed at the failed statement: what ran before it
    // stays, and the statement itself may have half-run, so it must be safe to run again.
    canRunTwice: transaction === 'none' || !!facts.repeatable,
    ...(facts.generatedBy ? { generatedBy: facts.generatedBy } : {}),
  };
}
