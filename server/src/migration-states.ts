/**
 * Every state a migration can be in within one environment, and what each means — the one table
 * that `tidemark status`, the VS Code tree, code lenses, badges and docs/runner.md all read
 * (a unit test keeps the docs' table equal to this one). A new state is added here and nowhere else
 * decides how it is shown or whether apply acts on it.
 *
 * Pure data, no imports: the extension host bundles it without the engine.
 */

export interface MigrationStateDefinition {
  /** The words shown to users ("out of order"). */
  label: string;
  /** One sentence for the CLI's note column, the tree's tooltip and the docs. */
  meaning: string;
  /** The up section has run against this database (it can be verified, rolled back, diffed). */
  hasRun: boolean;
  /** `apply` acts on a migration in this state. */
  applyActsOn: boolean;
  /**
   * Rank among states that need attention, most urgent first, for summaries ("2 pending · 1
   * drifted") and the Explorer badge; absent for states that need none.
   */
  attention?: number;
  /** How the tree draws it: a codicon id, a theme colour id and an Explorer badge. */
  look: { icon: string; color: string; badge?: string };
}

export const MIGRATION_STATES = {
  pending: {
    label: 'pending',
    meaning: 'not applied',
    hasRun: false,
    applyActsOn: true,
    attention: 5,
    look: { icon: 'circle-large-outline', color: 'charts.yellow', badge: 'P' },
  },
  'out-of-order': {
    label: 'out of order',
    meaning: 'not applied, but older than the newest version that ran here, fully or part-way (apply applies it and says so)',
    hasRun: false,
    applyActsOn: true,
    attention: 4,
    look: { icon: 'arrow-swap', color: 'charts.orange', badge: 'O' },
  },
  applied: {
    label: 'applied',
    meaning: 'applied, file unchanged',
    hasRun: true,
    applyActsOn: false,
    look: { icon: 'pass', color: 'testing.iconPassed' },
  },
  verified: {
    label: 'verified',
    meaning: 'applied, and the last verify passed',
    hasRun: true,
    applyActsOn: false,
    look: { icon: 'verified-filled', color: 'testing.iconPassed' },
  },
  'verify-failed': {
    label: 'verify failed',
    meaning: 'applied, but the last verify failed (with the failing check)',
    hasRun: true,
    applyActsOn: false,
    attention: 1,
    look: { icon: 'warning', color: 'testing.iconFailed', badge: 'V' },
  },
  drifted: {
    label: 'drifted',
    meaning: 'the file changed since it was applied (line endings and trailing spaces do not count); history keeps the SQL that ran, for a diff',
    hasRun: true,
    applyActsOn: false,
    attention: 2,
    look: { icon: 'diff', color: 'charts.orange', badge: 'D' },
  },
  missing: {
    label: 'missing (file deleted)',
    meaning: 'applied, but its file is gone',
    hasRun: true,
    applyActsOn: false,
    attention: 3,
    look: { icon: 'question', color: 'disabledForeground' },
  },
  failed: {
    label: 'failed',
    meaning: 'a no-transaction migration stopped part-way: the statements done and the error are recorded, and apply resumes it',
    hasRun: false,
    applyActsOn: true,
    attention: 0,
    look: { icon: 'error', color: 'testing.iconFailed', badge: '!' },
  },
  blocked: {
    label: 'blocked',
    meaning: 'not applied, and apply stops before it: -- tidemark:blocked lists what must happen first (or -- tidemark:draft marks it unfinished)',
    hasRun: false,
    applyActsOn: false,
    attention: 6,
    look: { icon: 'circle-slash', color: 'charts.red', badge: 'B' },
  },
  waiting: {
    label: 'waiting',
    meaning:
      'not applied, and apply stops before it until its gate opens: a -- tidemark:soak time since the migration before it was applied here, or an approval recorded here (tidemark approve)',
    hasRun: false,
    applyActsOn: false,
    attention: 7,
    look: { icon: 'watch', color: 'charts.blue', badge: 'W' },
  },
  'not-for-this-environment': {
    label: 'not for this environment',
    meaning: 'its -- tidemark:environments directive leaves this environment out: apply skips it and it is never pending here',
    hasRun: false,
    applyActsOn: false,
    look: { icon: 'circle-small', color: 'disabledForeground' },
  },
} satisfies Record<string, MigrationStateDefinition>;

/** Where a migration stands in one environment. */
export type MigrationState = keyof typeof MIGRATION_STATES;

export const ALL_MIGRATION_STATES = Object.keys(MIGRATION_STATES) as MigrationState[];

export function stateDefinition(state: MigrationState): MigrationStateDefinition {
  return MIGRATION_STATES[state];
}

/** States that need attention, most urgent first. */
export const ATTENTION_ORDER: MigrationState[] = ALL_MIGRATION_STATES.filter((s) => stateDefinition(s).attention !== undefined).sort(
  (a, b) => stateDefinition(a).attention! - stateDefinition(b).attention!,
);
