/**
 * Lints SQL written in a test as if it were a migration file in a temporary folder, through the
 * same unit builder and engine the language server and CLI use. The SQL must parse (as squawk's
 * lint_ok asserts a clean parse first): "this SQL gives no finding" proves nothing about SQL with a
 * typo, which no rule looks into. Tests about broken SQL say so with `allowSyntaxErrors`.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { ensureParser } from '../../server/src/sql/parse';
import { buildLintUnit } from '../../server/src/lint/unit';
import { lintUnit } from '../../server/src/lint/engine';
import { rulesById } from '../../server/src/lint/rules';
import type { Finding, LintUnit } from '../../server/src/lint/types';
import type { ExecutionPolicy } from '../../server/src/migrations/execution';
import { scratchDir } from './test-cleanup';

export { ensureParser };

/**
 * Writes `files` (relative path → text) into a fresh folder and lints `linted` (default: the
 * first file). `rule` limits the findings to one rule.
 */
export function lintFiles(
  files: Record<string, string>,
  options: { linted?: string; rule?: string; environments?: string[]; allowSyntaxErrors?: boolean; policy?: ExecutionPolicy } = {},
): { findings: Finding[]; dir: string; text: string } {
  const dir = scratchDir('lint-');
  for (const [rel, text] of Object.entries(files)) {
    mkdirSync(dirname(join(dir, rel)), { recursive: true });
    writeFileSync(join(dir, rel), text);
  }
  const linted = options.linted ?? Object.keys(files)[0];
  const path = join(dir, linted);
  const unit = buildLintUnit(path, files[linted]);
  if (!options.allowSyntaxErrors && options.rule !== 'syntax-error') refuseSyntaxErrors(unit, dir);
  const rules = options.rule ? [rulesById.get(options.rule)!] : undefined;
  if (options.rule && !rules![0]) throw new Error(`no rule ${options.rule}`);
  const findings = lintUnit(unit, {
    rules,
    environments: options.environments,
    policy: options.policy,
    onRuleError: (id, e) => {
      throw new Error(`rule ${id} threw: ${String(e)}`);
    },
  });
  return { findings, dir, text: files[linted] };
}

/** Throws when a statement of the migration under test (any of its files) does not parse, naming it. */
export function refuseSyntaxErrors(unit: LintUnit, dir: string): void {
  const broken = [unit.up, unit.down, unit.verify, unit.precheck].flatMap((section) =>
    (section?.statements ?? [])
      .filter((statement) => statement.syntaxError)
      .map(
        (statement) => `${relative(dir, section!.file.path)}:${section!.file.positionAt(statement.start).line + 1}: ${statement.syntaxError!.message}: ${statement.text.trim()}`,
      ),
  );
  if (broken.length) throw new Error(`the SQL under test does not parse, so no rule judges it; fix the test's SQL:\n${broken.join('\n')}`);
}

/** Lints one migration with sections (`-- migrate:up` / `-- migrate:down`) for one rule. */
export function lintSql(sql: string, rule?: string): Finding[] {
  return lintFiles({ '001_test.sql': sql }, { rule }).findings;
}

/** The text a finding underlines. */
export function flagged(text: string, finding: Finding): string {
  return text.slice(finding.start, finding.end);
}

/** Applies a fix's edits to the linted text (edits never overlap; applied from the end). */
export function applyEdits(text: string, edits: Array<{ start: number; end: number; newText: string }>): string {
  return [...edits].sort((a, b) => b.start - a.start).reduce((t, e) => t.slice(0, e.start) + e.newText + t.slice(e.end), text);
}
