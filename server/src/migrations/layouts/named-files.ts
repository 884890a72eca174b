/**
 * The layouts whose files say what they are by their names — dbmate's one file with sections,
 * golang-migrate's NAME.up.sql / NAME.down.sql, the runbooks' NAME.sql + rollback/NAME.sql, Flyway's
 * V/U files — may share one folder (migrations-sample does), so their readers (dbmate.ts,
 * golang-migrate.ts, folders.ts, flyway.ts) share this one reading: files classified by name,
 * paired by version.
 */
import { statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { SourceFile } from '../../sql/source';
import { withLazyChecksum } from '../checksum';
import { DBMATE_NO_TRANSACTION, describeExecution, TIDEMARK_NO_TRANSACTION } from '../execution';
import { blockedReasons, environmentsDirective, gateDirectives, hasNoTransactionDirective, splitSections } from '../sections';
import type { DiscoveryProblem, LayoutId, LayoutKind, Migration, Section } from '../types';
import { classifyFile, compareVersionKeys, versionId, type ClassifiedFile } from '../version';
import { listEntries, type FolderCensus, type FolderEntry, type LayoutReading } from './reader';
import { steadyValue } from '../steady-disk';
import { readTextsLenient } from '../text-file';

/** The reader each file shape stands for when files are classified by name. */
export const READER_OF_KIND: Record<Exclude<LayoutKind, 'directory'>, LayoutId> = {
  sections: 'dbmate',
  paired: 'golang-migrate',
  folders: 'folders',
  flyway: 'flyway',
};

/** Subfolders that hold parts of migrations rather than migrations of their own. */
const SECTION_FOLDERS = new Set(['rollback', 'rollbacks', 'down', 'verify', 'verification', 'check', 'checks']);

export const isSectionFolder = (name: string) => SECTION_FOLDERS.has(name.toLowerCase());

/**
 * Paths of the .sql files that may be migrations or their parts, relative to `dir`. `entries`
 * lists a folder relative to `dir` (a census's listing, already taken); by default it is listed.
 */
export function listMigrationFiles(dir: string, entries: (rel: string) => readonly FolderEntry[] = (rel) => listEntries(rel ? join(dir, rel) : dir)): string[] {
  const out: string[] = [];
  // The listing says what each entry is, following links: only regular files, as a FIFO or a
  // device named like a migration would block the read.
  for (const entry of entries('')) {
    if (entry.kind === 'folder') {
      if (!SECTION_FOLDERS.has(entry.name.toLowerCase())) continue;
      for (const inner of entries(entry.name)) if (inner.kind === 'file' && inner.name.toLowerCase().endsWith('.sql')) out.push(`${entry.name}/${inner.name}`);
    } else if (entry.kind === 'file' && entry.name.toLowerCase().endsWith('.sql')) {
      out.push(entry.name);
    }
  }
  return out;
}

/**
 * The texts of a folder's migration files (listMigrationFiles), read leniently as
 * lenientDiskReader reads each (undefined: it cannot be read). In a batch the folder's detection
 * has read them already: they are looked up per folder, without joining and keying each path.
 */
export function readMigrationFiles(dir: string): Array<{ rel: string; text: string | undefined }> {
  const rels = listMigrationFiles(dir);
  const byFolder = new Map<string, string[]>();
  for (const rel of rels) {
    const slash = rel.indexOf('/');
    const sub = slash < 0 ? '' : rel.slice(0, slash);
    let names = byFolder.get(sub);
    if (!names) byFolder.set(sub, (names = []));
    names.push(slash < 0 ? rel : rel.slice(slash + 1));
  }
  const texts = new Map<string, ReadonlyMap<string, string>>();
  for (const [sub, names] of byFolder) texts.set(sub, readTextsLenient(sub ? join(dir, sub) : dir, names));
  return rels.map((rel) => {
    const slash = rel.indexOf('/');
    return { rel, text: slash < 0 ? texts.get('')!.get(rel) : texts.get(rel.slice(0, slash))!.get(rel.slice(slash + 1)) };
  });
}

export interface IndexedFile {
  /** Path relative to the migrations folder. */
  rel: string;
  info: ClassifiedFile;
}

/** A folder's migration files grouped by version, kept while the folders' modification times hold. */
const folderIndexes = new Map<string, { stamp: string; byVersion: Map<string, IndexedFile[]> }>();

function folderStamp(dir: string): string {
  // Adding, removing or renaming a file changes its folder's mtime; edits to contents do not
  // matter here because texts are always read fresh.
  const stamps: number[] = [];
  for (const sub of ['', ...SECTION_FOLDERS]) {
    try {
      stamps.push(statSync(sub ? join(dir, sub) : dir).mtimeMs);
    } catch {
      stamps.push(-1);
    }
  }
  return stamps.join(':');
}

/**
 * The migration files of a folder grouped by version key (`1.2`), so that finding a file's
 * companions costs a lookup instead of listing and classifying the whole folder per file.
 */
export function migrationFilesByVersion(dir: string): ReadonlyMap<string, readonly IndexedFile[]> {
  return steadyValue(`files-by-version:${dir}`, () => indexFolder(dir));
}

function indexFolder(dir: string): ReadonlyMap<string, readonly IndexedFile[]> {
  const stamp = folderStamp(dir);
  const cached = folderIndexes.get(dir);
  if (cached?.stamp === stamp) return cached.byVersion;
  const byVersion = new Map<string, IndexedFile[]>();
  for (const rel of listMigrationFiles(dir)) {
    const info = classifyFile(rel);
    if (!info) continue;
    const key = versionId(info.versionKey);
    const list = byVersion.get(key) ?? [];
    list.push({ rel, info });
    byVersion.set(key, list);
  }
  folderIndexes.set(dir, { stamp, byVersion });
  return byVersion;
}

interface Parts {
  primary?: { file: SourceFile; info: ClassifiedFile };
  down?: { file: SourceFile; info: ClassifiedFile };
  verify?: { file: SourceFile; info: ClassifiedFile };
  check?: { file: SourceFile; info: ClassifiedFile };
}

function sectionOf(file: SourceFile, kind: Section['kind']): Section {
  return { kind, file, offset: 0, text: file.text };
}

/** Builds a migration from its files: the sections of a one-file migration, or separate files. */
export function assembleMigration(parts: Parts): Migration | undefined {
  const primary = parts.primary;
  if (!primary) return undefined;
  const { info, file } = primary;
  let up: Section | undefined;
  let down: Section | undefined;
  let verify: Section | undefined;
  let check: Section | undefined;
  for (const raw of splitSections(file.text, 'up')) {
    const section: Section = { kind: raw.kind, file, offset: raw.offset, text: raw.text };
    if (raw.kind === 'up') up ??= section;
    else if (raw.kind === 'down') down ??= section;
    else if (raw.kind === 'check') check ??= section;
    else verify ??= section;
  }
  up ??= { kind: 'up', file, offset: file.text.length, text: '' };
  if (parts.down) down = sectionOf(parts.down.file, 'down');
  if (parts.verify) verify = sectionOf(parts.verify.file, 'verify');
  if (parts.check) check = sectionOf(parts.check.file, 'check');
  // Directives belong to the up section or the header comment above it.
  const directiveText = file.text.slice(0, up.offset) + up.text;
  // A NAME.sql with rollback/ or verify/ companions is the sibling-folders layout.
  const layout = info.layout === 'sections' && [parts.down, parts.verify, parts.check].some((p) => p?.info.layout === 'folders') ? 'folders' : info.layout;
  const noTransactionDirective = hasNoTransactionDirective(up.text) || hasNoTransactionDirective(file.text.slice(0, up.offset));
  const marker = noTransactionDirective && (/^[ \t]*--[ \t]*tidemark:no-transaction\b/im.test(directiveText) ? TIDEMARK_NO_TRANSACTION : DBMATE_NO_TRANSACTION);
  return withLazyChecksum(
    {
      version: info.version,
      versionKey: info.versionKey,
      name: info.name,
      layout,
      execution: describeExecution(READER_OF_KIND[layout], { noTransaction: marker }),
      up,
      down,
      verify,
      precheck: check,
      noTransactionDirective,
      blockedReasons: blockedReasons(directiveText),
      environments: environmentsDirective(directiveText)?.names.map((n) => n.name),
      ...gateDirectives(directiveText),
      ...(layout === 'sections' ? { downMarker: '-- migrate:down' } : {}),
    },
    up.text,
  );
}

/** A version's files as the pairing sees them: a migration (primary) and the down and verify files there are for it. */
export interface VersionGroup<T extends { info: ClassifiedFile }> {
  migrations: Array<{ primary: T; down?: T; verify?: T; check?: T }>;
  /** Down or verify files no migration of the version takes; `rival` is the one taken instead, if any. */
  leftovers: Array<{ file: T; rival?: T }>;
}

const fileSectionOf = (info: ClassifiedFile): keyof Parts => (info.role === 'down' || info.role === 'verify' || info.role === 'check' ? info.role : 'primary');

/**
 * Pairs the files of one version: a down or verify file goes to the migration of its name
 * (rollback/0006_billing.sql to 0006_billing.sql), else a file named for the version alone
 * (rollback/0006_rollback.sql) or — when the version has one migration — the only file there is.
 * Files left over never become migrations.
 */
export function pairVersionGroup<T extends { info: ClassifiedFile }>(files: readonly T[]): VersionGroup<T> {
  // Most versions are one migration, alone or with a down file of its name: paired as below would pair them.
  const [first, second] = files;
  if (files.length === 1 && fileSectionOf(first.info) === 'primary') return { migrations: [{ primary: first }], leftovers: [] };
  if (files.length === 2) {
    const [primary, down] = fileSectionOf(first.info) === 'primary' ? [first, second] : [second, first];
    if (fileSectionOf(primary.info) === 'primary' && down.info.role === 'down' && primary.info.name.toLowerCase() === down.info.name.toLowerCase())
      return { migrations: [{ primary, down }], leftovers: [] };
  }
  const primaries = files.filter((f) => fileSectionOf(f.info) === 'primary');
  const group: VersionGroup<T> = { migrations: primaries.map((primary) => ({ primary })), leftovers: [] };
  for (const slot of ['down', 'verify', 'check'] as const) {
    const free = files.filter((f) => fileSectionOf(f.info) === slot);
    const take = (m: (typeof group.migrations)[number], pick: (f: T) => boolean) => {
      if (m[slot]) return;
      const found = free.find(pick);
      if (found) {
        m[slot] = found;
        free.splice(free.indexOf(found), 1);
      }
    };
    const sameName = (a: ClassifiedFile, b: ClassifiedFile) => a.name.toLowerCase() === b.name.toLowerCase();
    for (const m of group.migrations) take(m, (f) => sameName(f.info, m.primary.info));
    if (group.migrations.length === 1) {
      const [only] = group.migrations;
      take(only, (f) => f.info.name === f.info.version);
      take(only, () => true);
    }
    for (const file of free) group.leftovers.push({ file, rival: group.migrations.length === 1 ? group.migrations[0][slot] : undefined });
  }
  return group;
}

/**
 * Reads a folder of files named like migrations. Never throws for bad files: they become problems.
 * Flyway's reader takes the repeatable R__ files itself (`repeatablesReadHere`); in a folder read
 * as another layout they are listed as never run.
 */
export function readNamedFiles(census: FolderCensus, options: { repeatablesReadHere?: boolean } = {}): LayoutReading {
  const migrationsDir = census.folder;
  const problems: DiscoveryProblem[] = [];
  type Found = { file: SourceFile; info: ClassifiedFile };
  const byVersion = new Map<string, Found[]>();
  const shown = (file: SourceFile) => relative(migrationsDir, file.path);

  const unused: LayoutReading['unused'] = [];
  for (const rel of listMigrationFiles(migrationsDir, (rel) => census.entries(rel))) {
    const info = classifyFile(rel);
    if (!info) {
      const path = join(migrationsDir, rel);
      if (/^R__.+\.sql$/i.test(rel)) {
        if (options.repeatablesReadHere) continue;
        // Said, not skipped silently: only a folder read as Flyway's runs repeatables.
        const why = 'a Flyway repeatable migration (R__) in a folder not read as Flyway\'s: never run; set "layout": "flyway" in tidemark.json to run it';
        problems.push({ code: 'not-in-chain', severity: 'warning', message: `${rel} is ${why}`, path });
        unused.push({ path, why });
      } else unused.push({ path, why: 'not named like a migration (VERSION_name.sql): never applied' });
      continue;
    }
    const path = join(migrationsDir, rel);
    const text = census.text(rel);
    if (text === undefined) {
      problems.push({ code: 'unreadable-file', message: `cannot read ${rel}`, path });
      continue;
    }
    const key = versionId(info.versionKey);
    byVersion.set(key, [...(byVersion.get(key) ?? []), { file: new SourceFile(path, text), info }]);
  }

  const migrations: Migration[] = [];
  for (const files of byVersion.values()) {
    const group = pairVersionGroup(files);
    // Named only in a problem (most versions have none): a relative path costs more than the pairing.
    const sharing = () => group.migrations.map((m) => shown(m.primary.file));
    const duplicate =
      group.migrations.length > 1
        ? `version ${group.migrations[0].primary.info.version} is used by ${group.migrations.length} migrations: ${sharing().join(', ')}; every migration needs its own version`
        : undefined;
    for (const [i, parts] of group.migrations.entries()) {
      const migration = assembleMigration(parts)!;
      if (duplicate) migration.duplicateVersion = duplicate;
      migrations.push(migration);
      if (i > 0) {
        const first = group.migrations[0].primary.file;
        problems.push({
          code: 'duplicate-version',
          message: `version ${parts.primary.info.version} is used twice: ${shown(parts.primary.file)} and ${shown(first)} are both a migration for it`,
          path: parts.primary.file.path,
          relatedPath: first.path,
        });
      }
    }
    for (const { file, rival } of group.leftovers) {
      const what = `${fileSectionOf(file.info)} file`;
      if (rival) {
        problems.push({
          code: 'duplicate-version',
          message: `version ${file.info.version} is used twice: ${shown(file.file)} and ${shown(rival.file)} are both a ${what} for it`,
          path: file.file.path,
          relatedPath: rival.file.path,
        });
      } else {
        problems.push({
          code: 'orphan-file',
          message: group.migrations.length
            ? `${shown(file.file)} belongs to version ${file.info.version}, but no migration of that version is named ${file.info.name} (${sharing().join(', ')})`
            : `${shown(file.file)} belongs to version ${file.info.version}, which has no up migration`,
          path: file.file.path,
        });
      }
    }
  }
  migrations.sort((a, b) => compareVersionKeys(a.versionKey, b.versionKey));
  return { migrations, problems, unused };
}
