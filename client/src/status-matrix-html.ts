/**
 * The Status Matrix page: for each project, migrations × environments — the status document of
 * `tidemark status --format markdown` (server/src/status-document/matrix.ts builds both), drawn
 * with each state's colour from the states table and, in each cell, buttons for what can be done
 * there. Pure HTML rendering (no `vscode`), so it is unit-testable; status-matrix.ts shows it.
 */
import { MIGRATION_STATES, stateDefinition } from '../../server/src/migration-states';
import { statusMatrix, type MatrixRow } from '../../server/src/status-document/matrix';
import type { EnvironmentStatus, MigrationStatus } from '../../server/src/protocol';
import { CommandId } from './command-ids';
import { summarize } from './tree-model';

export interface MatrixProject {
  root: string;
  /** The project's folder name, as the tree shows it. */
  label: string;
  environments: EnvironmentStatus[];
  error?: string;
}

/** What a cell's button asks the extension to run: one of the tree's commands, on that cell. */
export interface CellAction {
  command: typeof CommandId.applyTo | typeof CommandId.verify | typeof CommandId.rollbackTo;
  root: string;
  environment: string;
  version: string;
}

const ACTION_TITLES: Record<CellAction['command'], string> = {
  [CommandId.applyTo]: 'Apply up to here',
  [CommandId.verify]: 'Verify',
  [CommandId.rollbackTo]: 'Roll back to here',
};

/** The buttons of one cell: apply where apply acts, verify what ran and has a verify section, roll back to a version with newer ones run after it. */
export function cellActions(root: string, environment: EnvironmentStatus, row: MatrixRow, column: number, rows: readonly MatrixRow[]): CellAction[] {
  const m = row.cells[column].status;
  if (!m || environment.error) return [];
  const state = stateDefinition(m.state);
  const actions: CellAction[] = [];
  const on = (command: CellAction['command']) => actions.push({ command, root, environment: environment.environment.name, version: m.version });
  if (state.applyActsOn) on(CommandId.applyTo);
  if (state.hasRun && m.hasVerify) on(CommandId.verify);
  const index = rows.indexOf(row);
  const newerRan = rows.slice(index + 1).some((r) => {
    const later = r.cells[column].status;
    return later !== undefined && stateDefinition(later.state).hasRun && later.state !== 'missing';
  });
  if (state.hasRun && newerRan) on(CommandId.rollbackTo);
  return actions;
}

export function renderStatusMatrix(projects: readonly MatrixProject[], page: { nonce: string; cspSource: string }): string {
  const body = projects.length
    ? projects.map(renderProject).join('\n')
    : '<p class="empty">No Tidemark project in this workspace: add a tidemark.json or a migrations/ folder.</p>';
  return `<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src ${page.cspSource} 'nonce-${page.nonce}'; script-src 'nonce-${page.nonce}';">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Tidemark: Status Matrix</title>
<style nonce="${page.nonce}">${STYLE}${STATE_COLORS}</style>
</head>
<body>
${body}
<script nonce="${page.nonce}">${SCRIPT}</script>
</body>
</html>`;
}

function renderProject(project: MatrixProject): string {
  const heading = `<h2>${escape(project.label)} <span class="root">${escape(project.root)}</span></h2>`;
  if (project.error) return `<section>${heading}<p class="error">${escape(project.error)}</p></section>`;
  const matrix = statusMatrix(project.environments);
  const columns = project.environments
    .map((s) => {
      const e = s.environment;
      const summary = s.error ? 'unreachable' : summarize(s);
      return `<th scope="col" data-environment="${escape(e.name)}">${escape(e.name)}${e.protected ? ' <span class="tag">protected</span>' : ''}<div class="summary">${escape(summary)}</div></th>`;
    })
    .join('');
  const rows = matrix.rows
    .map((row) => {
      const cells = row.cells.map((_, column) => renderCell(project.root, project.environments[column], row, column, matrix.rows)).join('');
      const notes = row.notes.map((n) => `<div>${escape(n)}</div>`).join('');
      return `<tr data-version="${escape(row.version)}"><th scope="row"><code>${escape(row.version)}</code> ${escape(row.name)}</th>${cells}<td class="notes">${notes}</td></tr>`;
    })
    .join('\n');
  const unreachable = matrix.unreachable.map((u) => `<li>${escape(u.environment)} could not be read: ${escape(u.error)}</li>`).join('');
  return `<section>${heading}
<table>
<thead><tr><th scope="col">Migration</th>${columns}<th scope="col">Notes</th></tr></thead>
<tbody>
${rows || `<tr><td colspan="${project.environments.length + 2}" class="empty">No migrations yet.</td></tr>`}
</tbody>
</table>
${unreachable ? `<ul class="error">${unreachable}</ul>` : ''}
</section>`;
}

function renderCell(root: string, environment: EnvironmentStatus, row: MatrixRow, column: number, rows: readonly MatrixRow[]): string {
  const where = `data-environment="${escape(environment.environment.name)}"`;
  if (environment.error) return `<td class="cell unreachable" ${where}>unreachable</td>`;
  const m = row.cells[column].status;
  if (!m) return `<td class="cell" ${where}>—</td>`;
  const state = stateDefinition(m.state);
  const buttons = cellActions(root, environment, row, column, rows)
    .map((a) => `<button type="button" data-action="${escape(JSON.stringify(a))}">${escape(ACTION_TITLES[a.command])}</button>`)
    .join('');
  return `<td class="cell" ${where} data-state="${escape(m.state)}" title="${escape(`${state.label}: ${state.meaning}`)}">
<div class="state"><span class="dot"></span>${escape(state.label)}</div>${detail(m)}${buttons ? `<div class="actions">${buttons}</div>` : ''}</td>`;
}

function detail(m: MigrationStatus): string {
  const parts: string[] = [];
  if (m.appliedAt) parts.push(`${new Date(m.appliedAt).toISOString().slice(0, 16).replace('T', ' ')} UTC`);
  if (m.appliedBy) parts.push(`by ${m.appliedBy}`);
  if (m.adoptedFrom) parts.push(`adopted from ${m.adoptedFrom}`);
  if (m.gate) parts.push(m.gate.message.replace(/^waiting: /, ''));
  if (m.approval) parts.push(`approved by ${m.approval.by}`);
  return parts.length ? `<div class="detail">${escape(parts.join(' · '))}</div>` : '';
}

/** A theme colour id (`charts.yellow`) as the CSS variable VS Code defines in webviews. */
function themeVariable(color: string): string {
  return `--vscode-${color.replace(/\./g, '-')}`;
}

function escape(text: string): string {
  return text.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);
}

// Each state's colour from the states table; a rule per state, as the CSP refuses style attributes.
const STATE_COLORS = Object.entries(MIGRATION_STATES)
  .map(([state, d]) => `.cell[data-state="${state}"] { --state-color: var(${themeVariable(d.look.color)}); }`)
  .join('\n');

const STYLE = `
body { font-family: var(--vscode-font-family); font-size: var(--vscode-font-size); color: var(--vscode-foreground); padding: 0 16px 16px; }
h2 { font-size: 1.2em; margin: 16px 0 8px; }
h2 .root { font-weight: normal; color: var(--vscode-descriptionForeground); font-size: 0.8em; margin-left: 8px; }
table { border-collapse: collapse; }
th, td { border: 1px solid var(--vscode-panel-border, #8884); padding: 4px 8px; vertical-align: top; text-align: left; }
thead th { background: var(--vscode-editorWidget-background); }
th .summary, .detail { color: var(--vscode-descriptionForeground); font-weight: normal; font-size: 0.9em; }
.tag { font-size: 0.8em; font-weight: normal; border: 1px solid var(--vscode-charts-orange); color: var(--vscode-charts-orange); border-radius: 3px; padding: 0 3px; }
.cell { min-width: 150px; border-left: 4px solid var(--state-color, transparent); }
.cell .state { font-weight: 600; color: var(--state-color, inherit); }
.cell[data-state="not-for-this-environment"], .cell.unreachable { opacity: 0.6; }
.dot { display: inline-block; width: 8px; height: 8px; border-radius: 50%; background: var(--state-color, transparent); margin-right: 6px; }
.actions { margin-top: 4px; display: flex; gap: 4px; flex-wrap: wrap; }
button { font: inherit; font-size: 0.85em; color: var(--vscode-button-secondaryForeground); background: var(--vscode-button-secondaryBackground); border: none; padding: 2px 6px; border-radius: 2px; cursor: pointer; }
button:hover { background: var(--vscode-button-secondaryHoverBackground); }
.notes { max-width: 360px; color: var(--vscode-descriptionForeground); }
.error { color: var(--vscode-errorForeground); }
.empty { color: var(--vscode-descriptionForeground); }
`;

// Buttons carry their action; the extension runs it through the same commands as the tree.
const SCRIPT = `
const vscode = acquireVsCodeApi();
document.addEventListener('click', (event) => {
  const button = event.target.closest('button[data-action]');
  if (button) vscode.postMessage(JSON.parse(button.dataset.action));
});
`;
