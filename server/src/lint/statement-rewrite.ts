/**
 * Text edits for fixes that turn one statement into several (SET NOT NULL → CHECK NOT VALID +
 * VALIDATE + SET NOT NULL, ADD UNIQUE → CREATE UNIQUE INDEX CONCURRENTLY + USING INDEX), written
 * in the statement's own indentation and line endings.
 */
import { hasSemicolon } from '../sql/clauses';
import type { Statement } from '../sql/statements';
import type { TextEdit } from './types';

/** The indentation of the statement's line and the file's line ending, read around the statement only. */
export function lineLayout(text: string, statement: Statement): { indent: string; eol: string } {
  const lineStart = text.lastIndexOf('\n', statement.start - 1) + 1;
  const indent = /^[ \t]*/.exec(text.slice(lineStart, statement.start))![0];
  // Look at one nearby line break rather than scanning the whole file for every finding.
  const after = text.indexOf('\n', statement.end);
  const near = after >= 0 ? after : lineStart - 1;
  return { indent, eol: near > 0 && text[near - 1] === '\r' ? '\r\n' : '\n' };
}

/** Inserts `statements` (each without its semicolon) on new lines after `statement`. */
export function insertAfter(text: string, statement: Statement, statements: string[]): TextEdit {
  const { indent, eol } = lineLayout(text, statement);
  const terminator = hasSemicolon(statement) ? '' : ';';
  return { start: statement.end, end: statement.end, newText: terminator + statements.map((s) => `${eol}${indent}${s};`).join('') };
}

/**
 * Inserts `statements` (each without its semicolon) on lines of their own before `statement` and
 * above the comment lines right over it, so a `-- tidemark-ignore` there keeps its statement.
 */
export function insertBefore(text: string, statement: Statement, statements: string[]): TextEdit {
  const { indent, eol } = lineLayout(text, statement);
  const at = commentBlockStart(text, statement);
  if (at === statement.start) return { start: at, end: at, newText: statements.map((s) => `${s};${eol}${indent}`).join('') };
  return { start: at, end: at, newText: statements.map((s) => `${indent}${s};${eol}`).join('') };
}

/** Start of the run of `--` comment lines directly above a statement that begins its line (section markers excluded). */
function commentBlockStart(text: string, statement: Statement): number {
  const lineStart = text.lastIndexOf('\n', statement.start - 1) + 1;
  if (text.slice(lineStart, statement.start).trim() !== '') return statement.start;
  let at = lineStart;
  while (at > 0) {
    const previous = text.lastIndexOf('\n', at - 2) + 1;
    const line = text.slice(previous, at - 1);
    if (!/^[ \t]*--/.test(line) || /^[ \t]*--[ \t]*migrate:/i.test(line)) break;
    at = previous;
  }
  return at === lineStart ? statement.start : at;
}
