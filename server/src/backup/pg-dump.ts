/**
 * The pg_dump a backup runs: found (backup.command, else PATH), its version read, and refused
 * before anything changes when it is older than the server — pg_dump will not dump a server of a
 * newer major version, and finding that out after the first migration ran would be too late.
 */
import { spawn, spawnSync } from 'node:child_process';
import { rmSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { scrubSecrets } from '../database/environments';
import { BackupError } from './backup-error';

export interface PgDumpTool {
  command: string;
  /** As pg_dump prints it: `15.18`. */
  version: string;
  major: number;
}

export function findPgDump(command: string): PgDumpTool {
  const named = command === 'pg_dump' ? 'pg_dump' : `pg_dump at backup.command "${command}"`;
  const probe = spawnSync(command, ['--version'], { encoding: 'utf8', timeout: 10_000 });
  if (probe.error) {
    const missing = (probe.error as NodeJS.ErrnoException).code === 'ENOENT';
    throw new BackupError(
      missing
        ? `${command === 'pg_dump' ? 'pg_dump was not found on PATH' : `backup.command "${command}" was not found`}: install postgresql-client (of the server's major version or newer) or set backup.command`
        : `${named} could not be run: ${probe.error.message}`,
    );
  }
  const match = /\(PostgreSQL\)\s+(\d+)(\.\d+)?/.exec(probe.stdout);
  if (probe.status !== 0 || !match) {
    throw new BackupError(`${named} did not report its version (expected "pg_dump (PostgreSQL) N.N"): ${(probe.stderr || probe.stdout).trim() || `exit ${probe.status}`}`);
  }
  return { command, version: `${match[1]}${match[2] ?? ''}`, major: Number(match[1]) };
}

/** `server_version_num` (180001) → 18. */
export function serverMajor(versionNum: number): number {
  return Math.floor(versionNum / 10_000);
}

export function refuseOlderPgDump(tool: PgDumpTool, serverVersionNum: number, environment: string): void {
  const major = serverMajor(serverVersionNum);
  if (tool.major >= major) return;
  throw new BackupError(
    `pg_dump ${tool.version} cannot dump PostgreSQL ${major} (${environment}): install postgresql-client-${major} or set backup.command to a pg_dump ${major} or newer; nothing was changed`,
  );
}

/** pg_restore beside the pg_dump that was run, so both are of the same version. */
export function pgRestoreOf(tool: PgDumpTool): string {
  return tool.command.includes('/') ? join(dirname(tool.command), basename(tool.command).replace(/pg_dump/, 'pg_restore')) : 'pg_restore';
}

/**
 * Runs `pg_dump -Fc` into `file`. The connection (password included) reaches pg_dump through its
 * environment only: a command line is visible to every user of the machine (ps).
 */
export function runPgDump(tool: PgDumpTool, connection: Record<string, string>, file: string, isCancelled?: () => boolean): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = spawn(tool.command, ['--format=custom', '--no-password', '--file', file], {
      env: { ...process.env, ...connection },
      stdio: ['ignore', 'ignore', 'pipe'],
    });
    let stderr = '';
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
    const poll = isCancelled && setInterval(() => isCancelled() && child.kill('SIGTERM'), 200);
    const fail = (message: string) => {
      rmSync(file, { force: true });
      reject(new BackupError(message));
    };
    child.on('error', (error) => fail(`pg_dump could not be started: ${error.message}`));
    child.on('close', (code, signal) => {
      if (poll) clearInterval(poll);
      if (code === 0) return resolve();
      const said = scrubSecrets(stderr, [connection.PGPASSWORD]).trim().split('\n').filter(Boolean).join('; ') || (signal ? `stopped by ${signal}` : `exit ${code}`);
      fail(signal && isCancelled?.() ? 'the backup was cancelled; nothing was changed' : `pg_dump failed: ${said}; nothing was changed`);
    });
  });
}
