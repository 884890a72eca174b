/** `--format json`: the array of docs/architecture.md's CLI contract, one object per finding. */
import type { LintReport, LocatedFinding } from './located';

export function formatJson(report: LintReport): string {
  return [...jsonChunks(report)].join('');
}

/** Findings per piece of jsonChunks: a few hundred KB of text. */
const FINDINGS_PER_CHUNK = 500;

/**
 * The text of formatJson in pieces, to be written one after the other: a repository's report is
 * megabytes of JSON, and written whole it was held twice (the string and its UTF-8 copy) at the
 * run's peak of memory. Each finding is laid out as JSON.stringify(findings, null, 2) lays it out:
 * its own lines indented one level further (no line break is ever inside a JSON string).
 */
export function* jsonChunks(report: LintReport): Generator<string> {
  const findings = report.findings;
  if (findings.length === 0) {
    yield '[]\n';
    return;
  }
  for (let from = 0; from < findings.length; from += FINDINGS_PER_CHUNK) {
    const items = findings.slice(from, from + FINDINGS_PER_CHUNK).map((finding) => JSON.stringify(contractOf(finding), null, 2).replace(/\n/g, '\n  '));
    yield `${from === 0 ? '[\n  ' : ',\n  '}${items.join(',\n  ')}${from + FINDINGS_PER_CHUNK >= findings.length ? '\n]\n' : ''}`;
  }
}

/** The contract's fields in the contract's order, and nothing else. */
function contractOf({ file, line, column, endLine, endColumn, rule, severity, message }: LocatedFinding): LocatedFinding {
  return { file, line, column, endLine, endColumn, rule, severity, message };
}
