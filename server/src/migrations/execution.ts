/**
 * The one description of how a migration will run (MigrationExecution), from what its layout
 * reader found. Lint rules and the runner read it instead of asking which tool a file belongs to.
 */
import type { LayoutId, LayoutKind, MigrationExecution } from './types';

/** The tool layout a file-name classification stands for, until every layout has its own reader. */
const LAYOUT_OF_KIND: Record<LayoutKind, LayoutId> = {
  sections: 'dbmate',
  paired: 'golang-migrate',
  folders: 'folders',
  flyway: 'flyway',
};

export function describeExecution(layout: LayoutKind, noTransactionDirective: boolean): MigrationExecution {
  const transaction = noTransactionDirective ? 'none' : 'wrapped';
  return {
    layout: LAYOUT_OF_KIND[layout],
    transaction,
    downsByDesign: true,
    // A no-transaction migration that fails is resumed at the failed statement: what ran before it
    // stays, and the statement itself may have half-run, so it must be safe to run again.
    canRunTwice: transaction === 'none',
  };
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
