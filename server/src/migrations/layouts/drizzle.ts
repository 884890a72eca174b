/**
 * Drizzle Kit. 0.x: `<out>/NNNN_tag.sql` files with `<out>/meta/_journal.json`, whose entries are
 * the order and the set — drizzle's migrator runs exactly the files the journal lists, so a file
 * it does not list is not part of the chain (a warning, never run, never a duplicate). 1.x:
 * `<out>/<timestamp>_<name>/migration.sql` folders in name order. Statements are split on
 * `--> statement-breakpoint`; no down migrations by design; the SQL is generated from the schema.
 * The `out` folder comes from drizzle.config.* read as text (never executed), default `drizzle/`.
 */
import { basename, dirname, join } from 'node:path';
import { describeExecution } from '../execution';
import type { FileReader } from '../text-file';
import type { Migration } from '../types';
import { MARKER_FILE, type FileReading, type FolderCensus, type LayoutReader, type LayoutReading } from './reader';
import { cutAtUnderscore, makeMigration, wholeFile } from './migration';

const BREAKPOINT = '--> statement-breakpoint';

interface JournalEntry {
  idx: number;
  when: number;
  tag: string;
}

/** The journal's dialect and entries, or what is wrong with it. */
export function readJournal(text: string | undefined): { dialect?: string; entries: JournalEntry[] } | { error: string } {
  if (text === undefined) return { error: 'meta/_journal.json cannot be read' };
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (error) {
    return { error: `meta/_journal.json is not valid JSON (${(error as Error).message})` };
  }
  const journal = parsed as { dialect?: unknown; entries?: unknown };
  if (!journal || typeof journal !== 'object' || !Array.isArray(journal.entries)) return { error: 'meta/_journal.json has no "entries" list' };
  const entries: JournalEntry[] = [];
  for (const [i, e] of (journal.entries as Array<Record<string, unknown>>).entries()) {
    if (!e || typeof e.tag !== 'string') return { error: `meta/_journal.json entry ${i} has no "tag"` };
    entries.push({ idx: typeof e.idx === 'number' ? e.idx : i, when: typeof e.when === 'number' ? e.when : 0, tag: e.tag });
  }
  return { dialect: typeof journal.dialect === 'string' ? journal.dialect : undefined, entries };
}

/** Offsets of drizzle's statement breakpoints in a file. */
export function breakpoints(text: string): number[] {
  const out: number[] = [];
  for (let at = text.indexOf(BREAKPOINT); at >= 0; at = text.indexOf(BREAKPOINT, at + BREAKPOINT.length)) out.push(at);
  return out;
}

function migrationOf(path: string, text: string, version: string, versionKey: number[], name: string): Migration {
  return makeMigration({
    version,
    versionKey,
    name,
    layout: basename(path) === 'migration.sql' ? 'directory' : 'sections',
    execution: describeExecution('drizzle', { noDownsByDesign: true, generatedBy: 'drizzle' }),
    up: wholeFile('up', path, text, breakpoints(text)),
  });
}

function journalMigration(folder: string, entry: JournalEntry, text: string): Migration {
  const { head, name } = cutAtUnderscore(entry.tag);
  const numbered = /^\d+$/.test(head);
  return migrationOf(join(folder, `${entry.tag}.sql`), text, numbered ? head : String(entry.idx), [numbered ? Number(head) : entry.idx], numbered ? name || entry.tag : entry.tag);
}

function folderMigration(folder: string, entry: string, text: string): Migration {
  const { head, name } = cutAtUnderscore(entry);
  const numbered = /^\d+$/.test(head);
  return migrationOf(join(folder, entry, 'migration.sql'), text, numbered ? head : entry, numbered ? [Number(head)] : [], name || entry);
}

const NOT_POSTGRES = (dialect: string) => `meta/_journal.json says dialect "${dialect}": these are ${dialect} migrations, and Tidemark runs PostgreSQL migrations only`;
const isPostgres = (dialect: string | undefined) => !dialect || dialect === 'postgresql' || dialect === 'pg';

function readWithJournal(census: FolderCensus, reading: LayoutReading): void {
  const journal = readJournal(census.text('meta/_journal.json'));
  if ('error' in journal) {
    reading.refused = `${journal.error}: drizzle cannot run this folder either`;
    return;
  }
  if (!isPostgres(journal.dialect)) {
    reading.refused = NOT_POSTGRES(journal.dialect!);
    return;
  }
  const listed = new Set<string>();
  for (const entry of journal.entries) {
    const rel = `${entry.tag}.sql`;
    listed.add(rel);
    const text = census.has(rel) ? census.text(rel) : undefined;
    if (text === undefined) {
      reading.problems.push({
        code: 'layout-error',
        message: `meta/_journal.json lists ${entry.tag}, but ${rel} is not in the folder: drizzle stops there`,
        path: join(census.folder, rel),
      });
      continue;
    }
    reading.migrations.push(journalMigration(census.folder, entry, text));
  }
  for (const file of census.files('.sql')) {
    if (listed.has(file)) continue;
    const path = join(census.folder, file);
    const why = 'not part of the chain: meta/_journal.json does not list it, so drizzle never runs it';
    reading.problems.push({ code: 'not-in-chain', severity: 'warning', message: `${file} is ${why}; add it with drizzle-kit or delete it`, path });
    reading.unused.push({ path, why });
  }
}

export const drizzle: LayoutReader = {
  id: 'drizzle',
  defaultFolders: ['drizzle', 'migrations'],
  activationGlobs: ['**/meta/_journal.json', '**/drizzle.config.*'],
  migrationsAreFolders: true,
  detect(census) {
    if (census.has('meta/_journal.json')) return { score: MARKER_FILE * 10, evidence: 'meta/_journal.json' };
    const v1 = census.entries().filter((e) => e.kind === 'folder' && census.has(`${e.name}/migration.sql`) && census.has(`${e.name}/snapshot.json`));
    return v1.length ? { score: MARKER_FILE * v1.length, evidence: `${v1.length} folders with migration.sql and snapshot.json (drizzle-kit 1.x)` } : undefined;
  },
  locate(root, reader) {
    for (const name of ['drizzle.config.ts', 'drizzle.config.js', 'drizzle.config.mjs', 'drizzle.config.cjs', 'drizzle.config.mts', 'drizzle.config.cts', 'drizzle.config.json']) {
      const text = reader.read(join(root, name));
      if (text === undefined) continue;
      // Read as text, never run: a literal `out: "./db/migrations"`; anything computed falls back to the default.
      const out = /["']?\bout["']?\s*:\s*(["'`])([^"'`\n]+)\1/.exec(text)?.[2];
      return join(root, out ?? 'drizzle');
    }
    return undefined;
  },
  read(census: FolderCensus): LayoutReading {
    const reading: LayoutReading = { migrations: [], problems: [], unused: [] };
    if (census.has('meta/_journal.json')) {
      readWithJournal(census, reading);
      return reading;
    }
    for (const entry of census.entries()) {
      if (entry.kind !== 'folder' || entry.name.startsWith('.') || !census.has(`${entry.name}/migration.sql`)) continue;
      const text = census.text(`${entry.name}/migration.sql`);
      if (text !== undefined) reading.migrations.push(folderMigration(census.folder, entry.name, text));
    }
    return reading;
  },
  readFile(path: string, text: string, folder: string, reader: FileReader): FileReading | undefined {
    if (basename(path) === 'migration.sql') return { migration: folderMigration(folder, basename(dirname(path)), text), problems: [] };
    const journal = readJournal(reader.read(join(folder, 'meta', '_journal.json')));
    if ('error' in journal || !isPostgres(journal.dialect)) return undefined;
    const tag = basename(path).replace(/\.sql$/i, '');
    const entry = journal.entries.find((e) => e.tag === tag);
    if (!entry) {
      // The editor still lints it, saying it never runs.
      const { head, name } = cutAtUnderscore(tag);
      const migration = migrationOf(path, text, head, /^\d+$/.test(head) ? [Number(head)] : [], name || tag);
      return {
        migration,
        problems: [
          {
            code: 'not-in-chain',
            severity: 'warning',
            message: `${basename(path)} is not part of the chain: meta/_journal.json does not list it, so drizzle never runs it; add it with drizzle-kit or delete it`,
            path,
          },
        ],
      };
    }
    return { migration: journalMigration(folder, entry, text), problems: [] };
  },
};
