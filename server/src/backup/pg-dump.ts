/**
 * The pg_dump a backup runs: found (backup.command, else PATH), its version read, and refused
 * before anything changes when it is older than the server — pg_dump will not dump a server of a
 * newer major version, and finding that out after the first migration ran would be too late.
 */
import { spawn, spawnSync } from 'node:child_process';
import { accessSync, constants, rmSync, statSync } from 'node:fs';
import { basename, delimiter, dirname, join } from 'node:path';
import { scrubSecrets } from '../database/environments';
import { BackupError } from './backup-error';
import { formatDuration } from '../migrations/config';

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

/**
 * The pg_restore to print in the restore command: beside the pg_dump that was run (same version),
 * else the first on PATH. A custom backup.command (a wrapper script) has no pg_restore beside it,
 * and naming one that does not exist would send the user hunting during an incident.
 */
export function pgRestoreOf(tool: PgDumpTool): string {
  if (tool.command.includes('/')) {
    const dir = dirname(tool.command);
    const beside = [basename(tool.command).replace(/pg_dump/, 'pg_restore'), 'pg_restore'].map((name) => join(dir, name)).filter((path) => path !== tool.command);
    const found = beside.find(isExecutableFile);
    if (found) return found;
  }
  for (const dir of (process.env.PATH ?? '').split(delimiter).filter(Boolean)) {
    const candidate = join(dir, 'pg_restore');
    if (isExecutableFile(candidate)) return tool.command.includes('/') ? candidate : 'pg_restore';
  }
  return 'pg_restore';
}

function isExecutableFile(path: string): boolean {
  try {
    accessSync(path, constants.X_OK);
    return statSync(path).isFile();
  } catch {
    return false;
  }
}

export interface PgDumpLimits {
  /** Passed to pg_dump's --lock-wait-timeout: how long it waits for each table's lock. */
  lockWaitMs: number;
  /** How long pg_dump may run before it is stopped. */
  timeoutMs: number;
}

/**
 * Runs `pg_dump -Fc` into `file`. The connection (password included) reaches pg_dump through its
 * environment only: a command line is visible to every user of the machine (ps).
 */
export function runPgDump(tool: PgDumpTool, connection: Record<string, string>, file: string, limits: PgDumpLimits, isCancelled?: () => boolean): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = spawn(tool.command, ['--format=custom', '--no-password', `--lock-wait-timeout=${limits.lockWaitMs}`, '--file', file], {
      env: { ...process.env, ...connection },
      stdio: ['ignore', 'ignore', 'pipe'],
    });
    let stderr = '';
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
    let timedOut = false;
    const stop = () => {
      child.kill('SIGTERM');
      // A pg_dump (or wrapper) that ignores SIGTERM is not allowed to hold the apply.
      setTimeout(() => child.exitCode === null && child.signalCode === null && child.kill('SIGKILL'), 5000).unref();
    };
    const timer = setTimeout(() => {
      timedOut = true;
      stop();
    }, limits.timeoutMs);
    const poll = isCancelled && setInterval(() => isCancelled() && stop(), 200);
    const fail = (message: string) => {
      rmSync(file, { force: true });
      reject(new BackupError(message));
    };
    child.on('error', (error) => fail(`pg_dump could not be started: ${error.message}`));
    child.on('close', (code, signal) => {
      if (poll) clearInterval(poll);
      clearTimeout(timer);
      if (code === 0) return resolve();
      const said = scrubSecrets(stderr, [connection.PGPASSWORD]).trim().split('\n').filter(Boolean).join('; ') || (signal ? `stopped by ${signal}` : `exit ${code}`);
      if (timedOut) return fail(`pg_dump did not finish within ${formatDuration(limits.timeoutMs)} (backup.timeout) and was stopped; nothing was changed`);
      if (isCancelled?.()) return fail('the backup was cancelled; nothing was changed');
      // --lock-wait-timeout cancels pg_dump's LOCK TABLE ... IN ACCESS SHARE MODE.
      const waitedForLock = /canceling statement due to (statement|lock) timeout/.test(stderr);
      const lock = (waitedForLock ? /Query was: LOCK TABLE (\S+) IN ACCESS SHARE MODE/.exec(stderr) : null) ?? /could not obtain lock on relation "([^"]+)"/.exec(stderr);
      if (lock)
        return fail(
          `pg_dump waited ${formatDuration(limits.lockWaitMs)} (lockTimeout) for a lock on ${lock[1]}, which another session holds; nothing was changed. Retry when it is released`,
        );
      fail(`pg_dump failed: ${said}; nothing was changed`);
    });
  });
}
