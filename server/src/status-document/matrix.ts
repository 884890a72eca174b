/**
 * The status document: migrations × environments, the page the runbooks kept by hand ("Migration
 * Status — Source of Truth") — each cell the state, when and by whom it was applied; each row the
 * reasons it is blocked and what else a reader must know. `tidemark status --format markdown`
 * prints it; it is pure data and text so another front end can draw the same matrix.
 */
import { stateDefinition } from '../migration-states';
import { compareVersions } from '../migrations/version';
import type { EnvironmentStatus, MigrationStatus } from '../protocol';

export interface MatrixCell {
  /** Absent when the environment could not be read or does not know the migration. */
  status?: MigrationStatus;
}

export interface MatrixRow {
  version: string;
  name: string;
  cells: MatrixCell[];
  /** Blocked reasons, the environments it is limited to, and per-environment errors. */
  notes: string[];
}

export interface StatusMatrix {
  environments: EnvironmentStatus['environment'][];
  /** Environments that could not be read, with why. */
  unreachable: Array<{ environment: string; error: string }>;
  rows: MatrixRow[];
  /** Environments whose state is another tool's history table (managed by that tool). */
  managedBy: Array<{ environment: string; tool: string; table: string }>;
}

export function statusMatrix(statuses: EnvironmentStatus[]): StatusMatrix {
  const versions = new Map<string, string>();
  for (const s of statuses) for (const m of s.migrations) if (!versions.has(m.version)) versions.set(m.version, m.name);
  const rows = [...versions.entries()]
    .sort((a, b) => compareVersions(a[0], b[0]))
    .map(([version, name]): MatrixRow => {
      const cells = statuses.map((s) => ({ status: s.migrations.find((m) => m.version === version) }));
      const known = cells.map((c) => c.status).filter((m): m is MigrationStatus => m !== undefined);
      const notes: string[] = [];
      const reasons = known.find((m) => m.blockedReasons)?.blockedReasons;
      if (reasons) notes.push(`Blocked: ${reasons.join('; ')}`);
      const only = known.find((m) => m.environments)?.environments;
      if (only) notes.push(`Only for ${only.join(', ')}`);
      statuses.forEach((s, i) => {
        const m = cells[i].status;
        if (m?.error && (m.state === 'failed' || m.state === 'verify-failed')) notes.push(`${s.environment.name}: ${m.error}`);
        else if (m && (m.state === 'drifted' || m.state === 'missing' || m.state === 'out-of-order')) notes.push(`${s.environment.name}: ${stateDefinition(m.state).meaning}`);
        if (m?.gate) notes.push(`${s.environment.name}: ${m.gate.message}`);
        if (m?.approval) notes.push(`${s.environment.name}: approved by ${m.approval.by} ${appliedDate(m.approval.at)} (${m.approval.reason})`);
        if (m?.note) notes.push(`${s.environment.name}: ${m.note}`);
      });
      return { version, name, cells, notes };
    });
  return {
    environments: statuses.map((s) => s.environment),
    unreachable: statuses.filter((s) => s.error).map((s) => ({ environment: s.environment.name, error: s.error! })),
    rows,
    managedBy: statuses.flatMap((s) => (s.tracking?.managedBy ? [{ environment: s.environment.name, tool: s.tracking.managedBy.tool, table: s.tracking.managedBy.table }] : [])),
  };
}

/** `2026-11-26 14:03 UTC` */
function appliedDate(iso: string): string {
  return `${new Date(iso).toISOString().slice(0, 16).replace('T', ' ')} UTC`;
}

/** Text inside a Markdown table cell: pipes escaped, line breaks flattened. */
function cellText(text: string): string {
  return text.replace(/\\/g, '\\\\').replace(/\|/g, '\\|').replace(/\r?\n/g, ' ');
}

function cell(c: MatrixCell, unreachable: boolean): string {
  if (unreachable) return 'unreachable';
  const m = c.status;
  if (!m) return '—';
  const parts = [m.state === 'waiting' && m.gate ? m.gate.message : stateDefinition(m.state).label];
  if (m.appliedAt) parts.push(appliedDate(m.appliedAt));
  if (m.appliedBy) parts.push(`by ${m.appliedBy}`);
  return parts.join(' · ');
}

/** The matrix as one Markdown table under a heading naming the project, ready for a wiki or a pull request. */
export function statusMarkdown(project: string, matrix: StatusMatrix): string {
  const unreachable = new Set(matrix.unreachable.map((u) => u.environment));
  const header = ['Migration', ...matrix.environments.map((e) => `${e.name}${e.protected ? ' (protected)' : ''}`), 'Notes'];
  const lines = [`## Migration status: ${cellText(project)}`, '', `| ${header.map(cellText).join(' | ')} |`, `|${header.map(() => ' --- ').join('|')}|`];
  for (const row of matrix.rows) {
    const cells = [`\`${row.version}\` ${row.name}`, ...row.cells.map((c, i) => cell(c, unreachable.has(matrix.environments[i].name)))].map(cellText);
    lines.push(`| ${[...cells, row.notes.map(cellText).join('<br>')].join(' | ')} |`);
  }
  if (matrix.rows.length === 0) lines.push(`| no migrations |${matrix.environments.map(() => ' |').join('')} |`);
  if (matrix.managedBy.length)
    lines.push('', ...matrix.managedBy.map((m) => `- ${cellText(m.environment)} is managed by ${cellText(m.tool)}: its states are read from ${cellText(m.table)}`));
  if (matrix.unreachable.length) lines.push('', ...matrix.unreachable.map((u) => `- ${cellText(u.environment)} could not be read: ${cellText(u.error)}`));
  return `${lines.join('\n')}\n`;
}
