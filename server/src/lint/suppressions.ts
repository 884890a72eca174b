/**
 * `-- tidemark-ignore` comments as the engine applies them, with where each one is, and what each
 * one suppressed in a lint run — so that the rule unused-ignore can report those that suppress
 * nothing, as ESLint reports unused disable directives. A statement comment applies to the
 * top-level statement right after it (the comments between it and the statement before, in the
 * same section); a file comment to the whole file.
 */
import type { LintUnit, ParsedSection, SuppressionUse as SuppressionUseView } from './types';
import type { Statement } from '../sql/statements';

const DIRECTIVE = /^([ \t]*)--[ \t]*tidemark-ignore(-file)?(?![-\w])[ \t]*(.*)$/gim;

export interface SuppressionDirective {
  kind: 'statement' | 'file';
  /** The comment in the linted file (offsets), without the line break. */
  start: number;
  end: number;
  /** The rule ids it lists, each with its range; empty when it lists none (every rule). */
  rules: Array<{ id: string; start: number; end: number }>;
  /** The statement a statement comment applies to; undefined when none follows it in its section. */
  statement?: Statement;
}

/** Every `-- tidemark-ignore` and `-- tidemark-ignore-file` comment of the linted file. */
export function suppressionDirectives(unit: LintUnit): SuppressionDirective[] {
  const text = unit.file.text;
  const gaps = statementGaps(unit);
  const directives: SuppressionDirective[] = [];
  for (const m of text.matchAll(DIRECTIVE)) {
    const start = m.index! + m[1].length;
    const end = m.index! + m[0].length;
    const listStart = end - m[3].length;
    const rules = [...m[3].matchAll(/[^\s,]+/g)].map((r) => ({ id: r[0], start: listStart + r.index!, end: listStart + r.index! + r[0].length }));
    if (m[2]) directives.push({ kind: 'file', start, end, rules });
    else directives.push({ kind: 'statement', start, end, rules, statement: gaps.find((g) => g.from <= start && end <= g.to)?.statement });
  }
  return directives;
}

/** For each top-level statement of the linted file, the text its leading comments come from. */
function statementGaps(unit: LintUnit): Array<{ from: number; to: number; statement: Statement }> {
  const sections = [unit.up, unit.down, unit.verify, unit.precheck].filter((s): s is ParsedSection => !!s && s.file.path === unit.file.path);
  return sections.flatMap((section) =>
    section.statements.map((statement, i) => ({ from: i === 0 ? section.offset : section.statements[i - 1].end, to: statement.start, statement })),
  );
}

/** What the suppressions of one lint run suppressed, and which rules ran at all. */
export class SuppressionUse implements SuppressionUseView {
  /** `known`: every rule id a comment may name (lint's and the replay check's). */
  constructor(private readonly known: ReadonlySet<string>) {}

  private readonly ran = new Set<string>();
  private readonly byStatement = new Map<Statement, Set<string>>();
  private readonly byFile = new Set<string>();

  ruleRan(id: string): void {
    this.ran.add(id);
  }

  /** `id` is the rule id the comment listed, or `*` when it listed none. */
  suppressedAt(statement: Statement, id: string): void {
    let used = this.byStatement.get(statement);
    if (!used) this.byStatement.set(statement, (used = new Set()));
    used.add(id);
  }

  suppressedInFile(id: string): void {
    this.byFile.add(id);
  }

  isRuleId(id: string): boolean {
    return this.known.has(id);
  }

  hasRun(id: string): boolean {
    return this.ran.has(id);
  }

  /** Whether the directive suppressed a finding of `id` (`*`: of any rule). */
  suppressed(directive: Pick<SuppressionDirective, 'kind' | 'statement'>, id: string): boolean {
    if (directive.kind === 'file') return this.byFile.has(id);
    return !!directive.statement && (this.byStatement.get(directive.statement)?.has(id) ?? false);
  }
}
