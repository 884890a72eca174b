/**
 * Backups before a change: an environment with `backup` in tidemark.json is dumped before apply or
 * rollback changes it — pg_dump -Fc for a server, PGlite's own data-directory tarball for a sandbox
 * — to `ENV-YYYYMMDD-HHMMSS` in the backup folder, recorded as a `backup` event, with the command
 * that restores it. Preparing (finding pg_dump, comparing its version with the server's) happens
 * before the history tables are touched; the dump itself only when there is something to change.
 */
import { existsSync, mkdirSync, statSync, writeFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import type { BackupRecord } from '../protocol';
import type { DatabaseAdapter } from '../database/adapter';
import type { Environment } from '../database/environments';
import type { History } from '../database/history';
import { formatBytes, type PrepareBackup, type PreparedBackup } from '../runner/backup-hook';
import { BackupError } from './backup-error';
import { findPgDump, pgRestoreOf, refuseOlderPgDump, runPgDump, type PgDumpTool } from './pg-dump';

/** Undefined when the environment is not backed up; throws BackupError when it cannot be. The runner's PrepareBackup. */
export const prepareBackup: PrepareBackup = async (env: Environment, db: DatabaseAdapter, root: string): Promise<PreparedBackup | undefined> => {
  const settings = env.backup;
  if (!settings) return undefined;
  try {
    mkdirSync(settings.dir, { recursive: true });
  } catch (error) {
    throw new BackupError(`cannot create the backup folder ${settings.dir}: ${(error as Error).message}; nothing was changed`);
  }
  if (db.dumpDataDir) {
    const dump = db.dumpDataDir.bind(db);
    const server = await db.query('SELECT current_setting($1) AS version', ['server_version']);
    return {
      run: (history, version, progress) =>
        write(env, root, history, version, 'tar.gz', `PGlite (PostgreSQL ${String(server.rows[0].version)})`, progress, async (file) => {
          writeFileSync(file, Buffer.from(await (await dump()).arrayBuffer()));
        }),
    };
  }
  const connection = db.libpqEnvironment?.();
  if (!connection) throw new BackupError(`${env.name} cannot be backed up: its connection is not one pg_dump can use`);
  const tool = findPgDump(settings.command);
  const r = await db.query('SELECT current_setting($1)::int AS num', ['server_version_num']);
  refuseOlderPgDump(tool, Number(r.rows[0].num), env.name);
  return {
    run: (history, version, progress, isCancelled) =>
      write(
        env,
        root,
        history,
        version,
        'dump',
        `pg_dump ${tool.version}`,
        progress,
        (file) => runPgDump(tool, connection, file, settings, isCancelled),
        (file) => restoreWithPgRestore(tool, connection, file),
      ),
  };
};

async function write(
  env: Environment,
  root: string,
  history: History,
  version: string,
  extension: string,
  tool: string,
  progress: ((message: string) => void) | undefined,
  dump: (file: string) => Promise<void>,
  restoreCommand: (file: string) => string = (file) => `tidemark restore --env ${env.name} ${quoteArgument(relative(root, file) || file)}`,
): Promise<BackupRecord> {
  const file = backupFile(env.backup!.dir, env.name, extension, new Date());
  progress?.(`backing up ${env.name} with ${tool} to ${relative(root, file) || file}`);
  const started = Date.now();
  await dump(file);
  const record: BackupRecord = { file, tool, bytes: statSync(file).size, durationMs: Date.now() - started, restoreCommand: restoreCommand(file) };
  await history.allowNewEventKinds();
  await history.event(version, 'backup', record.durationMs, `${tool} wrote ${relative(root, file) || file} (${formatBytes(record.bytes)}); restore with: ${record.restoreCommand}`);
  return record;
}

/** `production-20261204-210512.dump` (UTC), with `-2`, `-3`... when a backup of that second exists. */
export function backupFile(dir: string, environment: string, extension: string, at: Date): string {
  const stamp = fileStamp(at);
  for (let n = 1; ; n++) {
    const file = join(dir, `${environment}-${stamp}${n === 1 ? '' : `-${n}`}.${extension}`);
    if (!existsSync(file)) return file;
  }
}

/** `20261204-210512`, UTC: for names of files that sort by when they were made. */
export function fileStamp(at: Date): string {
  return at.toISOString().replace(/[-:]/g, '').replace('T', '-').slice(0, 15);
}

/**
 * What a user runs to put the database back as it was: objects of the dump are dropped and
 * recreated (objects created after the backup stay). No password on the command line: pg_restore
 * asks, or reads PGPASSWORD/.pgpass.
 */
function restoreWithPgRestore(tool: PgDumpTool, connection: Record<string, string>, file: string): string {
  const args = [
    pgRestoreOf(tool),
    '--clean',
    '--if-exists',
    '--no-owner',
    '--host',
    connection.PGHOST,
    '--port',
    connection.PGPORT,
    '--username',
    connection.PGUSER,
    '--dbname',
    connection.PGDATABASE,
    file,
  ];
  return args.map(quoteArgument).join(' ');
}

function quoteArgument(value: string): string {
  return /^[\w@%+=:,./-]+$/.test(value) ? value : `'${value.replace(/'/g, `'\\''`)}'`;
}
