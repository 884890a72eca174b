/**
 * The outline of a migration file: its sections (up / down / verify) holding their statements,
 * and folding ranges for sections and multi-line statements.
 */
import { FoldingRangeKind, SymbolKind, type DocumentSymbol, type FoldingRange } from 'vscode-languageserver';
import { splitSections } from '../migrations/sections';
import type { LintUnit, ParsedSection } from '../lint/types';
import type { SourceFile } from '../sql/source';
import { nodeType, type Statement } from '../sql/statements';

/** Words skipped in a label because they do not say what the statement does. */
const NOISE = new Set(['if', 'not', 'exists', 'or', 'replace', 'concurrently', 'only', 'temporary', 'temp', 'unlogged', 'materialized']);
/** Leading keywords of a label; the first other word is the object's name and ends the label. */
const KEYWORDS = new Set([
  'create',
  'alter',
  'drop',
  'table',
  'index',
  'unique',
  'view',
  'sequence',
  'schema',
  'extension',
  'function',
  'procedure',
  'trigger',
  'policy',
  'type',
  'domain',
  'role',
  'user',
  'database',
  'comment',
  'on',
  'column',
  'constraint',
  'grant',
  'revoke',
  'truncate',
  'vacuum',
  'analyze',
  'reindex',
  'cluster',
  'insert',
  'into',
  'update',
  'delete',
  'from',
  'refresh',
  'rename',
  'do',
  'begin',
  'commit',
  'rollback',
  'set',
  'reset',
  'select',
  'with',
  'lock',
  'system',
  'aggregate',
  'operator',
  'publication',
  'subscription',
  'event',
  'collation',
  'statistics',
  'rule',
  'foreign',
  'server',
  'owned',
  'by',
  'security',
  'label',
  'local',
  'session',
  'transaction',
  'call',
  'explain',
  'notify',
  'listen',
  'values',
  'copy',
  'cast',
  'default',
  'privileges',
  'in',
  'tablespace',
]);

/** A short name for a statement: `CREATE TABLE users`, `ALTER TABLE orders`, `UPDATE accounts`. */
export function statementLabel(statement: Statement): string {
  const words = statement.text.replace(/--[^\n]*|\/\*[\s\S]*?\*\//g, ' ').match(/"[^"]*"|[^\s(;,]+/g) ?? [];
  const label: string[] = [];
  for (const word of words) {
    const lower = word.toLowerCase();
    if (NOISE.has(lower)) continue;
    if (KEYWORDS.has(lower)) {
      // Statements that take no object name (SELECT, BEGIN, DO) end at their first keyword.
      if (label.length && ['select', 'with', 'values', 'do', 'begin', 'commit', 'rollback'].includes(label[0].toLowerCase())) break;
      label.push(word.toUpperCase());
      continue;
    }
    if (label.length) label.push(word);
    break;
  }
  const text = label.join(' ') || words.slice(0, 3).join(' ');
  return text.length > 80 ? `${text.slice(0, 79)}…` : text || '(empty statement)';
}

function statementKind(statement: Statement): SymbolKind {
  switch (nodeType(statement.node)) {
    case 'CreateStmt':
    case 'CreateTableAsStmt':
      return SymbolKind.Class;
    case 'AlterTableStmt':
      return SymbolKind.Property;
    case 'IndexStmt':
      return SymbolKind.Key;
    case 'CreateFunctionStmt':
    case 'DoStmt':
      return SymbolKind.Function;
    case 'CreateTrigStmt':
      return SymbolKind.Event;
    case 'CreatePolicyStmt':
    case 'AlterPolicyStmt':
      return SymbolKind.Interface;
    case 'CreateEnumStmt':
    case 'CompositeTypeStmt':
    case 'CreateDomainStmt':
      return SymbolKind.Enum;
    case 'ViewStmt':
      return SymbolKind.Interface;
    case 'DropStmt':
      return SymbolKind.Null;
    default:
      return statement.syntaxError ? SymbolKind.Null : SymbolKind.Operator;
  }
}

interface SectionSpan {
  section: ParsedSection;
  /** From the marker line (or the body when there is no marker) to the end of the body. */
  start: number;
  end: number;
}

/** The sections of the unit that live in this file, with the marker lines included. */
function sectionsInFile(unit: LintUnit, file: SourceFile): SectionSpan[] {
  const markers = new Map(splitSections(file.text).map((raw) => [raw.offset, raw.markerOffset]));
  const spans: SectionSpan[] = [];
  for (const section of [unit.up, unit.down, unit.verify, unit.precheck]) {
    if (!section || section.file.path !== file.path) continue;
    const end = section.offset + section.text.length;
    const start = markers.get(section.offset) ?? section.offset;
    if (end === start && !section.statements.length && markers.get(section.offset) === undefined) continue;
    spans.push({ section, start, end });
  }
  return spans.sort((a, b) => a.start - b.start);
}

/** End of the last non-blank character before `end`, so a section's range does not swallow blank lines. */
function trimmedEnd(text: string, start: number, end: number): number {
  let e = end;
  while (e > start && /\s/.test(text[e - 1])) e--;
  return e;
}

export function documentSymbols(unit: LintUnit, file: SourceFile): DocumentSymbol[] {
  return sectionsInFile(unit, file).map(({ section, start, end }) => {
    const last = trimmedEnd(file.text, start, end);
    const range = { start: file.positionAt(start), end: file.positionAt(last) };
    const newline = file.text.indexOf('\n', start);
    // The marker line names the section; without a marker, its first line does.
    const headingEnd = Math.min(newline < 0 ? file.text.length : newline, last);
    const children: DocumentSymbol[] = section.statements.map((statement) => {
      const statementRange = { start: file.positionAt(statement.start), end: file.positionAt(statement.end) };
      return {
        name: statementLabel(statement),
        detail: statement.syntaxError ? 'syntax error' : undefined,
        kind: statementKind(statement),
        range: statementRange,
        selectionRange: statementRange,
      };
    });
    return {
      name: section.kind,
      detail: `${section.statements.length} statement${section.statements.length === 1 ? '' : 's'}`,
      kind: SymbolKind.Module,
      range,
      selectionRange: { start: range.start, end: file.positionAt(Math.max(start, headingEnd)) },
      children,
    };
  });
}

export function foldingRanges(unit: LintUnit, file: SourceFile): FoldingRange[] {
  const ranges: FoldingRange[] = [];
  for (const { section, start, end } of sectionsInFile(unit, file)) {
    const first = file.positionAt(start).line;
    const last = file.positionAt(trimmedEnd(file.text, start, end)).line;
    if (last > first) ranges.push({ startLine: first, endLine: last, kind: FoldingRangeKind.Region });
    for (const statement of section.statements) {
      const s = file.positionAt(statement.start).line;
      const e = file.positionAt(statement.end).line;
      if (e > s) ranges.push({ startLine: s, endLine: e });
    }
  }
  return ranges;
}
