/**
 * goose (pressly/goose): `VERSION_name.sql` files with `-- +goose Up` / `-- +goose Down` sections,
 * `-- +goose StatementBegin` / `StatementEnd` around a statement goose must not split,
 * `-- +goose NO TRANSACTION`, `-- +goose ENVSUB ON|OFF`; `VERSION_name.go` migrations are Go code,
 * holes in the chain Tidemark cannot run. Read as goose's own parser (internal/sqlparser) reads a
 * file: the same annotations (case-insensitive, never indented), the same errors.
 */
import { basename, join } from 'node:path';
import { SourceFile } from '../../sql/source';
import { checksum } from '../checksum';
import { describeExecution } from '../execution';
import { blockedReasons, environmentsDirective, gateDirectives } from '../sections';
import type { DiscoveryProblem, Migration, Section } from '../types';
import { compareVersionKeys } from '../version';
import { CONTENT, type LayoutReader, type LayoutReading } from './reader';
import { linesOf } from './lines';

/** A line goose reads as an annotation: a comment that mentions +goose. */
const ANNOTATION_LINE = /^[ \t]*--.*\+goose/;

const ANNOTATIONS = ['Up', 'Down', 'StatementBegin', 'StatementEnd', 'NO TRANSACTION', 'ENVSUB ON', 'ENVSUB OFF'] as const;
type Annotation = (typeof ANNOTATIONS)[number];

/**
 * The version as goose's NumericComponent parses it: the digits before the first "_", a
 * positive 64-bit integer; the rest of the name (without the extension) is the name.
 */
export function gooseVersion(fileName: string): { version: string; name: string } | { error: string } {
  const ext = fileName.slice(fileName.lastIndexOf('.'));
  const stem = fileName.slice(0, -ext.length);
  const cut = stem.indexOf('_');
  if (cut < 0) return { error: "no '_' between the version and the name (goose expects VERSION_name" + ext + ')' };
  const version = stem.slice(0, cut);
  if (!/^\+?\d+$/.test(version)) return { error: `"${version}" is not a number (goose expects VERSION_name${ext})` };
  const n = BigInt(version);
  if (n < 1n) return { error: 'the version must be greater than zero' };
  if (n > 9223372036854775807n) return { error: 'the version does not fit in a 64-bit integer' };
  return { version: version.replace(/^\+/, ''), name: stem.slice(cut + 1) };
}

function annotationOf(line: string): { annotation?: Annotation; error?: string } {
  if (/^[ \t]/.test(line)) return { error: 'an annotation must start at the beginning of its line (goose refuses indented ones)' };
  let cmd = line.replaceAll('--', '').replace('+goose', '');
  if (cmd.includes('+goose')) return { error: 'more than one +goose annotation on one line' };
  cmd = cmd.trim();
  if (!cmd) return { error: 'an empty +goose annotation' };
  const found = ANNOTATIONS.find((a) => a.toLowerCase() === cmd.toLowerCase());
  return found ? { annotation: found } : { error: `"${cmd}" is not a goose annotation (${ANNOTATIONS.join(', ')})` };
}

/** Does goose end a statement at this line: its last word before a `--` word ends with a semicolon. */
function endsWithSemicolon(line: string): boolean {
  let previous = '';
  for (const word of line.split(/\s+/).filter(Boolean)) {
    if (word.startsWith('--')) break;
    previous = word;
  }
  return previous.endsWith(';');
}

export interface GooseFile {
  up?: { offset: number; end: number; breaks: number[] };
  down?: { offset: number; end: number; breaks: number[] };
  noTransaction: boolean;
  /** What goose would refuse the file for, and where. */
  error?: { message: string; offset: number };
  /** `${VAR}` written where ENVSUB is on: goose replaces it from its environment, Tidemark runs it as written. */
  substitutions: Array<{ offset: number; text: string }>;
}

/** Reads one goose SQL file as goose's parser does, keeping offsets into the text. */
export function parseGooseFile(text: string): GooseFile {
  type State = 'start' | 'up' | 'up-block' | 'down' | 'down-block';
  let state: State = 'start';
  const out: GooseFile = { noTransaction: false, substitutions: [] };
  let envsub = false;
  // Where the statement being collected started, or -1 while none is open.
  let pending = -1;
  const fail = (message: string, offset: number): GooseFile => ({ ...out, error: { message, offset } });
  const section = () => (state === 'up' || state === 'up-block' ? out.up : out.down);
  const lines = linesOf(text);
  for (const line of lines) {
    if (state === 'start' && line.text.trim() === '') continue;
    if (ANNOTATION_LINE.test(line.text)) {
      const { annotation, error } = annotationOf(line.text);
      if (error) return fail(error, line.start);
      switch (annotation) {
        case 'Up':
          if (state !== 'start') return fail("a second '-- +goose Up' annotation", line.start);
          state = 'up';
          out.up = { offset: line.next, end: text.length, breaks: [] };
          continue;
        case 'Down':
          if (state !== 'up')
            return fail(
              state === 'start'
                ? "'-- +goose Down' before '-- +goose Up'"
                : state === 'up-block'
                  ? "'-- +goose Down' inside a StatementBegin block"
                  : "a second '-- +goose Down' annotation",
              line.start,
            );
          if (pending >= 0) return fail('the last up statement has no semicolon at the end of its line (goose would stop here: "missing semicolon?")', pending);
          out.up!.end = line.start;
          state = 'down';
          out.down = { offset: line.next, end: text.length, breaks: [] };
          continue;
        case 'StatementBegin':
          if (state !== 'up' && state !== 'down') return fail("'-- +goose StatementBegin' must come after '-- +goose Up' or '-- +goose Down', outside another block", line.start);
          state = state === 'up' ? 'up-block' : 'down-block';
          continue;
        case 'StatementEnd': {
          if (state !== 'up-block' && state !== 'down-block') return fail("'-- +goose StatementEnd' without a '-- +goose StatementBegin' before it", line.start);
          const s = section()!;
          s.breaks.push(line.start - s.offset);
          pending = -1;
          state = state === 'up-block' ? 'up' : 'down';
          continue;
        }
        case 'NO TRANSACTION':
          out.noTransaction = true;
          continue;
        case 'ENVSUB ON':
          envsub = true;
          continue;
        case 'ENVSUB OFF':
          envsub = false;
          continue;
      }
    }
    const trimmed = line.text.trim();
    if (pending < 0 && (trimmed.startsWith('--') || line.text === '')) continue;
    if (state === 'start') return fail("SQL before '-- +goose Up': goose requires every SQL file to start with '-- +goose Up'", line.start);
    if (trimmed === '') continue;
    if (envsub) for (const m of line.text.matchAll(/\$\{[^}\n]*\}/g)) out.substitutions.push({ offset: line.start + m.index!, text: m[0] });
    if (pending < 0) pending = line.start;
    if ((state === 'up' || state === 'down') && endsWithSemicolon(line.text)) pending = -1;
  }
  if (state === 'start') return fail("no '-- +goose Up' annotation: goose requires every SQL file to start with one", 0);
  if (state === 'up-block' || state === 'down-block') return fail("a '-- +goose StatementBegin' block is never closed by '-- +goose StatementEnd'", text.length);
  if (pending >= 0) return fail('the last statement has no semicolon at the end of its line (goose would stop here: "missing semicolon?")', pending);
  return out;
}

function sectionOf(kind: Section['kind'], file: SourceFile, part: { offset: number; end: number; breaks: number[] }): Section {
  const offset = Math.min(part.offset, part.end);
  return { kind, file, offset, text: file.text.slice(offset, part.end), ...(part.breaks.length ? { breaks: part.breaks } : {}) };
}

/** One goose SQL file as a migration, with what goose would refuse in it. */
export function readGooseFile(path: string, text: string, version: string, name: string): { migration: Migration; problems: DiscoveryProblem[] } {
  const file = new SourceFile(path, text);
  const parsed = parseGooseFile(text);
  const problems: DiscoveryProblem[] = [];
  const blocked: string[] = [];
  if (parsed.error) {
    const line = file.positionAt(parsed.error.offset).line + 1;
    problems.push({ code: 'layout-error', message: `goose cannot read this file (line ${line}): ${parsed.error.message}`, path, offset: parsed.error.offset });
    blocked.push(`goose cannot read it (line ${line}): ${parsed.error.message}`);
  }
  for (const s of parsed.substitutions) {
    problems.push({
      code: 'layout-note',
      severity: 'info',
      message: `${s.text} is left as written: goose replaces it from its environment under ENVSUB ON, Tidemark runs the text as it is`,
      path,
      offset: s.offset,
    });
  }
  const up = parsed.up ? sectionOf('up', file, parsed.up) : { kind: 'up' as const, file, offset: text.length, text: '' };
  const down = parsed.down ? sectionOf('down', file, parsed.down) : undefined;
  const directiveText = text.slice(0, up.offset + up.text.length);
  const migration: Migration = {
    version,
    versionKey: [Number(version)],
    name,
    layout: 'sections',
    execution: describeExecution('goose', { noTransaction: parsed.noTransaction }),
    up,
    down,
    noTransactionDirective: parsed.noTransaction,
    blockedReasons: [...blocked, ...blockedReasons(directiveText)],
    environments: environmentsDirective(directiveText)?.names.map((n) => n.name),
    ...gateDirectives(directiveText),
    checksum: checksum(up.text),
    downMarker: '-- +goose Down',
  };
  return { migration, problems };
}

export const GO_MIGRATION = 'cannot run here (Go migration)';

export const goose: LayoutReader = {
  id: 'goose',
  defaultFolders: ['db/migrations', 'migrations', 'sql/migrations'],
  activationGlobs: ['**/db/migrations/*.sql'],
  markerLine: /^[ \t]*--.*\+goose\b/m,
  detect(census) {
    const sql = census.files('.sql');
    const marked = census.commented('.sql').filter((name) => /^--.*\+goose\s+up\b/im.test(census.text(name) ?? ''));
    return marked.length ? { score: CONTENT * marked.length, evidence: `-- +goose Up in ${marked.length} of ${sql.length} .sql files` } : undefined;
  },
  read(census): LayoutReading {
    const reading: LayoutReading = { migrations: [], problems: [], unused: [] };
    for (const entry of census.entries()) {
      if (entry.kind !== 'file') continue;
      const lower = entry.name.toLowerCase();
      const isSql = lower.endsWith('.sql');
      const isGo = lower.endsWith('.go');
      if (!isSql && !isGo) continue;
      const path = join(census.folder, entry.name);
      const parsed = gooseVersion(entry.name);
      if ('error' in parsed) {
        // goose refuses a .sql file it cannot number, and skips such a .go file (a helper, main.go).
        if (isSql) reading.problems.push({ code: 'layout-error', message: `goose cannot number ${entry.name}: ${parsed.error}`, path });
        reading.unused.push({ path, why: isSql ? `not numbered as goose requires: ${parsed.error}` : 'Go source without a version: not a migration' });
        continue;
      }
      if (isGo) {
        if (lower.endsWith('_test.go')) continue;
        const file = new SourceFile(path, '');
        reading.migrations.push({
          version: parsed.version,
          versionKey: [Number(parsed.version)],
          name: parsed.name,
          layout: 'sections',
          execution: describeExecution('goose'),
          up: { kind: 'up', file, offset: 0, text: '' },
          noTransactionDirective: false,
          blockedReasons: [GO_MIGRATION],
          checksum: checksum(''),
          hole: GO_MIGRATION,
        });
        reading.unused.push({ path, why: `${GO_MIGRATION}: goose runs it from a binary built with it` });
        continue;
      }
      const text = census.text(entry.name);
      if (text === undefined) {
        reading.problems.push({ code: 'unreadable-file', message: `cannot read ${entry.name}`, path });
        continue;
      }
      const { migration, problems } = readGooseFile(path, text, parsed.version, parsed.name);
      reading.migrations.push(migration);
      reading.problems.push(...problems);
    }
    reading.migrations.sort((a, b) => compareVersionKeys(a.versionKey, b.versionKey));
    return reading;
  },
  readFile(path, text) {
    if (!path.toLowerCase().endsWith('.sql')) return undefined;
    const parsed = gooseVersion(basename(path));
    return 'error' in parsed ? undefined : readGooseFile(path, text, parsed.version, parsed.name);
  },
};
