/**
 * Code actions read the fixes the rules attached to the finding behind each diagnostic (quick
 * fixes, multi-statement rewrites, "ignore" comments) and add "Generate rollback" as a refactoring.
 */
import { CodeActionKind, type CodeAction, type Diagnostic, type Range, type TextDocumentEdit, type CreateFile, type WorkspaceEdit } from 'vscode-languageserver';
import type { Finding, Fix, LintUnit, TextEdit } from '../lint/types';
import { generateRollback } from '../lint/rollback-generator';
import { rollbackPlacements } from '../lint/rollback-placement';
import { SourceFile } from '../sql/source';
import { DIAGNOSTIC_SOURCE, type DiagnosticData } from './diagnostics';

export const GENERATE_ROLLBACK_KIND = `${CodeActionKind.Refactor}.generateRollback`;

/** Where edits go: open documents keep their URI spelling and version; others are read from disk. */
export interface EditDocuments {
  uriOf(path: string): string;
  versionOf(path: string): number | null;
  read(path: string): string | undefined;
}

export interface CodeActionContext {
  /** The linted document as the diagnostics saw it. */
  file: SourceFile;
  version: number;
  unit: LintUnit;
  /** The findings of that lint, which diagnostics point at (DiagnosticData.finding). */
  findings: readonly Finding[];
  documents: EditDocuments;
  /** Which kinds the client asked for (undefined: all). */
  only?: string[];
}

function wanted(kind: string, only: string[] | undefined): boolean {
  return !only || only.some((o) => kind === o || kind.startsWith(`${o}.`));
}

/** Quick fixes from the diagnostics in the request, deduplicated by title (one "ignore in file" per rule). */
export function quickFixes(diagnostics: Diagnostic[], ctx: CodeActionContext): CodeAction[] {
  if (!wanted(CodeActionKind.QuickFix, ctx.only)) return [];
  const byTitle = new Map<string, CodeAction>();
  for (const diagnostic of diagnostics) {
    if (diagnostic.source !== DIAGNOSTIC_SOURCE) continue;
    const data = diagnostic.data as DiagnosticData | undefined;
    if (data?.version !== ctx.version) continue;
    const finding = ctx.findings[data.finding];
    if (!finding || finding.rule !== diagnostic.code) continue;
    for (const fix of finding.fixes) {
      const existing = byTitle.get(fix.title);
      if (existing) {
        existing.diagnostics!.push(diagnostic);
        continue;
      }
      const edit = fixToWorkspaceEdit(fix, ctx);
      if (!edit) continue;
      byTitle.set(fix.title, {
        title: fix.title,
        kind: CodeActionKind.QuickFix,
        diagnostics: [diagnostic],
        isPreferred: fix.preferred || undefined,
        edit,
      });
    }
  }
  // Real fixes first, suppressions after them.
  return [...byTitle.values()].sort((a, b) => Number(isIgnore(a)) - Number(isIgnore(b)));
}

function isIgnore(action: CodeAction): boolean {
  return action.title.startsWith('Ignore ');
}

export function fixToWorkspaceEdit(fix: Fix, ctx: CodeActionContext): WorkspaceEdit | undefined {
  const changes: Array<TextDocumentEdit | CreateFile> = [];
  for (const created of fix.createFiles ?? []) {
    const uri = ctx.documents.uriOf(created.path);
    changes.push({ kind: 'create', uri, options: { overwrite: false, ignoreIfExists: true } });
    changes.push({ textDocument: { uri, version: null }, edits: [{ range: { start: { line: 0, character: 0 }, end: { line: 0, character: 0 } }, newText: created.text }] });
  }
  if (fix.edits.length) {
    changes.push({ textDocument: { uri: ctx.documents.uriOf(ctx.file.path), version: ctx.version }, edits: fix.edits.map((e) => toLspEdit(e, ctx.file)) });
  }
  for (const other of fix.otherFileEdits ?? []) {
    const text = ctx.documents.read(other.path);
    if (text === undefined) return undefined;
    const file = new SourceFile(other.path, text);
    changes.push({ textDocument: { uri: ctx.documents.uriOf(other.path), version: ctx.documents.versionOf(other.path) }, edits: other.edits.map((e) => toLspEdit(e, file)) });
  }
  return changes.length ? { documentChanges: changes } : undefined;
}

function toLspEdit(edit: TextEdit, file: SourceFile): { range: Range; newText: string } {
  return { range: { start: file.positionAt(edit.start), end: file.positionAt(edit.end) }, newText: edit.newText };
}

/**
 * "Generate rollback": the up section's reversal where require-rollback's fix would put it (a
 * `-- migrate:down` section, or the layout's down file), or in place of an existing down section.
 */
export function generateRollbackAction(ctx: CodeActionContext): CodeAction | undefined {
  if (!wanted(GENERATE_ROLLBACK_KIND, ctx.only)) return undefined;
  const { unit } = ctx;
  if (unit.fileSection === 'down' || unit.fileSection === 'verify' || unit.fileSection === 'check') return undefined;
  if (!unit.up || !unit.up.statements.some((s) => s.node)) return undefined;
  const rollback = generateRollback(unit.up);
  if (!rollback.sql.trim() && rollback.skipped.length === 0) return undefined;
  const [fix] = rollbackPlacements(unit, unit.up, rollback.sql.endsWith('\n') ? rollback.sql : `${rollback.sql}\n`);
  const edit = fix && fixToWorkspaceEdit(fix, ctx);
  return edit && { title: fix.title, kind: GENERATE_ROLLBACK_KIND, edit };
}
