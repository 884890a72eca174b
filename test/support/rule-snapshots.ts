/**
 * The snapshot of a rule: its example migrations (test/unit/lint/snapshot-cases/RULE.sql) linted
 * as `tidemark lint` lints them, each finding rendered as the CLI prints it (`file:line:col:
 * severity rule: message`), the range it underlines, and the edits of each of its fixes.
 *
 * A case file holds one or more cases:
 *
 *   -- case: NAME                       starts a case (lines above the first one are notes)
 *   -- option: environments=a,b         the project's environments (unknown-environment)
 *   -- option: idempotency=require      lint.idempotency / lint.rollbacks of tidemark.json
 *   -- file: PATH                       starts a file of the case; the first file is the one linted
 *   -- generate: long-sum N             replaced by `SELECT 0 + 1 + ... + N-1;` (too long to keep)
 *
 * A case without `-- file:` is one file, 001_test.sql. Every case must give at least one finding
 * of the rule: the snapshots show what the rule says, so a case it stays silent on is a mistake.
 */
import { readFileSync } from 'node:fs';
import { basename, join } from 'node:path';
import type { ExecutionPolicy } from '../../server/src/migrations/execution';
import type { Finding, TextEdit } from '../../server/src/lint/types';
import { formatText } from '../../server/src/cli/format/text';
import { displayPath, locateFinding } from '../../server/src/cli/format/located';
import { SourceFile } from '../../server/src/sql/source';
import { lintFiles } from './lint';
import { longSum } from './hostile-sql';
import { repoRoot } from './paths';

export const snapshotCasesDir = join(repoRoot, 'test', 'unit', 'lint', 'snapshot-cases');
export const snapshotsDir = join(repoRoot, 'test', 'unit', 'lint', '__snapshots__');

export interface SnapshotCase {
  name: string;
  /** Relative path → text; the first is linted. */
  files: Record<string, string>;
  environments?: string[];
  policy: ExecutionPolicy;
}

const DEFAULT_FILE = '001_test.sql';

/** Reads a case file; throws naming the line when a directive is not understood. */
export function readSnapshotCases(path: string): SnapshotCase[] {
  const cases: SnapshotCase[] = [];
  let current: SnapshotCase | undefined;
  let file: string | undefined;
  const lines = readFileSync(path, 'utf8').split('\n');
  lines.forEach((line, i) => {
    const where = `${path}:${i + 1}`;
    const directive = /^-- (case|option|file|generate): ?(.*)$/.exec(line);
    if (directive?.[1] === 'case') {
      current = { name: directive[2].trim(), files: {}, policy: {} };
      file = undefined;
      cases.push(current);
      return;
    }
    if (!current) return;
    if (directive?.[1] === 'option') {
      const [key, value = ''] = directive[2].split('=').map((s) => s.trim());
      if (key === 'environments') current.environments = value.split(',').map((s) => s.trim());
      else if ((key === 'idempotency' || key === 'rollbacks') && ['auto', 'require', 'off'].includes(value)) current.policy[key] = value as 'auto';
      else throw new Error(`${where}: unknown option "${directive[2]}" (environments=a,b, idempotency=auto|require|off, rollbacks=auto|require|off)`);
      return;
    }
    if (directive?.[1] === 'file') {
      file = directive[2].trim();
      current.files[file] = '';
      return;
    }
    let text = line;
    if (directive?.[1] === 'generate') {
      const sum = /^long-sum (\d+)$/.exec(directive[2].trim());
      if (!sum) throw new Error(`${where}: unknown generator "${directive[2]}" (long-sum N)`);
      text = longSum(Number(sum[1])).trimEnd();
    }
    file ??= DEFAULT_FILE;
    current.files[file] = (current.files[file] ?? '') + text + '\n';
  });
  for (const c of cases) {
    for (const [name, text] of Object.entries(c.files)) c.files[name] = text.replace(/\n+$/, '\n');
    if (Object.keys(c.files).length === 0) throw new Error(`${path}: case "${c.name}" has no SQL`);
  }
  if (cases.length === 0) throw new Error(`${path} has no "-- case: NAME" line`);
  return cases;
}

/** How a case renders: the CLI's line for each finding of `rule`, its range, and its fixes' edits. */
export function renderSnapshotCase(rule: string, snapshotCase: SnapshotCase): { text: string; findings: Finding[] } {
  const {
    findings: all,
    dir,
    text,
  } = lintFiles(snapshotCase.files, {
    environments: snapshotCase.environments,
    policy: snapshotCase.policy,
    allowSyntaxErrors: rule === 'syntax-error',
  });
  const findings = all.filter((f) => f.rule === rule);
  const linted = Object.keys(snapshotCase.files)[0];
  const source = new SourceFile(join(dir, linted), text);
  const out: string[] = [`## ${snapshotCase.name}`, ''];
  for (const finding of findings) {
    const located = locateFinding(finding, source, displayPath(source.path, dir));
    out.push(formatText({ findings: [located], fileCount: 1 }).split('\n')[0]);
    out.push(`  range ${located.line}:${located.column}-${located.endLine}:${located.endColumn}`);
    out.push(...underline(text, finding.start, finding.end).map((l) => `  ${l}`));
    for (const fix of finding.fixes) {
      out.push(`  fix: ${fix.title}${fix.preferred ? ' (preferred)' : ''}`);
      for (const edit of fix.edits) out.push(...hunk(linted, text, edit).map((l) => `    ${l}`));
      for (const created of fix.createFiles ?? []) {
        out.push(`    creates ${displayPath(created.path, dir)}`);
        out.push(
          ...created.text
            .replace(/\n$/, '')
            .split('\n')
            .map((l) => `    ${marked('+', l)}`),
        );
      }
      for (const other of fix.otherFileEdits ?? []) {
        const otherText = readFileSync(other.path, 'utf8');
        for (const edit of other.edits) out.push(...hunk(displayPath(other.path, dir), otherText, edit).map((l) => `    ${l}`));
      }
    }
    out.push('');
  }
  out.push('');
  // Messages and titles may name the scratch folder the case was written to.
  return { text: out.join('\n').split(dir).join('<project>').split(basename(dir)).join('<project>'), findings };
}

/** The lines of [start, end) with carets under the part that is underlined. */
function underline(text: string, start: number, end: number): string[] {
  const first = text.lastIndexOf('\n', start - 1) + 1;
  const stop = end > start ? end : start + 1;
  const lines: string[] = [];
  let at = first;
  while (at < stop || lines.length === 0) {
    const next = text.indexOf('\n', at);
    const lineEnd = next < 0 ? text.length : next;
    const from = Math.max(start, at) - at;
    const to = Math.min(end, lineEnd) - at;
    lines.push(marked('|', text.slice(at, lineEnd)), `| ${' '.repeat(Math.min(from, MAX_WIDTH))}${'^'.repeat(Math.max(1, Math.min(to, MAX_WIDTH) - Math.min(from, MAX_WIDTH)))}`);
    if (next < 0) break;
    at = next + 1;
    if (lines.length >= 2 * MAX_LINES && at < stop) {
      lines.push(`| ... ${text.slice(at, stop).split('\n').length} more lines`);
      break;
    }
  }
  return lines;
}

/** One edit as the lines it touches, before (-) and after (+). */
function hunk(path: string, text: string, edit: TextEdit): string[] {
  const from = text.lastIndexOf('\n', edit.start - 1) + 1;
  const next = text.indexOf('\n', edit.end > edit.start ? edit.end - 1 : edit.end);
  const to = next < 0 ? text.length : next;
  const before = text.slice(from, to);
  const after = text.slice(from, edit.start) + edit.newText + text.slice(edit.end, to);
  const line = new SourceFile(path, text).positionAt(from).line + 1;
  const split = (s: string) => (s === '' ? [] : s.split('\n'));
  return [`${path}:${line}`, ...split(before).map((l) => marked('-', l)), ...split(after).map((l) => marked('+', l))];
}

const MAX_WIDTH = 160;
const MAX_LINES = 6;

/** A line after its mark; an empty line is the mark alone (no trailing space in the snapshot). */
function marked(mark: string, line: string): string {
  return line === '' ? mark : `${mark} ${clip(line)}`;
}

function clip(line: string): string {
  return line.length > MAX_WIDTH ? `${line.slice(0, MAX_WIDTH)}... (${line.length - MAX_WIDTH} more characters)` : line;
}
