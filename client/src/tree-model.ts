/**
 * What the Tidemark tree, code lenses, status bar and file badges show for a status, computed
 * without `vscode` so it is unit-testable. The vscode providers only map these rows to their types.
 */
import { ALL_MIGRATION_STATES, ATTENTION_ORDER, stateDefinition, type MigrationState } from '../../server/src/migration-states';
import { adoptedNote, describeTracking } from '../../server/src/database/foreign-history/description';
import type { EnvironmentStatus, MigrationStatus } from '../../server/src/protocol';

/** States in which the migration's up section has run against the database. */
export const appliedStates: ReadonlySet<MigrationState> = new Set(ALL_MIGRATION_STATES.filter((s) => stateDefinition(s).hasRun));
/** States `apply` will act on. `failed` is a half-applied no-transaction migration that resumes. */
export const applicableStates: ReadonlySet<MigrationState> = new Set(ALL_MIGRATION_STATES.filter((s) => stateDefinition(s).applyActsOn));

/** "3 pending · 1 drifted", or "up to date · 12 applied" when nothing needs attention. */
export function summarize(status: EnvironmentStatus): string {
  if (status.error) return `unavailable: ${firstLine(status.error)}`;
  if (status.migrations.length === 0) return 'no migrations';
  const counts = new Map<MigrationState, number>();
  for (const m of status.migrations) counts.set(m.state, (counts.get(m.state) ?? 0) + 1);
  const parts = ATTENTION_ORDER.filter((s) => counts.has(s)).map((s) => `${counts.get(s)} ${stateDefinition(s).label}`);
  if (parts.length > 0) return parts.join(' · ');
  const applied = status.migrations.filter((m) => appliedStates.has(m.state)).length;
  return `up to date · ${applied} applied`;
}

/**
 * The status bar's text for the active environment. A tick only when migrations were read and
 * none waits: an environment that could not be read, or a folder that held no migration Tidemark
 * read, never shows one.
 */
export function statusBarText(status: EnvironmentStatus): string {
  const icon = status.environment.protected ? 'lock' : 'database';
  if (status.error) return `$(warning) ${status.environment.name}`;
  if (status.migrations.length === 0) return `$(${icon}) ${status.environment.name} · no migrations`;
  const pending = pendingCount(status);
  return `$(${icon}) ${status.environment.name}${pending ? ` $(arrow-up) ${pending}` : ' $(check)'}`;
}

export function pendingCount(status: EnvironmentStatus): number {
  return status.migrations.filter((m) => applicableStates.has(m.state)).length;
}

export interface EnvironmentRow {
  label: string;
  description: string;
  tooltip: string;
  icon: { id: string; color?: string };
  contextValue: string;
}

export function environmentRow(status: EnvironmentStatus): EnvironmentRow {
  const env = status.environment;
  // Not tracked: every migration looks pending, but apply refuses; what the database holds is the news.
  const untracked = status.tracking?.state === 'untracked';
  // Managed by another tool: its table is the state; Apply is offered only where Tidemark may write it.
  const managedBy = status.tracking?.state === 'managed' ? status.tracking.managedBy : undefined;
  const trackingText = status.tracking && describeTracking(status.tracking, status.migrations);
  const marks = [env.protected ? 'protected' : '', env.after ? `after ${env.after}` : '', managedBy ? `managed by ${managedBy.tool}` : ''].filter(Boolean);
  const tooltip = [
    `**${escapeMarkdown(env.name)}**${env.protected ? ' — $(lock) protected: changes ask you to type its name' : ''}`,
    '',
    `${env.kind === 'pglite' ? 'Embedded PGlite database' : 'PostgreSQL'}: \`${env.target}\``,
    env.after ? `\nVersions must reach **${escapeMarkdown(env.after)}** first.` : '',
    status.error ? `\n$(error) ${escapeMarkdown(status.error)}` : `\n${summarize(status)}`,
    status.layout ? `\nRead as a ${escapeMarkdown(status.layout)} folder (${escapeMarkdown(status.layoutEvidence ?? '')}).` : '',
    trackingText
      ? `\n$(${untracked ? 'question' : managedBy ? 'info' : 'warning'}) ${escapeMarkdown(trackingText)}${untracked ? '. *Adopt…* records what is already applied, without running it.' : managedBy ? ". *Adopt…* moves it to Tidemark's history, without running anything." : ''}`
      : '',
  ].join('\n');
  const tokens = [
    'environment',
    env.kind,
    env.protected ? 'protected' : '',
    pendingCount(status) > 0 && !untracked && (!managedBy || managedBy.writable) ? 'hasPending' : '',
    untracked ? 'untracked' : '',
    managedBy ? 'managed' : '',
    status.migrations.some((m) => appliedStates.has(m.state) && m.state !== 'missing') ? 'hasApplied' : '',
    status.error ? 'unavailable' : '',
  ];
  // Which tool's folder was read, and how many migrations it holds: "goose · 224 migrations".
  const layout = status.layout && !status.error ? `${status.layout} · ${status.migrations.length} migration${status.migrations.length === 1 ? '' : 's'}` : '';
  return {
    label: env.name,
    description: [...marks, layout, untracked && trackingText ? trackingText : summarize(status)].filter(Boolean).join(' · '),
    tooltip,
    icon: status.error
      ? { id: 'debug-disconnect', color: 'testing.iconFailed' }
      : untracked
        ? { id: 'question', color: 'list.warningForeground' }
        : { id: env.protected ? 'lock' : env.kind === 'pglite' ? 'beaker' : 'database' },
    contextValue: tokens.filter(Boolean).join(' '),
  };
}

export interface MigrationRow {
  label: string;
  description: string;
  tooltip: string;
  icon: { id: string; color: string };
  /** Space-separated tokens, first `migration` then the state; menus match them with `=~`. */
  contextValue: string;
}

/**
 * @param newestApplied whether this is the newest applied migration of its environment, the one
 *   "roll back last" would undo.
 */
export function migrationRow(migration: MigrationStatus, newestApplied: boolean, now: Date = new Date()): MigrationRow {
  const definition = stateDefinition(migration.state);
  const look = { ...definition.look, label: definition.label };
  const when = migration.appliedAt ? relativeTime(new Date(migration.appliedAt), now) : '';
  const by = migration.appliedBy ? ` by ${migration.appliedBy}` : '';
  let description: string;
  if (migration.state === 'failed') description = `failed${migration.statementsDone !== undefined ? ` after ${migration.statementsDone} statements` : ''}`;
  else if (appliedStates.has(migration.state)) description = `${look.label}${when ? ` ${when}` : ''}${by}`;
  else if (migration.state === 'waiting' && migration.gate) description = migration.gate.message;
  else description = look.label;

  const lines = [`**${escapeMarkdown(migration.version)} ${escapeMarkdown(migration.name)}** — $(${look.icon}) ${look.label}`, ''];
  if (migration.appliedAt)
    lines.push(
      `Applied ${new Date(migration.appliedAt).toISOString().replace('T', ' ').slice(0, 19)} UTC${by}${migration.durationMs !== undefined ? ` in ${migration.durationMs} ms` : ''}`,
    );
  if (migration.adoptedFrom) lines.push(`Recorded ${escapeMarkdown(adoptedNote(migration.adoptedFrom))}.`);
  if (migration.verifiedAt) lines.push(`Verified ${new Date(migration.verifiedAt).toISOString().replace('T', ' ').slice(0, 19)} UTC`);
  if (migration.state !== 'applied' && migration.state !== 'pending') lines.push(`${capitalize(definition.meaning)}.`);
  if (migration.blockedReasons && migration.state === 'blocked') lines.push(`Waits for:\n${migration.blockedReasons.map((r) => `- ${escapeMarkdown(r)}`).join('\n')}`);
  if (migration.gate) lines.push(escapeMarkdown(capitalize(migration.gate.message)));
  if (migration.approval)
    lines.push(`Approved by ${escapeMarkdown(migration.approval.by)} ${migration.approval.at.replace('T', ' ').slice(0, 16)} UTC: ${escapeMarkdown(migration.approval.reason)}`);
  if (migration.environments) lines.push(`Only for: ${migration.environments.map(escapeMarkdown).join(', ')}`);
  if (migration.state === 'drifted') lines.push('*Show Diff* compares the file with the SQL that ran.');
  if (migration.error) lines.push('', '```', migration.error, '```');
  lines.push('', [migration.hasDown ? 'has a down section' : 'no down section', migration.hasVerify ? 'has a verify section' : 'no verify section'].join(' · '));

  const tokens = [
    'migration',
    migration.state,
    migration.files ? 'hasFile' : '',
    migration.hasDown ? 'hasDown' : '',
    migration.hasVerify ? 'hasVerify' : '',
    newestApplied ? 'newestApplied' : '',
  ];
  return {
    label: `${migration.version} ${migration.name}`,
    description,
    tooltip: lines.join('\n\n').replace(/\n\n\n\n/g, '\n\n'),
    icon: { id: look.icon, color: look.color },
    contextValue: tokens.filter(Boolean).join(' '),
  };
}

/** The version "roll back last" would undo in this environment, if any. */
export function newestAppliedVersion(status: EnvironmentStatus): string | undefined {
  for (let i = status.migrations.length - 1; i >= 0; i--) {
    const m = status.migrations[i];
    if (appliedStates.has(m.state) && m.state !== 'missing') return m.version;
  }
  return undefined;
}

/** The migration owning `file` (its up, down or verify section) in one environment's status. */
export function migrationForFile(status: EnvironmentStatus, file: string): MigrationStatus | undefined {
  const same = (a: string | undefined) => a !== undefined && normalizePath(a) === normalizePath(file);
  return status.migrations.find((m) => m.files && (same(m.files.up) || same(m.files.down) || same(m.files.verify)));
}

/** The Explorer badge for a file: the most urgent state over every environment. */
export function fileBadge(statuses: EnvironmentStatus[], file: string): { badge: string; tooltip: string; color: string } | undefined {
  const found = statuses
    .map((s) => ({ env: s.environment.name, m: migrationForFile(s, file) }))
    .filter((x): x is { env: string; m: MigrationStatus } => x.m !== undefined && stateDefinition(x.m.state).look.badge !== undefined);
  if (found.length === 0) return undefined;
  found.sort((a, b) => ATTENTION_ORDER.indexOf(a.m.state) - ATTENTION_ORDER.indexOf(b.m.state));
  const look = stateDefinition(found[0].m.state).look;
  return {
    badge: look.badge!,
    tooltip: found.map((f) => `${stateDefinition(f.m.state).label} in ${f.env}`).join(', '),
    color: look.color,
  };
}

export type LensAction = 'apply' | 'rollbackLast' | 'rollbackTo' | 'none';

export interface FileLens {
  environment: string;
  title: string;
  action: LensAction;
  version: string;
}

/**
 * Lenses above a migration file's first line: one "env: state" per environment, and the action
 * that moves that environment's tidemark to or past this migration.
 */
export function fileLenses(statuses: EnvironmentStatus[], file: string): FileLens[] {
  const lenses: FileLens[] = [];
  for (const status of statuses) {
    if (status.error) continue;
    const m = migrationForFile(status, file);
    if (!m) continue;
    const env = status.environment.name;
    lenses.push({ environment: env, version: m.version, action: 'none', title: `$(${stateDefinition(m.state).look.icon}) ${env}: ${stateDefinition(m.state).label}` });
    if (applicableStates.has(m.state)) {
      lenses.push({ environment: env, version: m.version, action: 'apply', title: `Apply to ${env}` });
    } else if (appliedStates.has(m.state) && m.hasDown) {
      const newest = newestAppliedVersion(status) === m.version;
      lenses.push({ environment: env, version: m.version, action: newest ? 'rollbackLast' : 'rollbackTo', title: newest ? `Roll back ${env}` : `Roll back ${env} to here` });
    }
  }
  return lenses;
}

/** "3 minutes ago", "yesterday", "on 2026-11-02". */
export function relativeTime(then: Date, now: Date): string {
  const seconds = Math.round((now.getTime() - then.getTime()) / 1000);
  if (Number.isNaN(seconds)) return '';
  if (seconds < 45) return 'just now';
  const minutes = Math.round(seconds / 60);
  if (minutes < 60) return `${minutes} minute${minutes === 1 ? '' : 's'} ago`;
  const hours = Math.round(minutes / 60);
  if (hours < 24) return `${hours} hour${hours === 1 ? '' : 's'} ago`;
  const days = Math.round(hours / 24);
  if (days === 1) return 'yesterday';
  if (days < 30) return `${days} days ago`;
  return `on ${then.toISOString().slice(0, 10)}`;
}

function normalizePath(p: string): string {
  return p.replace(/\\/g, '/').replace(/^([a-z]):/, (_m, d: string) => `${d.toUpperCase()}:`);
}

function capitalize(text: string): string {
  return text.charAt(0).toUpperCase() + text.slice(1);
}

function firstLine(text: string): string {
  return text.split('\n', 1)[0];
}

export function escapeMarkdown(text: string): string {
  return text.replace(/[\\`*_{}[\]()#+\-.!|<>$]/g, '\\$&');
}
