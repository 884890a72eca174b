/** `--format json`: the array of docs/architecture.md's CLI contract, one object per finding. */
import type { LintReport } from './located';

export function formatJson(report: LintReport): string {
  return (
    JSON.stringify(
      report.findings.map(({ file, line, column, endLine, endColumn, rule, severity, message }) => ({ file, line, column, endLine, endColumn, rule, severity, message })),
      null,
      2,
    ) + '\n'
  );
}
