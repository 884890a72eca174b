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
import { join, relative } from 'node:path';
import { SourceFile } from '../../sql/source';
import { checksum } from '../checksum';
import { blockedReasons, environmentsDirective } from '../sections';
import type { DiscoveryProblem, Migration, UnusedFile } from '../types';
import { MARKER_FILE, type FolderCensus, type LayoutReader, type LayoutReading } from './reader';

/** graphile-migrate's hash of a committed body: `sha1:` + hex SHA-1 of the previous hash, a newline and the body, trimmed. */
export function graphileHash(body: string, previousHash: string | null): string {
  return `sha1:${createHash('sha1').update(`${`${previousHash ?? ''}\n${body.trim()}`.trim()}\n`).digest('hex')}`;
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
function placeholdersOf(census: FolderCensus, sub: string): string[] {
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
  const placeholders = placeholdersOf(census, sub);

  type Committed = { name: string; number: string; file: SourceFile; parsed: ParsedCommitted; previous: string | null; hash: string; allowInvalid: boolean };
  const committed: Committed[] = [];
  for (const entry of census.entries(at('committed'))) {
    if (entry.kind !== 'file') continue;
    const path = join(folder, 'committed', entry.name);
    const m = COMMITTED_NAME.exec(entry.name);
    if (!m) {
      if (entry.name.endsWith('.sql')) unused.push({ path, why: 'not named NNNNNN[-message].sql, so graphile-migrate never runs it' });
      continue;
    }
    const text = census.text(at(`committed/${entry.name}`));
    if (text === undefined) {
      problems.push({ code: 'unreadable-file', message: `cannot read committed/${entry.name}`, path });
      continue;
    }
    const file = new SourceFile(path, text);
    const parsed = parseCommitted(text);
    const fail = (message: string, line = 1) => problems.push({ code: 'layout-error', message: `committed/${entry.name}: ${message}`, path, offset: file.offsetAt({ line: line - 1, character: 0 }) });
    if ('error' in parsed) {
      fail(parsed.error, parsed.line);
      continue;
    }
    const previousRaw = parsed.headers.get('Previous');
    const hash = parsed.headers.get('Hash');
    if (!previousRaw) fail("no '--! Previous:' header: graphile-migrate cannot place it in the chain");
    else if (!hash) fail("no '--! Hash:' header");
    else committed.push({ name: entry.name, number: m[1], file, parsed, previous: previousRaw === '-' ? null : previousRaw, hash, allowInvalid: parsed.headers.has('AllowInvalidHash') });
  }
  // graphile-migrate orders by the number alone (`000001.sql`), compared as text.
  committed.sort((a, b) => `${a.number}.sql`.localeCompare(`${b.number}.sql`, 'en'));

  const migrations: Migration[] = [];
  let before: Committed | undefined;
  for (const [index, c] of committed.entries()) {
    const shown = `committed/${c.name}`;
    const previousLine = c.file.offsetAt({ line: lineOfHeader(c.file.text, 'Previous'), character: 0 });
    if (before && before.number === c.number) {
      problems.push({ code: 'duplicate-version', message: `${shown} and committed/${before.name} are both migration ${c.number}; graphile-migrate stores one ${c.number}.sql`, path: c.file.path, relatedPath: before.file.path });
    }
    if (!before && c.previous !== null) {
      problems.push({ code: 'layout-error', message: `${shown} is the first committed migration but says it follows ${c.previous} ("--! Previous:" should be "-"): the chain is broken`, path: c.file.path, offset: previousLine });
    } else if (before && c.previous !== before.hash) {
      problems.push({ code: 'layout-error', message: `${shown} says it follows ${c.previous ?? '- (nothing)'}, but committed/${before.name} before it has hash ${before.hash}: the chain is broken (a migration was edited, removed or renumbered)`, path: c.file.path, offset: previousLine });
    }
    const computed = graphileHash(c.parsed.body, c.previous);
    const hashLine = c.file.offsetAt({ line: lineOfHeader(c.file.text, 'Hash'), character: 0 });
    if (computed !== c.hash && !c.allowInvalid) {
      problems.push({ code: 'layout-error', message: `${shown} does not match its hash: it hashes to ${computed}, its header says ${c.hash}; a committed migration was edited (graphile-migrate refuses to run it)`, path: c.file.path, offset: hashLine });
    } else if (computed === c.hash && c.allowInvalid) {
      problems.push({ code: 'layout-error', message: `${shown} has '--! AllowInvalidHash' but its hash matches: graphile-migrate refuses this; remove the header`, path: c.file.path, offset: hashLine });
    }
    const bodyText = c.file.text.slice(c.parsed.bodyOffset);
    const used = placeholders.filter((p) => new RegExp(`${p}\\b`).test(bodyText));
    if (used.length) {
      problems.push({ code: 'layout-note', severity: 'info', message: `${shown} uses ${used.join(', ')}: graphile-migrate replaces these placeholders before running it; Tidemark runs the SQL as written`, path: c.file.path, offset: c.parsed.bodyOffset });
    }
    const noTransaction = graphileNoTransaction(c.parsed.body);
    migrations.push({
      version: c.number,
      versionKey: [index + 1],
      name: c.parsed.headers.get('Message') ?? c.name.replace(COMMITTED_NAME, '$2').replace(/^-/, ''),
      layout: 'sections',
      execution: { layout: 'graphile-migrate', transaction: noTransaction ? 'none' : 'wrapped', downsByDesign: false, canRunTwice: noTransaction },
      up: { kind: 'up', file: c.file, offset: c.parsed.bodyOffset, text: bodyText },
      noTransactionDirective: noTransaction,
      blockedReasons: blockedReasons(bodyText),
      environments: environmentsDirective(bodyText)?.names.map((n) => n.name),
      checksum: checksum(bodyText),
      toolId: c.hash,
    });
    before = c;
  }

  for (const wip of currentFiles(census, at)) {
    unused.push({ path: join(census.folder, wip), why: `graphile-migrate's work in progress (${relative(folder, join(census.folder, wip))}): \`graphile-migrate watch\` runs it again on every save and \`graphile-migrate commit\` turns it into a committed migration; never applied by Tidemark` });
  }
  return { migrations, problems, unused };
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

export const graphileMigrate: LayoutReader = {
  id: 'graphile-migrate',
  defaultFolders: ['migrations', ''],
  markerLine: /^--! (Previous|Hash):/m,
  detect(census) {
    if (census.has('.gmrc')) return { score: MARKER_FILE, evidence: '.gmrc' };
    if (!census.has('committed')) return undefined;
    const first = census.files('.sql', 'committed')[0];
    if (first && /^--! Previous:/.test(census.text(`committed/${first}`) ?? '')) return { score: MARKER_FILE, evidence: 'committed/ migrations with --! Previous / --! Hash headers' };
    if (census.has('current.sql') || census.has('current')) return { score: MARKER_FILE, evidence: 'committed/ beside current.sql' };
    return undefined;
  },
  read: (census) => readGraphileMigrate(census),
};
