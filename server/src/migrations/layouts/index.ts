/**
 * The layout readers, in detection order, and how a folder is read: detect its layout (or take
 * the one tidemark.json sets), let that reader read it, then check what every layout must hold.
 *
 * To add a layout: write `layouts/TOOL.ts` exporting a LayoutReader (reader.ts: its id — add it
 * to LayoutId in types.ts —, its default folders, `detect` from marker files or content, `read`
 * into the Migration model with each migration's `execution`; `activationGlobs` for its marker
 * files, also listed in package.json's activationEvents), then add it to READERS below, and a row
 * to docs/layouts.md. A tie in detection goes to the reader listed first, so list readers with
 * marker files first.
 */
import { statSync } from 'node:fs';
import { steadyValue } from '../steady-disk';
import { join, relative } from 'node:path';
import { holdsSql } from '../sections';
import { lenientDiskReader, type FileReader } from '../text-file';
import type { DiscoveryProblem, DiscoveryResult, LayoutId, Migration } from '../types';
import { versionId } from '../version';
import { atlas } from './atlas';
import { dbmate } from './dbmate';
import { diesel } from './diesel';
import { drizzle } from './drizzle';
import { flyway } from './flyway';
import { folders } from './folders';
import { golangMigrate } from './golang-migrate';
import { goose } from './goose';
import { graphileMigrate } from './graphile-migrate';
import { liquibase } from './liquibase';
import { nodePgMigrate } from './node-pg-migrate';
import { prisma } from './prisma';
import { sqlx } from './sqlx';
import { supabase } from './supabase';
import { isSectionFolder } from './named-files';
import { entryKind, FolderCensus, type Detection, type LayoutReader, type LayoutReading } from './reader';
import { sqitch } from './sqitch';

export const READERS: readonly LayoutReader[] = [
  prisma,
  drizzle,
  diesel,
  supabase,
  sqitch,
  graphileMigrate,
  atlas,
  liquibase,
  goose,
  nodePgMigrate,
  sqlx,
  flyway,
  golangMigrate,
  folders,
  dbmate,
];

/** Readers that share one reading of files named like migrations (named-files.ts): they may be mixed in one folder, and dbmate's markers are theirs too. */
const NAMED_FILES: ReadonlySet<LayoutId> = new Set(['dbmate', 'golang-migrate', 'folders', 'flyway']);

export const isNamedFilesLayout = (id: LayoutId) => NAMED_FILES.has(id);

export function layoutReader(id: LayoutId): LayoutReader | undefined {
  return READERS.find((r) => r.id === id);
}

export interface DetectedLayout {
  reader: LayoutReader;
  evidence: string;
}

/** The layout of a folder: the one `forced` names, else the reader whose detection scores highest. */
export function detectLayout(census: FolderCensus, forced?: LayoutId): DetectedLayout | undefined {
  if (forced) {
    const reader = layoutReader(forced);
    return reader ? { reader, evidence: `"layout": "${forced}" in tidemark.json` } : undefined;
  }
  let best: { reader: LayoutReader; detection: Detection } | undefined;
  for (const reader of READERS) {
    const detection = reader.detect(census);
    if (detection && (!best || detection.score > best.detection.score)) best = { reader, detection };
  }
  return best && { reader: best.reader, evidence: best.detection.evidence };
}

const folderLayouts = new Map<string, { stamp: string; detected: DetectedLayout | undefined }>();

/**
 * The layout of a folder for linting one of its files, detected once and kept while the folder's
 * listing holds (its modification time): linting N files of a folder detects it once, not N times.
 */
export function folderLayout(folder: string, forced?: LayoutId): DetectedLayout | undefined {
  return steadyValue(`layout:${folder}:${forced ?? ''}`, () => detectFolderLayout(folder, forced));
}

function detectFolderLayout(folder: string, forced: LayoutId | undefined): DetectedLayout | undefined {
  let stamp: string;
  try {
    stamp = `${statSync(folder).mtimeMs}:${forced ?? ''}`;
  } catch {
    return undefined;
  }
  const cached = folderLayouts.get(folder);
  if (cached?.stamp === stamp) return cached.detected;
  const detected = detectOnDisk(new FolderCensus(folder, lenientDiskReader), forced);
  if (folderLayouts.size >= 64) folderLayouts.delete(folderLayouts.keys().next().value!);
  folderLayouts.set(folder, { stamp, detected });
  return detected;
}

/** The layout discovery detects for `folder` as on disk (no layout forced); undefined when it is no folder or none fits. */
export function layoutOnDisk(folder: string): DetectedLayout | undefined {
  return entryKind(folder) === 'folder' ? detectOnDisk(new FolderCensus(folder, lenientDiskReader), undefined) : undefined;
}

/** The layout of a folder as on disk: in a batch lint detected once, for its discovery and for each file's unit alike. */
function detectOnDisk(census: FolderCensus, forced: LayoutId | undefined): DetectedLayout | undefined {
  return steadyValue(`detected:${census.folder}\0${forced ?? ''}`, () => detectLayout(census, forced));
}

/**
 * What a folder no reader recognises holds, when it holds something that looks like migrations:
 * SQL files or folders with SQL in them. Undefined for a folder with nothing of the sort.
 */
export function describeUnrecognised(census: FolderCensus): string | undefined {
  const sql = census.files('.sql');
  const sqlFolders = census.entries().filter((e) => e.kind === 'folder' && !e.name.startsWith('.') && census.files('.sql', e.name).length > 0);
  if (sql.length === 0 && sqlFolders.length === 0) return undefined;
  const seen: string[] = [];
  if (sql.length) seen.push(`${sql.length} .sql file${sql.length > 1 ? 's' : ''} (${sample(sql)})`);
  if (sqlFolders.length) seen.push(`${sqlFolders.length} folder${sqlFolders.length > 1 ? 's' : ''} with .sql files (${sample(sqlFolders.map((f) => `${f.name}/`))})`);
  const inner = sqlFolders.flatMap((f) => census.files('.sql', f.name));
  let looks = "none of them is named like a migration (VERSION_name.sql) and no migration tool's marker file is here";
  if (inner.includes('up.sql') || inner.includes('down.sql')) looks = 'folders with up.sql / down.sql look like diesel migrations';
  else if (inner.includes('migration.sql')) looks = 'folders with migration.sql look like Prisma or Drizzle migrations';
  return `saw ${seen.join(' and ')}: ${looks}; set "layout" (and "migrationsDir") in tidemark.json if this is a migrations folder`;
}

function sample(names: string[]): string {
  return names.length > 3 ? `${names.slice(0, 3).join(', ')}, ...` : names.join(', ');
}

/**
 * Reads the migrations folder. Never throws for bad files: they become problems (a file that is
 * not UTF-8 still throws FileEncodingError from the reader, which front ends report).
 */
export function readMigrationsFolder(migrationsDir: string, reader: FileReader, forced?: LayoutId): DiscoveryResult {
  const census = new FolderCensus(migrationsDir, reader);
  if (entryKind(migrationsDir) !== 'folder') return { migrationsDir, migrations: [], problems: [], unused: [], missing: true };
  const detected = reader === lenientDiskReader ? detectOnDisk(census, forced) : detectLayout(census, forced);
  if (!detected) return { migrationsDir, migrations: [], problems: notRegularFiles(census), unused: [], unrecognised: describeUnrecognised(census) };
  const reading = detected.reader.read(census, reader);
  if (!reading.refused) validateReading(reading, detected.reader, census);
  return { migrationsDir, layout: detected.reader.id, layoutEvidence: detected.evidence, ...reading };
}

/** What every layout must hold, whichever reader read it. */
function validateReading(reading: LayoutReading, reader: LayoutReader, census: FolderCensus): void {
  reading.problems.push(...notRegularFiles(census));
  markDuplicates(reading, census.folder);
  for (const m of reading.migrations) validateMigration(m, reader, reading.problems);
}

/** What every migration must hold: no other layout's markers, an up with SQL in it. Problems are added to `problems`, and block apply. */
export function validateMigration(m: Migration, reader: LayoutReader, problems: DiscoveryProblem[]): void {
  refuseForeignMarkers(m, reader, problems);
  refuseEmptyUp(m, problems);
}

/** A FIFO, a device or a dangling link named like a migration file: never opened (a FIFO would block the read), always named. */
function notRegularFiles(census: FolderCensus): DiscoveryProblem[] {
  const problems: DiscoveryProblem[] = [];
  const folders = [
    '',
    ...census
      .entries()
      .filter((e) => e.kind === 'folder' && isSectionFolder(e.name))
      .map((e) => e.name),
  ];
  for (const rel of folders) {
    for (const entry of census.entries(rel)) {
      if (!entry.name.toLowerCase().endsWith('.sql')) continue;
      const shown = rel ? `${rel}/${entry.name}` : entry.name;
      const path = join(census.folder, shown);
      if (entry.kind === 'dangling-link') problems.push({ code: 'unreadable-file', message: `${shown} is a symbolic link to a file that does not exist: skipped`, path });
      if (entry.kind === 'not-a-file') problems.push({ code: 'unreadable-file', message: `${shown} is not a regular file (a FIFO, socket or device): skipped, never read`, path });
    }
  }
  return problems;
}

/** Two migrations with one version, for readers that do not check it themselves. */
function markDuplicates(reading: LayoutReading, folder: string): void {
  const byVersion = new Map<string, Migration[]>();
  for (const m of reading.migrations) byVersion.set(versionId(m.versionKey), [...(byVersion.get(versionId(m.versionKey)) ?? []), m]);
  for (const same of byVersion.values()) {
    if (same.length < 2 || same.some((m) => m.duplicateVersion)) continue;
    const names = same.map((m) => relative(folder, m.up.file.path));
    const message = `version ${same[0].version} is used by ${same.length} migrations: ${names.join(', ')}; every migration needs its own version`;
    same.forEach((m, i) => {
      m.duplicateVersion = message;
      if (i > 0)
        reading.problems.push({
          code: 'duplicate-version',
          message: `version ${m.version} is used twice: ${names[i]} and ${names[0]} are both a migration for it`,
          path: m.up.file.path,
          relatedPath: same[0].up.file.path,
        });
    });
  }
}

/** Each reader's marker line, matched at any line's start (multiline), compiled once. */
let markerPatterns: Array<{ id: LayoutId; pattern: RegExp }> | undefined;

/** The first line of `text` another layout gives a meaning to, with that layout. */
export function foreignMarker(text: string, layout: LayoutId): { offset: number; line: string; layout: LayoutId } | undefined {
  // Every marker line is a comment: a text without "--" has none (most migrations of a folder).
  if (!text.includes('--')) return undefined;
  markerPatterns ??= READERS.filter((r) => r.markerLine).map((r) => ({
    id: r.id,
    pattern: new RegExp(r.markerLine!.source, r.markerLine!.flags.includes('m') ? r.markerLine!.flags : `${r.markerLine!.flags}m`),
  }));
  for (const { id, pattern } of markerPatterns) {
    if (id === layout || (NAMED_FILES.has(id) && NAMED_FILES.has(layout))) continue;
    pattern.lastIndex = 0;
    const m = pattern.exec(text);
    if (m) {
      const end = text.indexOf('\n', m.index);
      return { offset: m.index, line: text.slice(m.index, end < 0 ? text.length : end).trim(), layout: id };
    }
  }
  return undefined;
}

function refuseForeignMarkers(m: Migration, reader: LayoutReader, problems: DiscoveryProblem[]): void {
  const files = new Map([m.up, m.down, m.verify, m.precheck].filter((s) => s !== undefined).map((s) => [s.file.path, s.file]));
  for (const file of files.values()) {
    const found = foreignMarker(file.text, m.execution.layout);
    if (!found) continue;
    const line = file.positionAt(found.offset).line + 1;
    const message = `line ${line} is \`${found.line}\`, a ${found.layout} marker, but this folder is read as ${reader.id}: the file would run as one section with it as a comment`;
    problems.push({ code: 'foreign-marker', message, path: file.path, offset: found.offset });
    m.blockedReasons.push(message);
  }
}

/** A migration whose up holds no SQL would be recorded as applied with nothing run. */
function refuseEmptyUp(m: Migration, problems: DiscoveryProblem[]): void {
  if (m.hole || holdsSql(m.up.text)) return;
  const onlyDown = m.down && m.down.file === m.up.file && holdsSql(m.down.text);
  const message = onlyDown ? 'the up section is empty: the file has only a down section' : 'the up section is empty: there is no SQL to apply';
  problems.push({ code: 'empty-up', message, path: m.up.file.path, offset: m.up.offset });
  m.blockedReasons.push(message);
}

/**
 * Why a folder cannot be used at all — it does not exist, no reader recognises what it holds, or
 * its tool's files are another database's — as one line naming the folder; undefined when it can.
 * Every front end stops with this (exit 2) rather than report an empty success.
 */
export function discoveryStop(result: DiscoveryResult, shownDir: string): string | undefined {
  if (result.missing) return `the migrations folder ${shownDir} does not exist`;
  if (result.refused) return `${shownDir}: ${result.refused}`;
  if (result.unrecognised) return `no migration layout recognised in ${shownDir}: ${result.unrecognised}`;
  return undefined;
}

/** The problems a reading found that belong to no migration file (a FIFO, a folder without up.sql): a file-by-file lint never sees them. */
export function folderProblems(result: DiscoveryResult): DiscoveryProblem[] {
  const files = new Set(result.migrations.flatMap((m) => [m.up, m.down, m.verify, m.precheck].filter((s) => s !== undefined).map((s) => s.file.path)));
  return result.problems.filter((p) => !files.has(p.path) && p.code !== 'not-in-chain');
}

/** The files lint reads for a folder: every part of every migration it runs, the files not in the chain (to say so), and other SQL files there. */
export function lintableFiles(result: DiscoveryResult): string[] {
  const files = new Set<string>();
  for (const m of result.migrations) {
    if (m.hole) continue;
    for (const s of [m.up, m.down, m.verify, m.precheck]) if (s) files.add(s.file.path);
  }
  for (const p of result.problems) if (p.code === 'not-in-chain' && p.path.toLowerCase().endsWith('.sql')) files.add(p.path);
  // SQL that no migration uses (notes.sql beside dbmate files) is still linted, as a loose file.
  for (const u of result.unused) if (u.path.toLowerCase().endsWith('.sql')) files.add(u.path);
  return [...files];
}

/**
 * Where a repository keeps its migrations when tidemark.json does not say: the folder a tool's own
 * config names (Drizzle's `out`, Prisma's `prisma.schema`), else the first of the tools' default
 * folders that exists and holds migrations a reader recognises (prisma/migrations,
 * supabase/migrations, drizzle/, db/migrations, migrations/...). Undefined when none does.
 */
export function findMigrationsFolder(root: string, reader: FileReader = lenientDiskReader): string | undefined {
  for (const r of READERS) {
    const located = r.locate?.(root, reader);
    if (located && entryKind(located) === 'folder') return located;
  }
  const seen = new Set<string>();
  for (const r of READERS) {
    for (const rel of r.defaultFolders) {
      const dir = join(root, rel);
      if (seen.has(dir)) continue;
      seen.add(dir);
      const census = new FolderCensus(dir, reader);
      if (entryKind(dir) === 'folder' && (reader === lenientDiskReader ? detectOnDisk(census, undefined) : detectLayout(census))) return dir;
    }
  }
  return undefined;
}
