/**
 * Lint results as LSP diagnostics: one per finding, with the rule id as code, its docs page as
 * codeDescription, and in `data` which finding of the server's last lint result it is, so code
 * actions read that finding's fixes.
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { DiagnosticSeverity, type Diagnostic } from 'vscode-languageserver';
import { buildLintUnit } from '../lint/unit';
import { DEFAULT_DOCS_BASE, lintUnit } from '../lint/engine';
import type { Finding, LintUnit, Severity } from '../lint/types';
import type { FileReader } from '../migrations/discovery';
import { environmentNames, type ConfigProblem } from '../migrations/config';
import { SourceFile } from '../sql/source';
import { describeExecution } from '../migrations/execution';
import type { ProjectConfig } from './workspace-config';

export const DIAGNOSTIC_SOURCE = 'tidemark';

/**
 * What a diagnostic carries for code actions: its finding's index in the lint result of this
 * document version. The fixes stay in the server: sent with every diagnostic they made each publish
 * about ten times larger (800 KB for a 1,000-statement file), on every keystroke, for code
 * actions the user asks for on one line at a time.
 */
export interface DiagnosticData {
  version: number;
  finding: number;
}

export interface LintResult {
  uri: string;
  version: number;
  file: SourceFile;
  unit: LintUnit;
  findings: Finding[];
  diagnostics: Diagnostic[];
}

/**
 * Docs pages shipped next to the bundle (dist/../docs/rules) so links work offline; the web copy
 * when the folder is not there (e.g. running from out/ in a checkout without docs).
 */
export function localDocsBase(bundleDir: string): string {
  const folder = join(bundleDir, '..', 'docs', 'rules');
  return existsSync(folder) ? `${pathToFileURL(folder).href}/` : DEFAULT_DOCS_BASE;
}

export function lintDocument(
  doc: { uri: string; version: number; path: string; text: string },
  reader: FileReader,
  config: ProjectConfig,
  docsBase: string,
  onRuleError: (rule: string, error: unknown) => void,
): LintResult {
  if (doc.text.length > MAX_LINTED_CHARS) return tooLargeResult(doc);
  const unit = buildLintUnit(doc.path, doc.text, reader, { layout: config.config.layout });
  const findings = lintUnit(unit, { severities: config.severities, environments: environmentNames(config.config), policy: config.config.lint, docsBase, onRuleError });
  const file = unit.file;
  const diagnostics = findings.map((finding, index) => toDiagnostic(finding, index, file, doc.version));
  return { uri: doc.uri, version: doc.version, file, unit, findings, diagnostics };
}

/**
 * Above this size (about 10,000 statements) linting takes seconds, parsing and running every rule,
 * and the server would stop answering meanwhile; such files are dumps, not hand-written migrations.
 */
export const MAX_LINTED_CHARS = 1024 * 1024;

function tooLargeResult(doc: { uri: string; version: number; path: string; text: string }): LintResult {
  const file = new SourceFile(doc.path, doc.text);
  const unit: LintUnit = { file, layout: 'sections', fileSection: 'sections', noTransactionDirective: false, execution: describeExecution('dbmate'), problems: [] };
  const megabytes = (n: number) => (n / (1024 * 1024)).toFixed(1);
  const diagnostic: Diagnostic = {
    range: { start: { line: 0, character: 0 }, end: { line: 0, character: 0 } },
    severity: DiagnosticSeverity.Information,
    source: DIAGNOSTIC_SOURCE,
    message: `Not linted in the editor: the file has ${megabytes(doc.text.length)} M characters, over the ${megabytes(MAX_LINTED_CHARS)} M limit. Run \`tidemark lint\` on it in a terminal.`,
  };
  return { uri: doc.uri, version: doc.version, file, unit, findings: [], diagnostics: [diagnostic] };
}

export const DIAGNOSTIC_SEVERITY: Record<Severity, DiagnosticSeverity> = {
  error: DiagnosticSeverity.Error,
  warning: DiagnosticSeverity.Warning,
  info: DiagnosticSeverity.Information,
  hint: DiagnosticSeverity.Hint,
};

export function toDiagnostic(finding: Finding, index: number, file: SourceFile, version: number): Diagnostic {
  const data: DiagnosticData = { version, finding: index };
  return {
    range: { start: file.positionAt(finding.start), end: file.positionAt(finding.end) },
    severity: DIAGNOSTIC_SEVERITY[finding.severity],
    code: finding.rule,
    codeDescription: { href: finding.docs },
    source: DIAGNOSTIC_SOURCE,
    message: finding.message,
    data,
  };
}

/** tidemark.json problems (schema errors, unknown rule ids) underlined in the config file. */
export function configDiagnostics(problems: Array<ConfigProblem & { severity: 'error' | 'warning' }>, text: string, path: string): Diagnostic[] {
  const file = new SourceFile(path, text);
  return problems.map((problem) => ({
    range: { start: file.positionAt(problem.start), end: file.positionAt(Math.max(problem.end, problem.start)) },
    severity: problem.severity === 'error' ? DiagnosticSeverity.Error : DiagnosticSeverity.Warning,
    source: DIAGNOSTIC_SOURCE,
    message: problem.field ? `${problem.field}: ${problem.message}` : problem.message,
  }));
}
