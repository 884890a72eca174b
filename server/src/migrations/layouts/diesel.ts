/**
 * diesel: one folder per migration, `<version>_<name>/up.sql` and `down.sql`, with an optional
 * `metadata.toml` (`run_in_transaction = false` runs it outside a transaction). As diesel_migrations
 * reads them: every folder not starting with "." is a migration and must hold up.sql; the version
 * is the part of the folder name before the first "_" with its "-" removed
 * (`2019-02-26-002946_create_users` is version 20190226002946), compared as text.
 */
import { basename, dirname, join } from 'node:path';
import { describeExecution } from '../execution';
import type { FileReader } from '../text-file';
import type { DiscoveryProblem } from '../types';
import { CONTENT, MARKER_FILE, type FileReading, type FolderCensus, type LayoutReader, type LayoutReading } from './reader';
import { cutAtUnderscore, makeMigration, wholeFile } from './migration';

/** diesel's own reading of a folder name, or why it is not one. */
export function dieselVersion(folder: string): { version: string; name: string } | { error: string } {
  const { head, name } = cutAtUnderscore(folder);
  const version = head.replaceAll('-', '');
  if (!/^\d+$/.test(version)) return { error: `"${head}" is not a diesel version (digits, "-" allowed: 2019-02-26-002946)` };
  return { version, name: name || folder };
}

/** `run_in_transaction = false` in metadata.toml, read as TOML's one boolean line. */
export function runsInTransaction(toml: string | undefined): boolean {
  const m = toml && /^[ \t]*run_in_transaction[ \t]*=[ \t]*(true|false)\b/m.exec(toml);
  return !m || m[1] === 'true';
}

function readMigrationFolder(
  folder: string,
  entry: string,
  read: (rel: string) => string | undefined,
  upText?: { path: string; text: string },
): FileReading | { problem: DiscoveryProblem } {
  const dir = join(folder, entry);
  const parsed = dieselVersion(entry);
  if ('error' in parsed) return { problem: { code: 'layout-error', message: `diesel cannot read the migration folder ${entry}/: ${parsed.error}`, path: dir } };
  const upPath = join(dir, 'up.sql');
  const up = upText?.path === upPath ? upText.text : read(`${entry}/up.sql`);
  if (up === undefined) return { problem: { code: 'layout-error', message: `${entry}/ has no up.sql: diesel refuses a migration folder without one`, path: dir } };
  const downPath = join(dir, 'down.sql');
  const down = upText?.path === downPath ? upText.text : read(`${entry}/down.sql`);
  const inTransaction = runsInTransaction(read(`${entry}/metadata.toml`));
  const problems: DiscoveryProblem[] = [];
  const migration = makeMigration({
    version: parsed.version,
    versionKey: [Number(parsed.version)],
    name: parsed.name,
    layout: 'directory',
    execution: describeExecution('diesel', { noTransaction: !inTransaction }),
    up: wholeFile('up', upPath, up),
    down: down === undefined ? undefined : wholeFile('down', downPath, down),
    downFile: downPath,
  });
  return { migration, problems };
}

export const diesel: LayoutReader = {
  id: 'diesel',
  defaultFolders: ['migrations'],
  activationGlobs: ['**/diesel.toml', '**/migrations/*/up.sql'],
  migrationsAreFolders: true,
  locate(root, reader) {
    // diesel.toml: [migrations_directory] dir = "db/migrations" (relative to diesel.toml).
    const toml = reader.read(join(root, 'diesel.toml'));
    const dir = toml && /\[migrations_directory\][^[]*?^\s*dir\s*=\s*"([^"]+)"/m.exec(toml)?.[1];
    return dir ? join(root, dir) : undefined;
  },
  detect(census) {
    const withUp = census.entries().filter((e) => e.kind === 'folder' && !e.name.startsWith('.') && census.has(`${e.name}/up.sql`));
    if (withUp.length === 0) return undefined;
    const toml = census.has('../diesel.toml');
    return { score: (toml ? MARKER_FILE : CONTENT) * withUp.length, evidence: `${withUp.length} folders with up.sql${toml ? ' and diesel.toml' : ''}` };
  },
  read(census: FolderCensus): LayoutReading {
    const reading: LayoutReading = { migrations: [], problems: [], unused: [] };
    for (const entry of census.entries()) {
      if (entry.name.startsWith('.')) continue;
      if (entry.kind !== 'folder') {
        if (entry.kind === 'file' && entry.name.toLowerCase().endsWith('.sql'))
          reading.unused.push({ path: join(census.folder, entry.name), why: 'diesel reads migration folders only: a file beside them is never run' });
        continue;
      }
      const found = readMigrationFolder(census.folder, entry.name, (rel) => (census.has(rel) ? census.text(rel) : undefined));
      if ('problem' in found) reading.problems.push(found.problem);
      else reading.migrations.push(found.migration);
    }
    // diesel orders by version as text.
    reading.migrations.sort((a, b) => (a.version < b.version ? -1 : a.version > b.version ? 1 : 0));
    return reading;
  },
  readFile(path: string, text: string, folder: string, reader: FileReader) {
    const name = basename(path).toLowerCase();
    if (name !== 'up.sql' && name !== 'down.sql') return undefined;
    const entry = basename(dirname(path));
    const found = readMigrationFolder(folder, entry, (rel) => reader.read(join(folder, rel)), { path, text });
    return 'problem' in found ? undefined : found;
  },
};
