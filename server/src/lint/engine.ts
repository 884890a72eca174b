/**
 * Runs the rules over a LintUnit and turns what they report into findings: severity from the
 * config, suppressions honoured, "ignore" fixes attached. The rules decide; the engine reports.
 */
import { allRules } from './rules';
import type { Finding, Fix, LintUnit, Rule, RuleReport, Severity } from './types';
import { SuppressionUse } from './suppressions';
import type { SeveritySetting } from '../migrations/config';
import { configuredSeverity, DEFAULT_DOCS_BASE } from '../findings/finding';
import { replayRules } from '../findings/replay-rules';
import { fileIgnoredRules, ignoredRules } from '../migrations/sections';
import type { Statement } from '../sql/statements';
import { applyExecutionPolicy, type ExecutionPolicy } from '../migrations/execution';
import { migrationRunsFor } from './migration-runs';
import { lintStatementsKept } from './statement-judge';

export interface LintOptions {
  /** Severity per rule id from tidemark.json and editor settings; "off" disables a rule. */
  severities?: Record<string, SeveritySetting>;
  /** Base of the docs links: each finding links to `${docsBase}${rule}.md`. */
  docsBase?: string;
  rules?: readonly Rule[];
  /** The project's environment names (`environmentNames` of its tidemark.json), for rules that check them. */
  environments?: readonly string[];
  /** tidemark.json `lint.idempotency` / `lint.rollbacks`: how the project runs its migrations beyond what the layout says. */
  policy?: ExecutionPolicy;
  /** Called when a rule throws: the other rules' findings are still returned. */
  onRuleError?: (rule: string, error: unknown) => void;
}

export { DEFAULT_DOCS_BASE };

export function lintUnit(unit: LintUnit, options: LintOptions = {}): Finding[] {
  const findings: Finding[] = [];
  const suppressible = mayHoldSuppressions(unit.file.text);
  const fileIgnores = suppressible ? fileIgnoredRules(unit.file.text) : NO_RULES;
  const docsBase = options.docsBase ?? DEFAULT_DOCS_BASE;
  if (options.environments) unit = { ...unit, environmentNames: options.environments };
  if (options.policy) unit = { ...unit, execution: applyExecutionPolicy(unit.execution, options.policy) };
  const rules = options.rules ?? allRules;
  // The rules run once for all files of a split migration (migration-runs.ts).
  const shared = migrationRunsFor(unit);
  // Rules that audit the suppressions need to know what each one suppressed: then a rule ignored
  // for the whole file still runs, and its findings are dropped, counted against the comment. A
  // file without a suppression comment has nothing to audit (most files: none of the bookkeeping).
  const auditors = suppressible ? rules.filter((rule) => rule.lintSuppressions && configuredSeverity(options.severities, rule) !== undefined) : [];
  const use = auditors.length ? new SuppressionUse(knownRuleIds()) : undefined;
  const reportAs = (rule: Rule, severity: Severity, fileIgnored: boolean, r: RuleReport): void => {
    if (r.section.file.path !== unit.file.path) return;
    // Only a `-- tidemark-ignore` comment suppresses: without one in the file, none to look for.
    if (suppressible && r.statement) {
      const top = r.statement.embedding?.parent ?? r.statement;
      const by = suppressedBy(top, rule.id);
      if (by) return use?.suppressedAt(top, by);
    }
    if (fileIgnored) return use?.suppressedInFile(fileIgnores.has(rule.id) ? rule.id : '*');
    const start = r.start ?? r.statement?.start ?? 0;
    const end = r.end ?? r.statement?.end ?? start;
    findings.push(new LintFinding(rule.id, severity, r.message, start, end, `${docsBase}${rule.id}.md`, r.fixes, unit, r.statement, options.onRuleError));
  };
  const reporter = (rule: Rule, severity: Severity, fileIgnored: boolean) => (r: RuleReport) => reportAs(rule, severity, fileIgnored, r);
  // The rule running now: one report function for all of them (each reports while it runs, or
  // its recorded reports are replayed then), none made per rule and file.
  let ruleNow!: Rule;
  let severityNow!: Severity;
  let ignoredNow = false;
  const report = (r: RuleReport) => reportAs(ruleNow, severityNow, ignoredNow, r);
  for (const rule of rules) {
    const severity = configuredSeverity(options.severities, rule);
    if (severity === undefined || rule.lintSuppressions) continue;
    const fileIgnored = fileIgnores.has(rule.id) || fileIgnores.has('*');
    if (fileIgnored && !use) continue;
    use?.ruleRan(rule.id);
    ruleNow = rule;
    severityNow = severity;
    ignoredNow = fileIgnored;
    if (shared) {
      // Another file of the migration ran the rule: its reports, this file's findings among them.
      const recorded = shared.recorded(rule);
      if (recorded) for (const r of recorded.reports) report(r);
      const run = recorded ?? shared.run(rule, unit, report);
      if (run.threw) options.onRuleError?.(rule.id, run.threw.error);
      continue;
    }
    try {
      if (rule.eachStatement) lintStatementsKept(rule, rule.eachStatement, unit, report);
      else rule.lint(unit, report);
    } catch (error) {
      options.onRuleError?.(rule.id, error);
    }
  }
  for (const rule of auditors) {
    if (fileIgnores.has(rule.id) || fileIgnores.has('*')) continue;
    try {
      rule.lintSuppressions!(unit, use!, reporter(rule, configuredSeverity(options.severities, rule)!, false));
    } catch (error) {
      options.onRuleError?.(rule.id, error);
    }
  }
  for (const sibling of unit.siblings ?? []) findings.push(...lintUnit(sibling, options));
  // Rule ids are lower-case ASCII and hyphens, which code-unit order sorts as localeCompare did,
  // without loading ICU collation (its first call) in every CLI run.
  return findings.sort((a, b) => a.start - b.start || (a.rule < b.rule ? -1 : a.rule > b.rule ? 1 : 0));
}

/**
 * Whether `text` may hold a `-- tidemark-ignore` or `-- tidemark-ignore-file` comment: every
 * suppression names itself so (case aside), and a file without one needs no suppression audit.
 */
function mayHoldSuppressions(text: string): boolean {
  return /tidemark-ignore/i.test(text);
}

const NO_RULES: ReadonlySet<string> = new Set();
let ruleIds: ReadonlySet<string> | undefined;

/** Every rule id a suppression comment may name: lint's and the replay check's (the same for every file). */
function knownRuleIds(): ReadonlySet<string> {
  return (ruleIds ??= new Set([...allRules, ...replayRules].map((r) => r.id)));
}

/**
 * A finding whose `fixes` are computed when first read. Most findings are only ever printed (the
 * CLI, a file the user scrolls past), and their fixes can cost more than finding them. What they
 * are computed from is in private fields (never serialised or spread), not a closure: an editor keeps
 * the last lint's findings, hundreds of them, and a closure per finding held its whole report.
 */
class LintFinding implements Finding {
  #reported: RuleReport['fixes'];
  #unit: LintUnit | undefined;
  #statement: Statement | undefined;
  #onRuleError: ((rule: string, error: unknown) => void) | undefined;
  #computed?: Fix[];

  constructor(
    readonly rule: string,
    readonly severity: Severity,
    readonly message: string,
    readonly start: number,
    readonly end: number,
    readonly docs: string,
    reported: RuleReport['fixes'],
    unit: LintUnit,
    statement: Statement | undefined,
    onRuleError: ((rule: string, error: unknown) => void) | undefined,
  ) {
    this.#reported = reported;
    this.#unit = unit;
    this.#statement = statement;
    this.#onRuleError = onRuleError;
  }

  get fixes(): Fix[] {
    if (!this.#computed) {
      const reported = this.#reported;
      let ruleFixes: Fix[] = [];
      try {
        ruleFixes = (typeof reported === 'function' ? reported() : reported) ?? [];
      } catch (error) {
        // Computed later than the finding: a failing fix loses itself, not the ignore actions.
        this.#onRuleError?.(this.rule, error);
      }
      this.#computed = [...ruleFixes, ...ignoreFixes(this.#unit!, this.rule, this.#statement)];
      // Read once: what they came from can go.
      this.#reported = this.#unit = this.#statement = this.#onRuleError = undefined;
    }
    return this.#computed;
  }
}

/** What in the comments above a top-level statement suppresses `ruleId` there: its id, `*`, or nothing. A statement inside a DO block is suppressed by the comment above the DO block. */
function suppressedBy(top: Statement, ruleId: string): string | undefined {
  const ignored = ignoredRules(top.leadingComments);
  return ignored.has(ruleId) ? ruleId : ignored.has('*') ? '*' : undefined;
}

/** "Ignore for this statement" and "ignore in this file" as plain comment insertions. */
function ignoreFixes(unit: LintUnit, ruleId: string, statement: Statement | undefined): Fix[] {
  const fixes: Fix[] = [];
  const text = unit.file.text;
  if (statement) {
    const top = statement.embedding?.parent ?? statement;
    const lineStart = text.lastIndexOf('\n', top.start - 1) + 1;
    const indent = /^[ \t]*/.exec(text.slice(lineStart, top.start))![0];
    fixes.push({
      title: `Ignore ${ruleId} for this statement`,
      edits: [{ start: lineStart, end: lineStart, newText: `${indent}-- tidemark-ignore ${ruleId}\n` }],
    });
  }
  fixes.push({
    title: `Ignore ${ruleId} in this file`,
    edits: [{ start: 0, end: 0, newText: `-- tidemark-ignore-file ${ruleId}\n` }],
  });
  return fixes;
}
