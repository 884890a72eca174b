/**
 * Every command the extension registers, by id. Kept free of `vscode` so tests can check the
 * manifest (package.json contributes.commands, menus) against the command table without an editor.
 */
export const CommandId = {
  applyAll: 'tidemark.applyAll',
  applyTo: 'tidemark.applyTo',
  verify: 'tidemark.verify',
  rollbackLast: 'tidemark.rollbackLast',
  rollbackTo: 'tidemark.rollbackTo',
  plan: 'tidemark.plan',
  showDiff: 'tidemark.showDiff',
  openUp: 'tidemark.openUp',
  openDown: 'tidemark.openDown',
  openVerify: 'tidemark.openVerify',
  newMigration: 'tidemark.newMigration',
  newExpandContract: 'tidemark.newExpandContract',
  setPassword: 'tidemark.setPassword',
  forgetPassword: 'tidemark.forgetPassword',
  showHistory: 'tidemark.showHistory',
  refresh: 'tidemark.refresh',
  selectEnvironment: 'tidemark.selectEnvironment',
  showLog: 'tidemark.showLog',
  adopt: 'tidemark.adopt',
  markApplied: 'tidemark.markApplied',
  markPending: 'tidemark.markPending',
  approve: 'tidemark.approve',
  checkMigration: 'tidemark.checkMigration',
  showStatusMatrix: 'tidemark.showStatusMatrix',
} as const;

export type CommandId = (typeof CommandId)[keyof typeof CommandId];

/**
 * Commands that connect to a database or write files the server generates. Untrusted workspaces
 * could point tidemark.json at any server with any SQL, so these run only in trusted workspaces;
 * linting (the language server) works everywhere.
 */
export const trustedOnlyCommands: ReadonlySet<CommandId> = new Set<CommandId>([
  CommandId.applyAll,
  CommandId.applyTo,
  CommandId.verify,
  CommandId.rollbackLast,
  CommandId.rollbackTo,
  CommandId.plan,
  CommandId.showDiff,
  CommandId.newMigration,
  CommandId.newExpandContract,
  CommandId.setPassword,
  CommandId.showHistory,
  CommandId.adopt,
  CommandId.markApplied,
  CommandId.markPending,
  CommandId.approve,
  // The replay runs the workspace's migrations and check.setup (in PGlite, but SQL all the same).
  CommandId.checkMigration,
]);

/** Commands that act on a tree item and mean nothing without one; hidden from the palette. */
export const itemOnlyCommands: ReadonlySet<CommandId> = new Set<CommandId>([
  CommandId.applyTo,
  CommandId.rollbackTo,
  CommandId.showDiff,
  CommandId.openUp,
  CommandId.openDown,
  CommandId.openVerify,
  CommandId.markApplied,
  CommandId.markPending,
  CommandId.approve,
]);

export const treeViewId = 'tidemark.environments';
export const viewContainerId = 'tidemark';
/** Scheme of the read-only documents holding a migration's SQL as it was applied (for diffs). */
export const appliedSqlScheme = 'tidemark-applied';
