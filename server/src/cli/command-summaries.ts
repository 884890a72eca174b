/**
 * What `tidemark --help` lists: every command's name and one-line summary, in the order shown. Kept
 * apart from the commands, which live in three bundles (main.ts), so help loads none of them; each
 * command takes its summary from here, and a unit test checks that the list names every command.
 */
export const COMMAND_SUMMARIES = {
  lint: 'Lint migration files (text, json or sarif output); exit 1 on errors',
  status: 'Where every migration stands in an environment, or in all of them side by side',
  apply: 'Apply pending migrations (all, or up to --to VERSION), verifying each after it',
  verify: 'Run the verify sections of applied migrations (in a transaction that is rolled back)',
  rollback: 'Roll back the newest migration, or every one newer than --to VERSION',
  plan: 'Dry run: apply pending migrations in a transaction that is rolled back, showing the locks each statement takes',
  new: 'Create the next migration (up, down and verify sections), or the three phases of an expand/contract change',
  adopt: 'Record migrations an existing database already has as applied, without running them',
  mark: 'Record (mark applied) or remove (mark pending) history rows by hand, without running SQL',
  history: "An environment's events, newest first: apply, rollback, verify, fail, adopt, mark, backup",
  restore: 'Put a sandbox back as one of its backups left it',
  approve: 'Record an approval of a migration for one environment (an approve event in its history)',
  check: 'Replay migrations on a shadow database: every statement runs, re-runs, and the rollback restores; exit 1 on errors',
} as const;
