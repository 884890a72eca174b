/**
 * Liquibase formatted SQL: a file whose first line is `--liquibase formatted sql` holds
 * changesets, each `--changeset author:id [attributes]` up to the next one. Each changeset is one
 * migration, identified as `author:id`. Read as Liquibase reads it
 * (liquibase-standard AbstractFormattedChangeLogParser):
 *
 * - `--rollback SQL` lines and `/* liquibase rollback … *\/` blocks are its down; `--rollback not
 *   required` / `--rollback empty` is a rollback that does nothing;
 * - `--precondition-sql-check expectedResult:N SQL` is a pre-check: the query's first cell must be
 *   N (Tidemark's `check` section, each query with its expected value);
 * - `runInTransaction:false` runs it outside a transaction; `endDelimiter:X` ends its statements
 *   at X; `splitStatements:false` sends it as one statement; `dbms:` other than postgresql and
 *   `ignore:true` leave it out; `runOnChange` / `runAlways` run it again.
 *
 * Files are ordered as `includeAll` orders them (by path); changesets in file order. Sections are
 * the file's own text with the lines that are not theirs blanked out, so every offset in a
 * section is the same offset in the file.
 */
import { basename, join } from 'node:path';
import { SourceFile } from '../../sql/source';
import { checksum } from '../checksum';
import { describeExecution } from '../execution';
import { blockedReasons, environmentsDirective } from '../sections';
import type { DiscoveryProblem, Migration, Section, UnusedFile } from '../types';
import { CONTENT, type FolderCensus, type LayoutReader, type LayoutReading } from './reader';
import { linesOf, type Line } from './lines';

const FIRST_LINE = /^\s*--\s*liquibase\s*formatted.*$/i;
const CHANGESET = /^\s*--[\s]*changeset\s+("[^"]+"|[^:]+):\s*("[^"]+"|\S+).*$/i;
const CHANGESET_LOOSE = /^\s*--[\s]*changeset\b.*$|^-[\s]*changeset\s.*$/i;
const ROLLBACK = /^\s*--[\s]*rollback (.*)$/i;
const ROLLBACK_LOOSE = /^\s*-[\s]*rollback\s.*$/i;
const ROLLBACK_BLOCK_START = /^\s*\/\*\s*liquibase\s*rollback\s*$/i;
const ROLLBACK_BLOCK_END = /^.*\s*\*\/\s*$/;
const COMMENT = /^--[\s]*comment:? (.*)$/i;
const VALID_CHECKSUM = /^--[\s]*validCheckSum:? (.*)$/i;
const PRECONDITIONS = /^\s*--[\s]*preconditions(.*)$/i;
const PRECONDITION = /^\s*--[\s]*precondition-([a-zA-Z0-9-]+) (.*)$/i;
const PRECONDITION_EMPTY = /^\s*--[\s]*precondition-([a-zA-Z0-9-]+)$/i;
const IGNORE_LINES = /^--[\s]*ignoreLines:(\w+)$/i;
const PROPERTY = /^\s*--[\s]*property\s+(.*:.*)\s+(.*:.*).*$/i;
const SQL_CHECK = [/^(?:expectedResult:)?(\w+) (.*)$/i, /^(?:expectedResult:)?'([^']+)' (.*)$/i, /^(?:expectedResult:)?"([^"]+)" (.*)$/i];

/** A changeset attribute written `name:value` on its `--changeset` line. */
function attribute(line: string, name: string, value = String.raw`\w+`): string | undefined {
  return new RegExp(String.raw`(?:^|\s)${name}:(${value})`, 'i').exec(line)?.[1];
}

/** Liquibase's `Boolean.parseBoolean`: only "true" (any case) is true. */
const isTrue = (value: string | undefined, byDefault: boolean) => (value === undefined ? byDefault : value.toLowerCase() === 'true');

export interface Changeset {
  author: string;
  id: string;
  /** 1-based line of `--changeset`. */
  line: number;
  /** The `--changeset` line as written. */
  header: string;
  up: Section;
  down?: Section;
  check?: Section;
  runInTransaction: boolean;
  runOnChange: boolean;
  runAlways: boolean;
  /** The dbms list (`postgresql`, `!mysql`...), undefined for all. */
  dbms?: string[];
  ignore: boolean;
  failOnError: boolean;
  context?: string;
  labels?: string;
  /** `--preconditions onFail:X`: what Liquibase does when a precondition fails (HALT by default). */
  onFail?: string;
}

/** A section over [from, to) of the file that keeps only the given ranges: everything else becomes spaces, line breaks stay. */
function maskedSection(
  kind: Section['kind'],
  file: SourceFile,
  from: number,
  to: number,
  keep: ReadonlyArray<[number, number]>,
  replace: ReadonlyArray<{ at: number; text: string }> = [],
): Section {
  const chars = file.text
    .slice(from, to)
    .replace(/[^\r\n]/g, ' ')
    .split('');
  for (const [a, b] of keep) for (let i = a; i < b; i++) chars[i - from] = file.text[i];
  for (const r of replace) for (let i = 0; i < r.text.length; i++) chars[r.at - from + i] = r.text[i];
  return { kind, file, offset: from, text: chars.join('') };
}

/** Whether a file is a Liquibase formatted SQL changelog: its first non-blank line says so. */
export function isFormattedSql(text: string): boolean {
  // Line by line up to the first that is not blank: detection asks this of every .sql file in a folder.
  for (let start = 0; start <= text.length;) {
    const end = text.indexOf('\n', start);
    const line = text.slice(start, end < 0 ? text.length : end);
    if (line.trim() !== '') return FIRST_LINE.test(line.replace(/\r$/, ''));
    if (end < 0) return false;
    start = end + 1;
  }
  return false;
}

export interface ParsedChangelog {
  changesets: Changeset[];
  problems: Array<{ offset: number; message: string; severity?: 'warning' | 'info' }>;
}

/** The changesets of one formatted SQL file. */
export function parseFormattedSql(file: SourceFile): ParsedChangelog {
  const out: ParsedChangelog = { changesets: [], problems: [] };
  const lines = linesOf(file.text);
  type Open = {
    header: Line;
    index: number;
    keepUp: Array<[number, number]>;
    keepDown: Array<[number, number]>;
    keepCheck: Array<[number, number]>;
    checkReplace: Array<{ at: number; text: string }>;
    changeset: Omit<Changeset, 'up' | 'down' | 'check'>;
    rollbackSeen: boolean;
  };
  let open: Open | undefined;
  const problem = (line: Line, message: string, severity?: 'warning' | 'info') => out.problems.push({ offset: line.start, message, severity });

  const close = (endOffset: number) => {
    if (!open) return;
    const from = open.header.end < file.text.length ? lineAfter(file.text, open.header.end) : file.text.length;
    const to = Math.max(from, endOffset);
    const up = maskedSection('up', file, from, to, open.keepUp);
    if (!/\S/.test(up.text)) problem(open.header, `changeset ${open.changeset.author}:${open.changeset.id} has no SQL: Liquibase refuses the changelog ("No SQL for changeset")`);
    const endDelimiter = attribute(open.header.text, 'endDelimiter', String.raw`\S*`);
    if (endDelimiter && endDelimiter !== ';') applyEndDelimiter(up, endDelimiter);
    else if (!endDelimiter && /\n[ \t]*\/[ \t]*$/.test(up.text.trimEnd())) applyEndDelimiter(up, '/');
    out.changesets.push({
      ...open.changeset,
      up,
      down: open.rollbackSeen ? maskedSection('down', file, from, to, open.keepDown) : undefined,
      check: open.keepCheck.length ? maskedSection('check', file, from, to, open.keepCheck, open.checkReplace) : undefined,
    });
    open = undefined;
  };

  for (let i = 0; i < lines.length; i++) {
    const line = lines[i];
    const text = line.text;
    if (PROPERTY.test(text)) continue;
    const ignore = IGNORE_LINES.exec(text);
    if (ignore) {
      if (ignore[1] === 'start') {
        const end = lines.findIndex((l, k) => k > i && /^--[\s]*ignoreLines:end$/i.test(l.text));
        i = end < 0 ? lines.length : end;
      } else if (/^\d+$/.test(ignore[1])) i += Number(ignore[1]);
      else problem(line, `unknown ignoreLines syntax "${ignore[1]}"`);
      continue;
    }
    const changeset = CHANGESET.exec(text);
    if (changeset) {
      close(line.start);
      const unquote = (s: string) => s.replace(/^"(.*)"$/, '$1');
      const author = unquote(changeset[1].trim());
      const id = unquote(changeset[2]);
      if (!id.replace(/[: ]/g, '')) problem(line, 'the changeset ID cannot be empty');
      const dbms = attribute(text, 'dbms', String.raw`[^,\s][\w!,]*`);
      open = {
        header: line,
        index: i,
        keepUp: [],
        keepDown: [],
        keepCheck: [],
        checkReplace: [],
        rollbackSeen: false,
        changeset: {
          author,
          id,
          line: i + 1,
          header: text,
          runInTransaction: isTrue(attribute(text, 'runInTransaction'), true),
          runOnChange: isTrue(attribute(text, 'runOnChange'), false),
          runAlways: isTrue(attribute(text, 'runAlways'), false),
          dbms: dbms
            ?.split(',')
            .map((d) => d.trim().toLowerCase())
            .filter(Boolean),
          ignore: isTrue(attribute(text, 'ignore', String.raw`\w*`), false),
          failOnError: isTrue(attribute(text, 'failOnError'), true),
          context: attribute(text, 'contextFilter', String.raw`"[^"]*"|\S*`) || attribute(text, 'context', String.raw`"[^"]*"|\S*`),
          labels: attribute(text, 'labels', String.raw`"[^"]*"|\S*`),
        },
      };
      continue;
    }
    if (CHANGESET_LOOSE.test(text)) {
      problem(line, 'a --changeset line must be "--changeset author:id [attributes]"');
      continue;
    }
    if (!open) {
      if (COMMENT.test(text)) problem(line, 'Liquibase does not allow --comment lines outside a changeset');
      else if (!FIRST_LINE.test(text) && /\S/.test(text) && !/^\s*--/.test(text)) problem(line, 'SQL before the first --changeset: Liquibase never runs it', 'warning');
      continue;
    }
    const rollback = ROLLBACK.exec(text);
    if (rollback) {
      open.rollbackSeen = true;
      const body = rollback[1];
      // `not required` / `empty`: a rollback with nothing to run. Kept as the comment it is, so the down exists and runs nothing.
      if (/^\s*(not required|empty)/i.test(body)) open.keepDown.push([line.start, line.end]);
      else if (/changesetid/i.test(body)) problem(line, 'a rollback that points to another changeset (changesetId:) is not run by Tidemark: write its SQL here', 'warning');
      else open.keepDown.push([line.end - body.length, line.end]);
      continue;
    }
    if (ROLLBACK_LOOSE.test(text)) {
      problem(line, 'a rollback line must be "--rollback SQL"');
      continue;
    }
    if (ROLLBACK_BLOCK_START.test(text)) {
      open.rollbackSeen = true;
      let k = i + 1;
      for (; k < lines.length; k++) {
        const inner = lines[k];
        if (ROLLBACK_BLOCK_END.test(inner.text)) {
          const close = inner.text.search(/\*\/\s*$/);
          open.keepDown.push([inner.start, inner.start + close]);
          break;
        }
        open.keepDown.push([inner.start, inner.end]);
      }
      if (k >= lines.length) problem(line, 'the Liquibase rollback comment is not closed (*/)');
      i = k;
      continue;
    }
    if (COMMENT.test(text) || VALID_CHECKSUM.test(text)) continue;
    const preconditions = PRECONDITIONS.exec(text);
    if (preconditions) {
      open.changeset.onFail = /onFail:(\w+)/i.exec(preconditions[1])?.[1]?.toUpperCase();
      continue;
    }
    const precondition = PRECONDITION.exec(text);
    if (precondition) {
      const [, kind, body] = precondition;
      if (kind.toLowerCase() === 'sql-check') {
        const bodyStart = line.end - body.length;
        const trimmed = body.trim();
        const parsed = SQL_CHECK.map((p) => p.exec(trimmed)).find((m) => m);
        if (!parsed) {
          problem(line, `cannot read a sql-check precondition from "${trimmed}": write --precondition-sql-check expectedResult:VALUE SQL`);
          continue;
        }
        const sqlStart = bodyStart + body.indexOf(trimmed) + trimmed.length - parsed[2].length;
        // Tidemark's pre-checks compare a query's first cell with `-- expect: VALUE` written before it.
        const expect = `-- expect: ${parsed[1]}`;
        if (expect.length < sqlStart - line.start) {
          open.keepCheck.push([sqlStart, line.end]);
          open.checkReplace.push({ at: line.start, text: expect }, { at: sqlStart - 1, text: '\n' });
        } else problem(line, `the sql-check precondition's expected value is too long for Tidemark to check`, 'warning');
      } else if (kind.toLowerCase() === 'table-exists' || kind.toLowerCase() === 'view-exists') {
        problem(
          line,
          `--precondition-${kind} is not checked by Tidemark: write it as --precondition-sql-check (expectedResult:1 SELECT count(*) FROM pg_class WHERE ...) to have it checked`,
          'warning',
        );
      } else problem(line, `the '${kind}' precondition type is not supported by Liquibase`);
      continue;
    }
    const empty = PRECONDITION_EMPTY.exec(text);
    if (empty) {
      problem(line, `--precondition-${empty[1]} without its parameters`);
      continue;
    }
    open.keepUp.push([line.start, line.end]);
  }
  close(file.text.length);
  return out;
}

/** Offset of the line after the one ending at `lineEnd`. */
function lineAfter(text: string, lineEnd: number): number {
  const nl = text.indexOf('\n', lineEnd);
  return nl < 0 ? text.length : nl + 1;
}

/**
 * `endDelimiter:X`: Liquibase ends statements at X rather than `;`. Each X becomes a statement
 * boundary, and is blanked out of the SQL the server receives.
 */
function applyEndDelimiter(section: Section, delimiter: string): void {
  const breaks: number[] = [];
  const chars = section.text.split('');
  const onItsOwnLine = /^[^\w\s]+$/.test(delimiter) || /^go$/i.test(delimiter);
  const pattern = onItsOwnLine ? new RegExp(String.raw`^[ \t]*${escapeRegExp(delimiter)}[ \t]*$`, 'gim') : new RegExp(escapeRegExp(delimiter), 'g');
  for (const m of section.text.matchAll(pattern)) {
    for (let i = m.index!; i < m.index! + m[0].length; i++) chars[i] = ' ';
    breaks.push(m.index!);
  }
  section.text = chars.join('');
  if (breaks.length) section.breaks = breaks;
}

const escapeRegExp = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

/** Whether Liquibase runs the changeset on PostgreSQL (its `dbms:` list). */
function runsOnPostgres(dbms: readonly string[] | undefined): boolean {
  if (!dbms || dbms.length === 0 || dbms.includes('all')) return true;
  if (dbms.includes('none')) return false;
  const excluded = dbms.some((d) => d === '!postgresql');
  const included = dbms.filter((d) => !d.startsWith('!'));
  return !excluded && (included.length === 0 || included.includes('postgresql'));
}

/** The formatted SQL files of a changelog folder, nested folders included, in includeAll's order (by path). */
function changelogFiles(census: FolderCensus): string[] {
  const out: string[] = [];
  const walk = (rel: string, depth: number) => {
    // Only a file with a `--` comment can open with `--liquibase formatted sql`.
    const commented = new Set(census.commented('.sql', rel));
    for (const entry of census.entries(rel)) {
      const path = rel ? `${rel}/${entry.name}` : entry.name;
      // includeAll reads nested folders; two levels cover changelog/<release>/<file>.sql without walking a whole repository.
      if (entry.kind === 'folder') {
        if (depth < 2 && !entry.name.startsWith('.') && entry.name !== 'node_modules') walk(path, depth + 1);
      } else if (commented.has(entry.name) && isFormattedSql(census.text(path) ?? '')) out.push(path);
    }
  };
  walk('', 0);
  return out.sort();
}

/** The migration of one changeset, with what Tidemark runs differently from Liquibase said as notes. */
function changesetMigration(cs: Changeset, _where: string, position: number, problems: DiscoveryProblem[]): Migration {
  const version = `${cs.author}:${cs.id}`;
  const path = cs.up.file.path;
  const headerOffset = cs.up.file.offsetAt({ line: cs.line - 1, character: 0 });
  const notes: string[] = [];
  if (!cs.failOnError) notes.push('failOnError:false (Liquibase carries on after an error; Tidemark stops)');
  if (cs.context) notes.push(`context ${cs.context} (Liquibase runs it only for that context; Tidemark runs it in every environment)`);
  if (cs.labels) notes.push(`labels ${cs.labels} (Liquibase runs it only when they are selected; Tidemark always does)`);
  if (cs.check && cs.onFail && cs.onFail !== 'HALT') notes.push(`onFail:${cs.onFail} (Tidemark stops when the pre-check fails, as HALT does)`);
  if (/\$\{[^}]+\}/.test(cs.up.text)) notes.push('${property} references (Liquibase substitutes them; Tidemark runs the SQL as written)');
  for (const note of notes) problems.push({ code: 'layout-note', severity: 'info', message: `changeset ${version}: ${note}`, path, offset: headerOffset });
  const none = !cs.runInTransaction;
  return {
    version,
    versionKey: [position],
    name: cs.id,
    layout: 'sections',
    execution: describeExecution('liquibase', { noTransaction: none, repeatable: cs.runOnChange || cs.runAlways }),
    up: cs.up,
    down: cs.down,
    precheck: cs.check,
    noTransactionDirective: none,
    blockedReasons: blockedReasons(cs.up.text),
    environments: environmentsDirective(cs.up.text)?.names.map((n) => n.name),
    checksum: checksum(cs.up.text),
  };
}

/** Why Liquibase does not run a changeset on PostgreSQL, if it does not. */
function skipped(cs: Changeset): string | undefined {
  if (cs.ignore) return 'has ignore:true: Liquibase skips it';
  if (!runsOnPostgres(cs.dbms)) return `is for dbms ${cs.dbms!.join(',')}: Liquibase skips it on PostgreSQL`;
  return undefined;
}

/** The changelog's parse problems as discovery problems of `file`. */
function parseProblems(parsed: ParsedChangelog, file: SourceFile, shown: string): DiscoveryProblem[] {
  return parsed.problems.map((p) => ({
    code: 'layout-error' as const,
    severity: p.severity,
    message: `${shown}:${file.positionAt(p.offset).line + 1}: ${p.message}`,
    path: file.path,
    offset: p.offset,
  }));
}

export function readLiquibase(census: FolderCensus): LayoutReading {
  const problems: DiscoveryProblem[] = [];
  const unused: UnusedFile[] = [];
  const migrations: Migration[] = [];
  const first = new Map<string, { where: string; migration: Migration }>();
  for (const rel of changelogFiles(census)) {
    const path = join(census.folder, rel);
    const file = new SourceFile(path, census.text(rel)!);
    const parsed = parseFormattedSql(file);
    problems.push(...parseProblems(parsed, file, rel));
    for (const cs of parsed.changesets) {
      const version = `${cs.author}:${cs.id}`;
      const where = `${rel}:${cs.line}`;
      const why = skipped(cs);
      if (why) {
        unused.push({ path, why: `changeset ${version} (${where}) ${why}` });
        continue;
      }
      const migration = changesetMigration(cs, where, migrations.length + 1, problems);
      const earlier = first.get(version);
      if (earlier) {
        // Liquibase tells changesets of two files apart by the file; Tidemark's history keys them by version alone.
        const message = `changeset ${version} at ${where} is also at ${earlier.where}: Tidemark identifies a changeset by author:id, so each needs its own`;
        problems.push({ code: 'duplicate-version', message, path, offset: file.offsetAt({ line: cs.line - 1, character: 0 }), relatedPath: earlier.migration.up.file.path });
        migration.duplicateVersion = message;
        earlier.migration.duplicateVersion ??= message;
      } else first.set(version, { where, migration });
      migrations.push(migration);
    }
  }
  return { migrations, problems, unused };
}

export const liquibase: LayoutReader = {
  id: 'liquibase',
  defaultFolders: ['src/main/resources/db/changelog', 'db/changelog', 'changelog', 'liquibase'],
  activationGlobs: ['**/db/changelog/**/*.sql', '**/changelog/*.sql'],
  markerLine: /^[ \t]*--[ \t]*(?:liquibase[ \t]+formatted[ \t]+sql|changeset[ \t]+\S+:\S+)/im,
  detect(census) {
    const formatted = changelogFiles(census);
    return formatted.length
      ? { score: CONTENT * 10 * formatted.length, evidence: `--liquibase formatted sql in ${formatted.length} file${formatted.length === 1 ? '' : 's'}` }
      : undefined;
  },
  read: (census) => readLiquibase(census),
  readFile(path, text) {
    const file = new SourceFile(path, text);
    if (!isFormattedSql(text)) return undefined;
    const parsed = parseFormattedSql(file);
    const problems = parseProblems(parsed, file, basename(path));
    const migrations = parsed.changesets.filter((cs) => !skipped(cs)).map((cs, i) => changesetMigration(cs, `${basename(path)}:${cs.line}`, i + 1, problems));
    const [migration, ...others] = migrations;
    return migration && { migration, problems, others };
  },
};
