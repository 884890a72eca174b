/**
 * Rules that judge each statement by itself (`Rule.eachStatement`): their findings for a statement
 * an edit did not touch are the ones it had before the edit, moved with it. The rule decides that
 * it judges statements alone; the engine keeps its reports per parse tree node and reports them
 * again. An editor re-lints a 1,000-statement file on every keystroke, and judging the hundreds of
 * unchanged statements again, with a new message string for each finding, was work and garbage.
 */
import type { Node } from '@pgsql/types';
import type { Statement } from '../sql/statements';
import type { Fix, LintUnit, ParsedSection, Rule, RuleReport, StatementJudge } from './types';

/** The rule's `lint`: every statement of the judged sections, in order. */
export function lintEachStatement(judge: StatementJudge, unit: LintUnit, report: (finding: RuleReport) => void): void {
  for (const kind of judge.sections) {
    const section = unit[kind];
    if (section) for (const statement of section.statementsWithEmbedded) judge.lint(statement, section, unit, report);
  }
}

/** A rule judging each statement by itself: its `lint` judges them all, the engine keeps what it can. */
export function judgingEachStatement(rule: Omit<Rule, 'lint' | 'eachStatement'>, judge: StatementJudge): Rule {
  return { ...rule, eachStatement: judge, lint: (unit, report) => lintEachStatement(judge, unit, report) };
}

/** A report kept for a statement: its range relative to the statement's start. */
interface KeptReport {
  start?: number;
  end?: number;
  message: string;
}

interface Kept {
  /** What else the reports depend on: the section kind and the migration's execution. */
  context: string;
  reports: KeptReport[];
}

const keptByRule = new WeakMap<Rule, WeakMap<Node, Kept>>();

/**
 * Each context string once: kept reports are compared with the context by identity (a pointer
 * comparison) rather than by content for every statement and rule. Few: one per section kind and
 * way of running a migration the server met.
 */
const contexts = new Map<string, string>();

function contextOf(kind: string, execution: string): string {
  const context = `${kind}\0${execution}`;
  let known = contexts.get(context);
  if (known === undefined) contexts.set(context, (known = context));
  return known;
}

/**
 * Runs `rule.eachStatement` over the unit as lintEachStatement does, reporting the kept reports of
 * each statement whose tree is the one judged before (the same text) in the same context. Only
 * top-level statements are kept: a statement inside a DO block also depends on where the block
 * puts it (guarded, inexact positions).
 */
export function lintStatementsKept(rule: Rule, judge: StatementJudge, unit: LintUnit, report: (finding: RuleReport) => void): void {
  let kept = keptByRule.get(rule);
  if (!kept) keptByRule.set(rule, (kept = new WeakMap()));
  const execution = JSON.stringify(unit.execution);
  for (const kind of judge.sections) {
    const section = unit[kind];
    if (!section) continue;
    const context = contextOf(section.kind, execution);
    for (const statement of section.statementsWithEmbedded) {
      const node = statement.node;
      if (!node || statement.embedding) {
        judge.lint(statement, section, unit, report);
        continue;
      }
      const before = kept.get(node);
      if (before && before.context === context) {
        for (let index = 0; index < before.reports.length; index++) report(moved(judge, before.reports[index], index, statement, section, unit));
        continue;
      }
      const reports: KeptReport[] = [];
      let keepable = true;
      judge.lint(statement, section, unit, (r) => {
        report(r);
        if (r.statement !== statement || r.section !== section) keepable = false;
        else reports.push({ start: relative(r.start, statement), end: relative(r.end, statement), message: r.message });
      });
      if (keepable) kept.set(node, { context, reports });
    }
  }
}

function relative(offset: number | undefined, statement: Statement): number | undefined {
  return offset === undefined ? undefined : offset - statement.start;
}

/** A kept report at the statement's place now; its fixes, holding offsets, are computed anew when read. */
function moved(judge: StatementJudge, r: KeptReport, index: number, statement: Statement, section: ParsedSection, unit: LintUnit): RuleReport {
  return {
    section,
    statement,
    start: r.start === undefined ? undefined : statement.start + r.start,
    end: r.end === undefined ? undefined : statement.start + r.end,
    message: r.message,
    fixes: () => fixesNow(judge, index, statement, section, unit),
  };
}

function fixesNow(judge: StatementJudge, index: number, statement: Statement, section: ParsedSection, unit: LintUnit): Fix[] {
  const reports: RuleReport[] = [];
  judge.lint(statement, section, unit, (r) => reports.push(r));
  const fixes = reports[index]?.fixes;
  return (typeof fixes === 'function' ? fixes() : fixes) ?? [];
}
