/**
 * The up sections of the migrations that run before the one being linted (same folder, lower
 * version). Some judgements depend on them: an index created CONCURRENTLY in its own earlier
 * migration — the recommended expand/contract shape — serves a foreign key added later.
 *
 * `tidemark lint` over a folder asks this for every file in a row, and an editor on every
 * keystroke: the folder is discovered and parsed once, then reused for as long as no file in it
 * changed (same names, sizes and modification times) — and without even checking that for a
 * second after the last check, so linting N files costs N, not N², file-system calls.
 */
import { statSync } from 'node:fs';
import { join } from 'node:path';
import { discoverMigrations, lenientDiskReader, listMigrationFiles } from '../migrations/discovery';
import { compareVersionKeys, versionOrder } from '../migrations/version';
import { migrationFolder, parseSection } from './unit';
import { listEntries } from '../migrations/layouts/reader';
import { isSectionFolder } from '../migrations/layouts/named-files';
import type { LintUnit, ParsedSection } from './types';
import type { Section } from '../migrations/types';

interface FolderState {
  signature: string;
  /** performance.now() of the last time the signature was found current. */
  checkedAt: number;
  /**
   * Up sections in version order, with their version keys; each parsed the first time a later
   * migration asks for it (the last migration of a folder, often the one edited, needs none).
   */
  ups: Array<{ version: string; versionKey: number[]; up: Section; parsed?: ParsedSection }>;
}

const folders = new Map<string, FolderState>();
const MAX_FOLDERS = 32;
const RECHECK_AFTER_MS = 1000;

function signatureOf(dir: string, files: string[]): string {
  return files
    .map((rel) => {
      try {
        const stat = statSync(join(dir, rel));
        return `${rel}:${stat.size}:${stat.mtimeMs}`;
      } catch {
        return `${rel}:gone`;
      }
    })
    .join('|');
}

/** The files whose names, sizes and times stand for the folder: its migration files, and those inside one folder per migration (diesel, Prisma). */
function watchedFiles(dir: string): string[] {
  const files = listMigrationFiles(dir);
  for (const entry of listEntries(dir)) {
    if (entry.kind !== 'folder' || entry.name.startsWith('.') || isSectionFolder(entry.name)) continue;
    for (const inner of listEntries(join(dir, entry.name))) if (inner.kind === 'file' && inner.name.toLowerCase().endsWith('.sql')) files.push(`${entry.name}/${inner.name}`);
  }
  // The files that order a folder where the names do not: a sqitch plan, Atlas's sum.
  files.push('sqitch.plan', 'atlas.sum');
  return files;
}

function folderState(dir: string): FolderState {
  const cached = folders.get(dir);
  const now = performance.now();
  if (cached && now - cached.checkedAt < RECHECK_AFTER_MS) return cached;
  const signature = signatureOf(dir, watchedFiles(dir));
  if (cached?.signature === signature) {
    cached.checkedAt = now;
    return cached;
  }
  const ups = discoverMigrations(dir, lenientDiskReader).migrations.map((m) => ({ version: m.version, versionKey: m.versionKey, up: m.up }));
  const state = { signature, checkedAt: now, ups };
  if (folders.size >= MAX_FOLDERS) folders.delete(folders.keys().next().value!);
  folders.set(dir, state);
  return state;
}

export function earlierUpSections(unit: LintUnit): ParsedSection[] {
  if (!unit.version || !unit.up) return [];
  const version = unit.version;
  try {
    const { ups } = folderState(migrationFolder(unit.up.file.path));
    // The unit's place as its reader ordered it: a version number, or a position in a plan.
    const own = versionOrder(ups)(version);
    return ups.filter((u) => compareVersionKeys(u.versionKey, own) < 0).map((u) => (u.parsed ??= parseSection(u.up)));
  } catch {
    return [];
  }
}
