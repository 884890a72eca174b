import { ALL_MIGRATION_STATES, stateDefinition } from '../../migration-states';
import { compareVersions } from '../../migrations/version';
import type { EnvironmentStatus, MigrationStatus } from '../../protocol';
import { getStatus } from '../../runner/status';
import { adoptedNote, describeTracking } from '../../database/foreign-history/description';
import type { CliCommand } from '../command';
import { CliError } from '../command';
import { asCliErrors, openProject, requireTextOrJson, warnAboutFolder } from '../runner-front';
import { statusMarkdown, statusMatrix } from '../../status-document/matrix';
import { basename } from 'node:path';
import { COMMAND_SUMMARIES } from '../command-summaries';

const command: CliCommand = {
  name: 'status',
  summary: COMMAND_SUMMARIES.status,
  usage: [
    'tidemark status [--env NAME] [--format text|json|markdown] [--cwd DIR] [--config FILE]',
    '',
    'With --env: one environment. JSON: {environment, kind, target, migrations: [{version, name, state, appliedAt?, checksumMatches?}]}.',
    'Without --env: every environment; text shows them side by side, JSON is an array of the objects above.',
    'Markdown: one table for the project, a row per migration, a column per environment (state · applied date · who applied), and notes (blocked reasons, errors), to paste into a wiki or a pull request.',
    `States: ${ALL_MIGRATION_STATES.join(', ')}.`,
  ].join('\n'),
  flags: {},
  async run(args, out) {
    const format = args.common.format === 'markdown' ? 'markdown' : requireTextOrJson(args);
    const project = openProject(args);
    warnAboutFolder(project, out);
    const statuses = await asCliErrors(() => getStatus(project, args.common.env, { progress: (message) => out.stderr(`${message}\n`) }));
    const unreachable = statuses.filter((s) => s.error);
    if (args.common.env !== undefined && unreachable.length) throw new CliError(unreachable[0].error!);
    if (format === 'markdown') {
      out.stdout(statusMarkdown(basename(project.root), statusMatrix(statuses)));
    } else if (format === 'json') {
      const objects = statuses.map(statusJson);
      out.stdout(`${JSON.stringify(args.common.env !== undefined ? objects[0] : objects, null, 2)}\n`);
    } else {
      out.stdout(statuses.length === 1 ? singleTable(statuses[0]) : sideBySide(statuses));
      // Last, so the table stays the first thing a reader and a script see.
      const layout = statuses.find((s) => s.layout);
      if (layout) out.stdout(`layout: ${layout.layout} (${layout.layoutEvidence})\n`);
    }
    for (const s of unreachable) out.stderr(`tidemark: ${s.error}\n`);
    return unreachable.length ? 2 : 0;
  },
};
export default command;

function statusJson(s: EnvironmentStatus) {
  return {
    environment: s.environment.name,
    kind: s.environment.kind,
    target: s.environment.target,
    ...(s.layout ? { layout: s.layout } : {}),
    ...(s.error ? { error: s.error } : {}),
    ...(s.tracking ? { tracking: s.tracking } : {}),
    ...(s.tracking?.managedBy ? { managedBy: { tool: s.tracking.managedBy.tool, table: s.tracking.managedBy.table } } : {}),
    migrations: s.migrations.map((m) => ({
      version: m.version,
      name: m.name,
      state: m.state,
      ...(m.appliedAt ? { appliedAt: m.appliedAt } : {}),
      ...(m.checksumMatches !== undefined ? { checksumMatches: m.checksumMatches } : {}),
      ...(m.verifiedAt ? { verifiedAt: m.verifiedAt } : {}),
      ...(m.state === 'failed' ? { statementsDone: m.statementsDone } : {}),
      ...(m.error !== undefined || m.state === 'failed' ? { error: m.error } : {}),
      ...(m.blockedReasons ? { blockedReasons: m.blockedReasons } : {}),
      ...(m.environments ? { environments: m.environments } : {}),
      ...(m.adoptedFrom ? { adoptedFrom: m.adoptedFrom } : {}),
      ...(m.gate ? { gate: m.gate } : {}),
      ...(m.approval ? { approval: m.approval } : {}),
      ...(m.note ? { note: m.note } : {}),
      ...(m.repeatable ? { repeatable: true } : {}),
    })),
  };
}

function table(rows: string[][]): string {
  const widths = rows[0].map((_, i) => Math.max(...rows.map((r) => (r[i] ?? '').length)));
  return (
    rows
      .map((r) =>
        r
          .map((cell, i) => (i === r.length - 1 ? cell : cell.padEnd(widths[i])))
          .join('  ')
          .trimEnd(),
      )
      .join('\n') + '\n'
  );
}

function note(m: MigrationStatus): string {
  const adopted = m.adoptedFrom && adoptedNote(m.adoptedFrom);
  return [adopted, m.note ?? plainNote(m)].filter(Boolean).join('; ');
}

function plainNote(m: MigrationStatus): string {
  if (m.state === 'failed') return `stopped after ${m.statementsDone ?? 0} statement(s): ${m.error ?? ''}`;
  if (m.state === 'verify-failed') return m.error ?? '';
  if (m.state === 'blocked') return `blocked: ${m.blockedReasons?.join('; ')}`;
  if (m.gate) return m.approval ? `${m.gate.message}; approved by ${m.approval.by} ${m.approval.at.slice(0, 16).replace('T', ' ')} UTC` : m.gate.message;
  if (m.approval) return `approved by ${m.approval.by} ${m.approval.at.slice(0, 16).replace('T', ' ')} UTC: ${m.approval.reason}`;
  if (m.state === 'not-for-this-environment') return `only for ${m.environments?.join(', ')}`;
  if (m.state === 'drifted' || m.state === 'missing' || m.state === 'out-of-order') return stateDefinition(m.state).meaning;
  if (m.repeatable && !m.error) return 'repeatable: applied again whenever its file changes';
  return m.error ?? ''; // two migrations with one version
}

function singleTable(s: EnvironmentStatus): string {
  const tracking = s.tracking && describeTracking(s.tracking, s.migrations);
  const header = `${s.environment.name} (${s.environment.target})${s.environment.protected ? ' [protected]' : ''}\n${tracking ? `${tracking}\n` : ''}`;
  if (s.migrations.length === 0) return `${header}no migrations found\n`;
  const rows = [['VERSION', 'NAME', 'STATE', 'APPLIED AT', 'NOTE']];
  for (const m of s.migrations) rows.push([m.version, m.name, m.state, m.appliedAt ? m.appliedAt.replace('T', ' ').replace(/\.\d+Z$/, 'Z') : '', note(m)]);
  const counts = new Map<string, number>();
  for (const m of s.migrations) counts.set(m.state, (counts.get(m.state) ?? 0) + 1);
  return `${header}${table(rows)}${[...counts].map(([k, v]) => `${v} ${k}`).join(', ')}\n`;
}

function sideBySide(statuses: EnvironmentStatus[]): string {
  // Keyed by version and name: two migrations sharing a version are two rows.
  const versions = new Map<string, [string, string]>();
  for (const s of statuses) for (const m of s.migrations) if (!versions.has(`${m.version}\0${m.name}`)) versions.set(`${m.version}\0${m.name}`, [m.version, m.name]);
  const rows = [['VERSION', 'NAME', ...statuses.map((s) => s.environment.name)]];
  const ordered = [...versions.values()].sort((a, b) => compareVersions(a[0], b[0]));
  for (const [version, name] of ordered) {
    rows.push([version, name, ...statuses.map((s) => (s.error ? 'unreachable' : (s.migrations.find((m) => m.version === version && m.name === name)?.state ?? '')))]);
  }
  const notes = statuses.map((s) => s.tracking && describeTracking(s.tracking, s.migrations)).map((text, i) => text && `${statuses[i].environment.name}: ${text}\n`);
  return table(rows) + notes.filter(Boolean).join('');
}
