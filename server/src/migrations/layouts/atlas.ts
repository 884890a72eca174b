/**
 * Atlas (versioned migrations, its default directory format): every `*.sql` file of the folder
 * is a migration, run in file-name order (sorted as strings, so `10_b.sql` runs before `2_a.sql`);
 * the version is the name up to the first `_`. `atlas.sum` guards the folder's integrity: Atlas
 * refuses to run when the files differ from it, and so does Tidemark — a mismatch is reported on
 * the file that changed, computed exactly as `atlas migrate hash` does (ariga/atlas
 * sql/migrate/dir.go `NewHashFile`).
 *
 * File directives sit in the comment block at the top of a file, separated from the SQL by a
 * blank line: `-- atlas:txmode none` runs the file outside a transaction (`file`, the default,
 * wraps it), `-- atlas:sum ignore` leaves it out of atlas.sum. Atlas has no down files: it
 * plans reverts itself (`atlas migrate down`).
 */
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { SourceFile } from '../../sql/source';
import { checksum } from '../checksum';
import { blockedReasons, environmentsDirective, hasNoTransactionDirective } from '../sections';
import type { DiscoveryProblem, Migration } from '../types';
import { lenientDiskReader } from '../text-file';
import { FolderCensus, MARKER_FILE, type LayoutReader, type LayoutReading } from './reader';

export interface AtlasSumEntry {
  name: string;
  /** base64 SHA-256, without the `h1:` prefix. */
  hash: string;
}

/**
 * atlas.sum as `atlas migrate hash` writes it: one running SHA-256 over every file's name and
 * bytes in order (a file with `atlas:sum ignore` adds only its name, and gets no line), each
 * line the running hash after that file; the first line hashes the lines below it.
 */
export function atlasSum(files: ReadonlyArray<{ name: string; bytes: Uint8Array }>): { sum: string; entries: AtlasSumEntry[] } {
  const running = createHash('sha256');
  const entries: AtlasSumEntry[] = [];
  for (const file of files) {
    running.update(file.name);
    if (sumIgnored(file.bytes)) continue;
    running.update(file.bytes);
    entries.push({ name: file.name, hash: running.copy().digest('base64') });
  }
  return { sum: totalSum(entries), entries };
}

function totalSum(entries: readonly AtlasSumEntry[]): string {
  const total = createHash('sha256');
  for (const e of entries) total.update(e.name).update(e.hash);
  return total.digest('base64');
}

export interface ParsedAtlasSum {
  sum: string;
  entries: Array<AtlasSumEntry & { line: number }>;
  /** Why the file cannot be read as an atlas.sum, with its line. */
  error?: { line: number; message: string };
}

export function parseAtlasSum(text: string): ParsedAtlasSum {
  const lines = text.split('\n').map((l) => l.replace(/\r$/, ''));
  if (lines.at(-1) === '') lines.pop();
  const parsed: ParsedAtlasSum = { sum: (lines[0] ?? '').replace(/^h1:/, ''), entries: [] };
  for (let i = 1; i < lines.length; i++) {
    const at = lines[i].indexOf('h1:');
    if (at < 0) return { ...parsed, error: { line: i + 1, message: `line ${i + 1} is not "FILE h1:HASH"` } };
    parsed.entries.push({ name: lines[i].slice(0, at).trim(), hash: lines[i].slice(at + 3), line: i + 1 });
  }
  if (parsed.sum !== totalSum(parsed.entries)) parsed.error = { line: 1, message: 'its first line does not match the lines below it (edited by hand?)' };
  return parsed;
}

interface Directive {
  name: string;
  value: string;
  offset: number;
}

const DIRECTIVE = /^([ -~]*)atlas:(\w+)(?: +([ -~]*))*/;

/**
 * File directives (`-- atlas:NAME VALUE`): only in the comment lines at the very top of the file,
 * and only when a blank line separates them from what follows (dir.go `LocalFile.comments`).
 */
function fileDirectives(text: string): Directive[] {
  const found: Directive[] = [];
  let rest = text;
  let offset = 0;
  while (rest.startsWith('#') || rest.startsWith('--')) {
    const end = rest.indexOf('\n');
    // A file of comments only has no directives: nothing separates them from the content.
    if (end < 0) return [];
    const m = DIRECTIVE.exec(rest.slice(0, end).trim());
    if (m) found.push({ name: m[2], value: m[3] ?? '', offset });
    rest = rest.slice(end + 1);
    offset += end + 1;
  }
  // Only a blank line ("\n", so never in a file saved with CRLF) makes them file directives.
  return rest.startsWith('\n') ? found : [];
}

/** `-- atlas:sum ignore` on the first line leaves the file out of atlas.sum (dir.go `directive`, matched on the whole content). */
function sumIgnored(bytes: Uint8Array): boolean {
  const head = Buffer.from(bytes.subarray(0, 4096)).toString('latin1');
  const m = DIRECTIVE.exec(head);
  return m?.[2] === 'sum' && m[3] === 'ignore';
}

/**
 * `-- atlas:txmode` / `-- atlas:sum` lines that Atlas does not read: a txmode outside the top
 * comment block (or without the blank line after it), a sum directive anywhere but the first line.
 */
function strandedDirectives(text: string): Directive[] {
  const read = new Set(fileDirectives(text).map((d) => d.offset));
  const out: Directive[] = [];
  for (const m of text.matchAll(/^--[ \t]*atlas:(txmode|sum)\b[ \t]*([^\r\n]*)$/gm)) {
    const ignored = m[1] === 'sum' ? m.index! > 0 : !read.has(m.index!);
    if (ignored) out.push({ name: m[1], value: m[2].trim(), offset: m.index! });
  }
  return out;
}

/** Atlas's migration files: `*.sql` directly in the folder, sorted by name as byte strings. */
function atlasFiles(census: FolderCensus): string[] {
  return census
    .files('.sql')
    .filter((name) => name.endsWith('.sql'))
    .sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
}

/** The bytes Atlas hashes: the file on disk, unless an editor holds unsaved changes to it. */
function bytesOf(path: string, text: string): Uint8Array {
  try {
    const disk = readFileSync(path);
    const decoded = disk.toString('utf8');
    if (decoded === text || decoded === `\uFEFF${text}`) return disk;
  } catch {
    // Not on disk (yet): the text is all there is.
  }
  return Buffer.from(text, 'utf8');
}

export function readAtlas(census: FolderCensus): LayoutReading {
  const folder = census.folder;
  const problems: DiscoveryProblem[] = [];
  const migrations: Migration[] = [];
  const files: Array<{ name: string; file: SourceFile; bytes: Uint8Array }> = [];
  for (const name of atlasFiles(census)) {
    const path = join(folder, name);
    const text = census.text(name);
    if (text === undefined) {
      problems.push({ code: 'unreadable-file', message: `cannot read ${name}`, path });
      continue;
    }
    files.push({ name, file: new SourceFile(path, text), bytes: bytesOf(path, text) });
  }

  validateIntegrity(census, files, problems);

  const byVersion = new Map<string, string[]>();
  files.forEach(({ name, file }, index) => {
    const migration = atlasMigration(name, file, index + 1, problems);
    byVersion.set(migration.version, [...(byVersion.get(migration.version) ?? []), name]);
    migrations.push(migration);
  });

  // Atlas keys its revisions table by version: two files with one version cannot both be applied.
  for (const [version, names] of byVersion) {
    if (names.length < 2) continue;
    const message = `version ${version} is used by ${names.length} files: ${names.join(', ')}; Atlas records one revision per version`;
    for (const m of migrations) if (m.version === version) m.duplicateVersion = message;
    for (const name of names.slice(1)) problems.push({ code: 'duplicate-version', message, path: join(folder, name), relatedPath: join(folder, names[0]) });
  }
  return { migrations, problems, unused: [] };
}

/** One Atlas migration file: version and name from the file name, transaction mode from its directives. */
function atlasMigration(name: string, file: SourceFile, position: number, problems: DiscoveryProblem[]): Migration {
  const stem = name.slice(0, -'.sql'.length);
  const underscore = stem.indexOf('_');
  const text = file.text;
  const txmodes = fileDirectives(text).filter((d) => d.name === 'txmode');
  let transaction: 'wrapped' | 'none' = 'wrapped';
  if (txmodes.length > 1) {
    problems.push({ code: 'layout-error', message: `${name}: ${txmodes.length} atlas:txmode directives; Atlas accepts one`, path: file.path, offset: txmodes[1].offset });
  } else if (txmodes.length === 1) {
    const mode = txmodes[0].value;
    if (mode === 'none') transaction = 'none';
    else if (mode !== 'file') {
      const message = mode === 'all' ? `txmode "all" is not allowed in a file directive; Atlas wants "file"` : `unknown txmode "${mode}": Atlas accepts "none" or "file"`;
      problems.push({ code: 'layout-error', message: `${name}: ${message}`, path: file.path, offset: txmodes[0].offset });
    }
  }
  for (const stranded of strandedDirectives(text)) {
    problems.push({
      code: 'layout-error',
      severity: 'warning',
      message: `${name}: Atlas ignores "-- atlas:${stranded.name}${stranded.value ? ` ${stranded.value}` : ''}" here: file directives go in the comment block at the top of the file, followed by a blank line`,
      path: file.path,
      offset: stranded.offset,
    });
  }
  const none = transaction === 'none' || hasNoTransactionDirective(text);
  return {
    version: underscore < 0 ? stem : stem.slice(0, underscore),
    versionKey: [position],
    name: underscore < 0 ? '' : stem.slice(underscore + 1),
    layout: 'sections',
    execution: { layout: 'atlas', transaction: none ? 'none' : 'wrapped', downsByDesign: false, canRunTwice: none },
    up: { kind: 'up', file, offset: 0, text },
    noTransactionDirective: none,
    blockedReasons: blockedReasons(text),
    environments: environmentsDirective(text)?.names.map((n) => n.name),
    checksum: checksum(text),
  };
}

/** Compares the folder with atlas.sum as `atlas migrate validate` does, naming the file that differs. */
function validateIntegrity(census: FolderCensus, files: ReadonlyArray<{ name: string; file: SourceFile; bytes: Uint8Array }>, problems: DiscoveryProblem[]): void {
  const folder = census.folder;
  const sumPath = join(folder, 'atlas.sum');
  const rehash = 'run `atlas migrate hash` if the change is intended';
  const sumText = census.text('atlas.sum');
  if (sumText === undefined) {
    if (files.length)
      problems.push({ code: 'layout-error', message: `atlas.sum is missing: Atlas refuses to run this folder until \`atlas migrate hash\` writes it`, path: sumPath });
    return;
  }
  const recorded = parseAtlasSum(sumText);
  if (recorded.error) {
    problems.push({ code: 'layout-error', message: `atlas.sum: ${recorded.error.message}; ${rehash}`, path: sumPath, offset: offsetOfLine(sumText, recorded.error.line) });
    if (recorded.error.line > 1) return;
  }
  const actual = atlasSum(files.map((f) => ({ name: f.name, bytes: f.bytes })));
  // The first line matching the folder means the files are as hashed (only the lines below may have been edited).
  if (actual.sum === recorded.sum) return;
  const recordedByName = new Map(recorded.entries.map((e) => [e.name, e]));
  const actualNames = new Set(actual.entries.map((e) => e.name));
  let reported = 0;
  // The hashes chain: the first file that differs changes every line after it, so it alone is named.
  for (const entry of actual.entries) {
    const was = recordedByName.get(entry.name);
    if (!was) {
      problems.push({ code: 'layout-error', message: `${entry.name} is not in atlas.sum: Atlas refuses to run until it is hashed; ${rehash}`, path: join(folder, entry.name) });
      reported++;
      break;
    }
    if (was.hash !== entry.hash) {
      problems.push({
        code: 'layout-error',
        message: `${entry.name} does not match its hash in atlas.sum (line ${was.line}): the file changed since \`atlas migrate hash\`, or a file before it did; ${rehash}`,
        path: join(folder, entry.name),
      });
      reported++;
      break;
    }
  }
  for (const entry of recorded.entries) {
    if (!actualNames.has(entry.name)) {
      problems.push({
        code: 'layout-error',
        message: `atlas.sum lists ${entry.name} (line ${entry.line}), which is not in the folder; ${rehash}`,
        path: sumPath,
        offset: offsetOfLine(sumText, entry.line),
      });
      reported++;
    }
  }
  if (!reported && !recorded.error)
    problems.push({ code: 'layout-error', message: `the folder does not match atlas.sum (its files are hashed in another order); ${rehash}`, path: sumPath });
}

function offsetOfLine(text: string, line: number): number {
  let offset = 0;
  for (let i = 1; i < line; i++) {
    const next = text.indexOf('\n', offset);
    if (next < 0) return offset;
    offset = next + 1;
  }
  return offset;
}

export const atlas: LayoutReader = {
  id: 'atlas',
  defaultFolders: ['migrations'],
  activationGlobs: ['**/atlas.sum'],
  markerLine: /^--[ \t]*atlas:(txmode|sum|delimiter|checkpoint)\b/m,
  detect(census) {
    if (!census.has('atlas.sum')) return undefined;
    // Atlas's golang-migrate directory format (NAME.up.sql / NAME.down.sql with an atlas.sum) is read by the golang-migrate reader.
    if (census.files('.sql').some((name) => /\.down\.sql$/i.test(name))) return undefined;
    return { score: MARKER_FILE, evidence: 'atlas.sum' };
  },
  read: (census) => readAtlas(census),
  readFile(path, text, folder) {
    const name = basename(path);
    // atlas.sum's integrity is the whole folder's: checked when the folder is read, not per file.
    const names = atlasFiles(new FolderCensus(folder, lenientDiskReader));
    if (dirname(path) !== folder || !name.endsWith('.sql')) return undefined;
    const problems: DiscoveryProblem[] = [];
    const position = names.indexOf(name);
    return { migration: atlasMigration(name, new SourceFile(path, text), position < 0 ? names.length + 1 : position + 1, problems), problems };
  },
};
