/**
 * A finding placed in its file for people and tools: path relative to the working folder,
 * 1-based lines and columns (columns in UTF-16 units, as editors and SARIF count them).
 */
import { relative, sep } from 'node:path';
import type { SourceFile } from '../../sql/source';
import type { Finding, Severity } from '../../lint/types';

export interface LocatedFinding {
  file: string;
  line: number;
  column: number;
  endLine: number;
  endColumn: number;
  rule: string;
  severity: Severity;
  message: string;
}

export interface LintReport {
  findings: LocatedFinding[];
  /** How many files were linted (the summary says so even when nothing was found). */
  fileCount: number;
}

/** How findings name their file: relative to the working folder, with forward slashes. */
export function displayPath(path: string, cwd: string): string {
  // A run names thousands of files under the working folder: their relative path is what follows
  // the folder's own, when nothing in it (an empty, `.` or `..` part) needs path.relative's resolving.
  if (sep === '/' && cwd.startsWith('/') && !cwd.endsWith('/') && path.startsWith(cwd) && path.charCodeAt(cwd.length) === 47) {
    const rest = path.slice(cwd.length + 1);
    if (!SPECIAL_PART.test(rest)) return rest;
  }
  return relative(cwd, path).split(sep).join('/');
}

/** An empty, `.` or `..` part of a slash-separated path (a doubled or trailing slash included). */
const SPECIAL_PART = /(^|\/)\.{0,2}(\/|$)/;

export function locateFinding(finding: Finding, file: SourceFile, shownPath: string): LocatedFinding {
  const start = file.positionAt(finding.start);
  const end = file.positionAt(finding.end);
  return {
    file: shownPath,
    line: start.line + 1,
    column: start.character + 1,
    endLine: end.line + 1,
    endColumn: end.character + 1,
    rule: finding.rule,
    severity: finding.severity,
    message: finding.message,
  };
}
