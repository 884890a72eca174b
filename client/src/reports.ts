/**
 * Markdown documents the client opens for a dry run's report and an environment's history.
 * Pure text rendering (no `vscode`), so it is unit-testable.
 */
import type { HistoryEvent, RunReport } from '../../server/src/protocol';
import { LOCK_MODES, pgLockModeName } from '../../server/src/sql/lock-modes';

export function renderPlanReport(report: RunReport): string {
  const out = [`# Plan for ${report.environment} (dry run, rolled back)`, '', report.summary, ''];
  if (report.steps.length === 0) out.push('Nothing to apply.', '');
  for (const step of report.steps) {
    const outcome = step.outcome === 'ok' ? 'ok' : step.outcome === 'failed' ? '**failed**' : 'skipped';
    out.push(`## ${step.version} ${step.name}`, '', `${outcome} · ${step.durationMs} ms`, '');
    if (step.message) out.push(`> ${step.message.replace(/\n/g, '\n> ')}`, '');
    const locks = step.locks ?? [];
    if (locks.length === 0) {
      out.push('No relation locks taken.', '');
      continue;
    }
    out.push('| Relation | Lock mode | Statement |', '| --- | --- | --- |');
    for (const lock of sortLocks(locks)) {
      const mode = lock.mode === ACCESS_EXCLUSIVE ? `**${lock.mode}**` : lock.mode;
      out.push(`| \`${lock.relation}\` | ${mode} | \`${cell(lock.statement)}\` |`);
    }
    out.push('');
  }
  if (report.failure) {
    const f = report.failure;
    out.push('## Failure', '', `${f.file}:${f.line + 1}:${f.character + 1}`, '', '```sql', f.statement, '```', '', f.message, '');
  }
  return out.join('\n');
}

/** pg_locks mode name → strength (ACCESS SHARE 0 … ACCESS EXCLUSIVE 7); other lock kinds rank below. */
const strengthOfPgMode = new Map(LOCK_MODES.map((mode, strength) => [pgLockModeName(mode), strength]));
const ACCESS_EXCLUSIVE = pgLockModeName('ACCESS EXCLUSIVE');

/** Strongest lock first: what blocks readers is what a reviewer must see. */
function sortLocks<T extends { relation: string; mode: string }>(locks: T[]): T[] {
  const rank = (mode: string) => strengthOfPgMode.get(mode) ?? -1;
  return [...locks].sort((a, b) => rank(b.mode) - rank(a.mode) || a.relation.localeCompare(b.relation));
}

export function renderHistory(environment: string, events: HistoryEvent[]): string {
  const out = [`# History of ${environment}`, ''];
  if (events.length === 0) return [...out, 'No events recorded yet.', ''].join('\n');
  out.push('| When (UTC) | Event | Version | Who | Host | Duration | Message |', '| --- | --- | --- | --- | --- | --- | --- |');
  for (const e of events) {
    const when = new Date(e.at).toISOString().replace('T', ' ').slice(0, 19);
    const kind = e.kind === 'fail' ? '**fail**' : e.kind;
    out.push(
      `| ${when} | ${kind} | ${e.version} | ${cell(e.actor)} | ${cell(e.clientHost)} | ${e.durationMs !== undefined ? `${e.durationMs} ms` : ''} | ${cell(e.message ?? '')} |`,
    );
  }
  out.push('');
  return out.join('\n');
}

/** One table cell: no newlines or pipes, long statements shortened. */
function cell(text: string): string {
  const flat = text.replace(/\s+/g, ' ').trim().replace(/\|/g, '\\|');
  return flat.length > 120 ? `${flat.slice(0, 117)}...` : flat;
}
