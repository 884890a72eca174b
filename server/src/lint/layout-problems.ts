/**
 * What the layout readers found wrong with a file (DiscoveryProblem on the unit), reported by
 * the rules that own each kind: the finding sits on the problem's line, or the first line when
 * the file as a whole is the problem.
 */
import type { DiscoveryProblem } from '../migrations/types';
import type { LintUnit, RuleReport } from './types';

export function reportProblems(unit: LintUnit, codes: ReadonlyArray<DiscoveryProblem['code']>, report: (finding: RuleReport) => void): void {
  const sections = [unit.up, unit.down, unit.verify, unit.precheck].filter((s) => s !== undefined && s.file.path === unit.file.path);
  if (sections.length === 0) return;
  const text = unit.file.text;
  for (const problem of unit.problems) {
    if (!codes.includes(problem.code) || problem.path !== unit.file.path) continue;
    const start = Math.min(problem.offset ?? 0, text.length);
    const lineEnd = text.indexOf('\n', start);
    const end = lineEnd < 0 ? text.length : lineEnd > start && text[lineEnd - 1] === '\r' ? lineEnd - 1 : lineEnd;
    const section = sections.find((s) => start >= s!.offset && start <= s!.offset + s!.text.length) ?? sections[0]!;
    report({ section, start, end: Math.max(end, start), message: problem.message });
  }
}

/** The rule that owns each kind of problem the layout readers report. */
export const RULE_OF_PROBLEM: Record<DiscoveryProblem['code'], string> = {
  'duplicate-version': 'duplicate-version',
  'orphan-file': 'migration-layout',
  'unreadable-file': 'migration-layout',
  'layout-error': 'migration-layout',
  'foreign-marker': 'migration-layout',
  'empty-up': 'empty-migration',
  'not-in-chain': 'not-in-chain',
  'layout-note': 'unsubstituted-variable',
};
