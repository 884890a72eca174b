/** gcc-style lines (`file:line:col: severity rule: message`) that editors and terminals link. */
import type { LintReport } from './located';

export function formatText(report: LintReport): string {
  const lines = report.findings.map((f) => `${f.file}:${f.line}:${f.column}: ${f.severity} ${f.rule}: ${oneLine(f.message)}`);
  lines.push(summary(report));
  return lines.join('\n') + '\n';
}

function summary(report: LintReport): string {
  const files = `${report.fileCount} file${report.fileCount === 1 ? '' : 's'}`;
  if (report.findings.length === 0) return `No problems in ${files}.`;
  const counts = new Map<string, number>();
  for (const f of report.findings) counts.set(f.severity, (counts.get(f.severity) ?? 0) + 1);
  const parts = (['error', 'warning', 'info', 'hint'] as const).filter((s) => counts.has(s)).map((s) => `${counts.get(s)} ${s}${counts.get(s) === 1 || s === 'info' ? '' : 's'}`);
  const total = report.findings.length;
  return `${total} problem${total === 1 ? '' : 's'} (${parts.join(', ')}) in ${files}.`;
}

/** Messages stay on their line so each finding is one grep-able line. */
function oneLine(message: string): string {
  return message.replace(/\s*\n\s*/g, ' ');
}
