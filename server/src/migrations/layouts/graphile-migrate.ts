/**
 * graphile-migrate: committed migrations are `committed/NNNNNN[-slug].sql` under the migrations
 * folder (`migrations/`, or `migrationsFolder` in `.gmrc`), each opening with headers —
 * `--! Previous: HASH` (`-` for the first), `--! Hash: HASH`, `--! Message: …`,
 * `--! AllowInvalidHash` — then a blank line, then the body. The hashes chain: each is the SHA-1
 * of the previous hash and the body, so editing or reordering a committed file breaks the chain,
 * and graphile-migrate refuses to run it; Tidemark verifies the chain exactly as graphile-migrate
 * computes it (graphile/migrate src/hash.ts, src/migration.ts) and reports the broken link.
 *
 * `--! no-transaction` as the first line of the body runs it outside a transaction. There are no
 * down migrations. `current.sql` (or the files of `current/`) is the work in progress that
 * `graphile-migrate watch` runs again on every save: listed and linted as such, never applied.
 */
import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import { basename, dirname, join, relative } from 'node:path';
import { SourceFile } from '../../sql/source';
import { checksum } from '../checksum';
import { blockedReasons, environmentsDirective } from '../sections';
import type { DiscoveryProblem, Migration, UnusedFile } from '../types';
import { lenientDiskReader } from '../text-file';
import { FolderCensus, MARKER_FILE, type LayoutReader, type LayoutReading } from './reader';

/** graphile-migrate's hash of a committed body: `sha1:` + hex SHA-1 of the previous hash, a newline and the body, trimmed. */
export function graphileHash(body: string, previousHash: string | null): string {
  return `sha1:${createHash('sha1')
    .update(`${`${previousHash ?? ''}\n${body.trim()}`.trim()}\n`)
    .digest('hex')}`;
}

export interface ParsedCommitted {
  headers: Map<string, string | null>;
  /** Offset of the body in the file text. */
  bodyOffset: number;
  /** The body as graphile-migrate hashes and runs it: trimmed, one final newline. */
  body: string;
}

const HEADER = /^--! ([A-Z][a-zA-Z0-9_]*)(?::(.*))?$/;

/** Headers and body of a committed file, with graphile-migrate's errors (`parseMigrationText`, strict). */
export function parseCommitted(text: string): ParsedCommitted | { error: string; line: number } {
  const lines = text.split('\n');
  const headers = new Map<string, string | null>();
  let offset = 0;
  let count = 0;
  for (const line of lines) {
    const m = HEADER.exec(line);
    if (!m) break;
    if (headers.has(m[1])) return { error: `header '${m[1]}' is specified more than once`, line: count + 1 };
    headers.set(m[1], m[2] ? m[2].trim() : null);
    offset += line.length + 1;
    count++;
  }
  if (lines[count] !== '') {
    // graphile-migrate's header pattern never matches a line ending in CR, so a file saved with CRLF fails on its first line.
    const crlf = lines[count] === '\r' || (count === 0 && HEADER.test(lines[0].replace(/\r$/, '')));
    return crlf
      ? { error: 'its line endings have been changed to CRLF (git autocrlf?); graphile-migrate needs LF in committed migrations', line: count + 1 }
      : { error: 'there should be a blank line after the headers', line: count + 1 };
  }
  return { headers, bodyOffset: Math.min(text.length, offset + 1), body: `${lines.slice(count).join('\n').trim()}\n` };
}

/** `--! no-transaction` on the first line of the body (src/header.ts). */
export const graphileNoTransaction = (body: string) => /^--!\s*no-transaction\b/.test(body.split('\n', 1)[0]);

const COMMITTED_NAME = /^([0-9]+)(-[-_a-zA-Z0-9]*)?\.sql$/;

/** The migrations folder a census stands for: itself, or `migrationsFolder` of the .gmrc it holds. */
function migrationsFolderOf(census: FolderCensus): string {
  const gmrc = census.text('.gmrc');
  if (gmrc === undefined) return '';
  // .gmrc is JSON5: only the one string setting is needed, so it is read, never evaluated.
  const m = /["']?migrationsFolder["']?\s*:\s*(["'])(.*?)\1/.exec(gmrc);
  return (m ? m[2] : './migrations').replace(/^\.\/?/, '').replace(/\/$/, '');
}

/** Placeholders graphile-migrate replaces before running (`:DATABASE_NAME`, `:DATABASE_OWNER`, .gmrc `placeholders`). */
function placeholdersOf(census: FolderCensus): string[] {
  const gmrc = census.text('.gmrc') ?? census.text('../.gmrc') ?? '';
  const block = /placeholders["']?\s*:\s*\{([^}]*)\}/.exec(gmrc)?.[1] ?? '';
  return [':DATABASE_NAME', ':DATABASE_OWNER', ...[...block.matchAll(/["']?(:[A-Z][A-Z0-9_]*)["']?\s*:/g)].map((m) => m[1])];
}

export function readGraphileMigrate(census: FolderCensus): LayoutReading {
  const sub = migrationsFolderOf(census);
  const at = (rel: string) => (sub ? `${sub}/${rel}` : rel);
  const folder = join(census.folder, sub);
  const problems: DiscoveryProblem[] = [];
  const unused: UnusedFile[] = [];
  const placeholders = placeholdersOf(census);

  const committed: Committed[] = [];
  for (const entry of census.entries(at('committed'))) {
    if (entry.kind !== 'file') continue;
    const path = join(folder, 'committed', entry.name);
    if (!COMMITTED_NAME.test(entry.name)) {
      if (entry.name.endsWith('.sql')) unused.push({ path, why: 'not named NNNNNN[-message].sql, so graphile-migrate never runs it' });
      continue;
    }
    const text = census.text(at(`committed/${entry.name}`));
    if (text === undefined) {
      problems.push({ code: 'unreadable-file', message: `cannot read committed/${entry.name}`, path });
      continue;
    }
    const read = readCommitted(path, text);
    if ('problem' in read) problems.push(read.problem);
    else committed.push(read);
  }
  // graphile-migrate orders by the number alone (`000001.sql`), compared as text.
  committed.sort((a, b) => `${a.number}.sql`.localeCompare(`${b.number}.sql`, 'en'));

  const migrations: Migration[] = [];
  let before: Committed | undefined;
  for (const [index, c] of committed.entries()) {
    const shown = `committed/${c.name}`;
    const previousLine = c.file.offsetAt({ line: lineOfHeader(c.file.text, 'Previous'), character: 0 });
    if (before && before.number === c.number) {
      problems.push({
        code: 'duplicate-version',
        message: `${shown} and committed/${before.name} are both migration ${c.number}; graphile-migrate stores one ${c.number}.sql`,
        path: c.file.path,
        relatedPath: before.file.path,
      });
    }
    if (!before && c.previous !== null) {
      problems.push({
        code: 'layout-error',
        message: `${shown} is the first committed migration but says it follows ${c.previous} ("--! Previous:" should be "-"): the chain is broken`,
        path: c.file.path,
        offset: previousLine,
      });
    } else if (before && c.previous !== before.hash) {
      problems.push({
        code: 'layout-error',
        message: `${shown} says it follows ${c.previous ?? '- (nothing)'}, but committed/${before.name} before it has hash ${before.hash}: the chain is broken (a migration was edited, removed or renumbered)`,
        path: c.file.path,
        offset: previousLine,
      });
    }
    problems.push(...validateCommitted(c, placeholders));
    migrations.push(committedMigration(c, index + 1));
    before = c;
  }

  for (const wip of currentFiles(census, at)) {
    unused.push({
      path: join(census.folder, wip),
      why: `graphile-migrate's work in progress (${relative(folder, join(census.folder, wip))}): \`graphile-migrate watch\` runs it again on every save and \`graphile-migrate commit\` turns it into a committed migration; never applied by Tidemark`,
    });
  }
  return { migrations, problems, unused };
}

interface Committed {
  name: string;
  number: string;
  file: SourceFile;
  parsed: ParsedCommitted;
  previous: string | null;
  hash: string;
  allowInvalid: boolean;
}

/** One committed file, or the problem that keeps graphile-migrate from reading it. */
function readCommitted(path: string, text: string): Committed | { problem: DiscoveryProblem } {
  const name = basename(path);
  const file = new SourceFile(path, text);
  const fail = (message: string, line = 1) => ({
    problem: { code: 'layout-error' as const, message: `committed/${name}: ${message}`, path, offset: file.offsetAt({ line: line - 1, character: 0 }) },
  });
  const parsed = parseCommitted(text);
  if ('error' in parsed) return fail(parsed.error, parsed.line);
  const previous = parsed.headers.get('Previous');
  const hash = parsed.headers.get('Hash');
  if (!previous) return fail("no '--! Previous:' header: graphile-migrate cannot place it in the chain");
  if (!hash) return fail("no '--! Hash:' header");
  return { name, number: COMMITTED_NAME.exec(name)![1], file, parsed, previous: previous === '-' ? null : previous, hash, allowInvalid: parsed.headers.has('AllowInvalidHash') };
}

/** What a committed file says about itself: its hash against its body, and the placeholders it leaves to graphile-migrate. */
function validateCommitted(c: Committed, placeholders: readonly string[]): DiscoveryProblem[] {
  const problems: DiscoveryProblem[] = [];
  const shown = `committed/${c.name}`;
  const computed = graphileHash(c.parsed.body, c.previous);
  const hashLine = c.file.offsetAt({ line: lineOfHeader(c.file.text, 'Hash'), character: 0 });
  if (computed !== c.hash && !c.allowInvalid) {
    problems.push({
      code: 'layout-error',
      message: `${shown} does not match its hash: it hashes to ${computed}, its header says ${c.hash}; a committed migration was edited (graphile-migrate refuses to run it)`,
      path: c.file.path,
      offset: hashLine,
    });
  } else if (computed === c.hash && c.allowInvalid) {
    problems.push({
      code: 'layout-error',
      message: `${shown} has '--! AllowInvalidHash' but its hash matches: graphile-migrate refuses this; remove the header`,
      path: c.file.path,
      offset: hashLine,
    });
  }
  const bodyText = c.file.text.slice(c.parsed.bodyOffset);
  const used = placeholders.filter((p) => new RegExp(`${p}\\b`).test(bodyText));
  if (used.length) {
    problems.push({
      code: 'layout-note',
      severity: 'info',
      message: `${shown} uses ${used.join(', ')}: graphile-migrate replaces these placeholders before running it; Tidemark runs the SQL as written`,
      path: c.file.path,
      offset: c.parsed.bodyOffset,
    });
  }
  return problems;
}

function committedMigration(c: Committed, position: number): Migration {
  const bodyText = c.file.text.slice(c.parsed.bodyOffset);
  const noTransaction = graphileNoTransaction(c.parsed.body);
  return {
    version: c.number,
    versionKey: [position],
    name: c.parsed.headers.get('Message') ?? c.name.replace(COMMITTED_NAME, '$2').replace(/^-/, ''),
    layout: 'sections',
    execution: { layout: 'graphile-migrate', transaction: noTransaction ? 'none' : 'wrapped', downsByDesign: false, canRunTwice: noTransaction },
    up: { kind: 'up', file: c.file, offset: c.parsed.bodyOffset, text: bodyText },
    noTransactionDirective: noTransaction,
    blockedReasons: blockedReasons(bodyText),
    environments: environmentsDirective(bodyText)?.names.map((n) => n.name),
    checksum: checksum(bodyText),
    toolId: c.hash,
  };
}

/**
 * The work in progress as the linter sees it: run again on every save by `graphile-migrate watch`,
 * so its statements must be safe to run twice; never applied (apply stops before it).
 */
function currentMigration(path: string, text: string): Migration {
  const noTransaction = graphileNoTransaction(text);
  const why = 'graphile-migrate work in progress: `graphile-migrate commit` turns it into a committed migration';
  return {
    version: 'current',
    versionKey: [Number.MAX_SAFE_INTEGER],
    name: basename(path, '.sql'),
    layout: 'sections',
    execution: { layout: 'graphile-migrate', transaction: noTransaction ? 'none' : 'wrapped', downsByDesign: false, canRunTwice: true },
    up: { kind: 'up', file: new SourceFile(path, text), offset: 0, text },
    noTransactionDirective: noTransaction,
    blockedReasons: [why],
    checksum: checksum(text),
    hole: why,
  };
}

/** current.sql, or the `NNN[-name].sql` files of current/, relative to the census folder. */
export function currentFiles(census: FolderCensus, at: (rel: string) => string): string[] {
  if (census.has(at('current.sql'))) return [at('current.sql')];
  return census
    .entries(at('current'))
    .filter((e) => e.kind === 'file' && e.name.endsWith('.sql') && !e.name.startsWith('.'))
    .map((e) => at(`current/${e.name}`));
}

function lineOfHeader(text: string, key: string): number {
  const lines = text.split('\n');
  const i = lines.findIndex((l) => l.startsWith(`--! ${key}`));
  return Math.max(0, i);
}

/** The migrations folder of a committed/ or current/ file, or of current.sql: the folder holding committed/. */
function graphileFolderOf(path: string): string | undefined {
  const dir = dirname(path);
  const inside = basename(dir);
  if ((inside === 'committed' || inside === 'current') && COMMITTED_NAME.test(basename(path))) {
    const folder = dirname(dir);
    return existsSync(join(folder, 'committed')) || existsSync(join(dirname(folder), '.gmrc')) ? folder : undefined;
  }
  return basename(path) === 'current.sql' && existsSync(join(dir, 'committed')) ? dir : undefined;
}

export const graphileMigrate: LayoutReader = {
  id: 'graphile-migrate',
  defaultFolders: ['migrations', ''],
  activationGlobs: ['**/.gmrc', '**/migrations/committed/*.sql'],
  markerLine: /^--! (Previous|Hash):/m,
  detect(census) {
    if (census.has('.gmrc')) return { score: MARKER_FILE, evidence: '.gmrc' };
    if (!census.has('committed')) return undefined;
    const first = census.files('.sql', 'committed')[0];
    if (first && /^--! Previous:/.test(census.text(`committed/${first}`) ?? ''))
      return { score: MARKER_FILE, evidence: 'committed/ migrations with --! Previous / --! Hash headers' };
    if (census.has('current.sql') || census.has('current')) return { score: MARKER_FILE, evidence: 'committed/ beside current.sql' };
    return undefined;
  },
  read: (census) => readGraphileMigrate(census),
  folderOf: graphileFolderOf,
  readFile(path, text, folder) {
    const inside = basename(dirname(path));
    if (basename(path) === 'current.sql' || inside === 'current') return { migration: currentMigration(path, text), problems: [] };
    if (inside !== 'committed' || !COMMITTED_NAME.test(basename(path))) return undefined;
    const read = readCommitted(path, text);
    if ('problem' in read) return undefined;
    const census = new FolderCensus(folder, lenientDiskReader);
    return { migration: committedMigration(read, Number(read.number)), problems: validateCommitted(read, placeholdersOf(census)) };
  },
};
