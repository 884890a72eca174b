/**
 * What every runner operation shares: the options a front end passes, the migrations on disk,
 * and a session on an environment's database holding the migration lock.
 */
import { existsSync } from 'node:fs';
import { relative } from 'node:path';
import { discoverMigrations } from '../migrations/discovery';
import { discoveryStop } from '../migrations/layouts';
import { FileEncodingError } from '../migrations/text-file';
import type { DiscoveryResult, Migration } from '../migrations/types';
import { isNumberedVersion } from '../migrations/version';
import type { StatementFailure } from '../protocol';
import type { DatabaseAdapter } from '../database/adapter';
import { openDatabase } from '../database/connect';
import { RunnerInputError, type Environment, type Project } from '../database/environments';
import { History } from '../database/history';
import { acquireMigrationLock } from '../database/lock';
import type { PasswordSource } from '../database/postgres-adapter';
import type { PrepareBackup, PreparedBackup } from './backup-hook';

export interface RunOptions {
  /** Last version to apply or plan; for rollback, the version to roll back down to (kept). */
  toVersion?: string;
  /** The environment's name, typed by the user: required for protected environments. */
  confirm?: string;
  askPassword?: PasswordSource;
  /** Checked between statements and migrations; a cancelled transactional migration is rolled back. */
  isCancelled?: () => boolean;
  progress?: (message: string, percentage?: number) => void;
  /** Defaults to the config's verifyAfterApply (itself true by default). */
  verifyAfterApply?: boolean;
  /** Resuming a no-transaction migration whose last run stopped inside a statement that ran bare: whether it took effect. */
  startedStatement?: 'ran' | 'again';
  /** apply --ignore-soak: go past soak gates, recording an ignore-soak event with the reason (needs --confirm ENV). */
  ignoreSoak?: { reason: string };
  /** Writes the backup of an environment configured with `backup` before apply or rollback change it (backup/'s prepareBackup). */
  prepareBackup?: PrepareBackup;
}

/**
 * Migrations on disk; a duplicate version stops any change to a database, and a file that is not
 * UTF-8 stops everything: its SQL and its checksum would be garbled.
 */
export function migrationsOnDisk(project: Project, forChange: boolean): DiscoveryResult {
  let discovery: DiscoveryResult;
  try {
    discovery = discoverMigrations(project.migrationsDir, undefined, { layout: project.layout });
  } catch (error) {
    if (!(error instanceof FileEncodingError)) throw error;
    throw new RunnerInputError(error.relativeTo(project.root));
  }
  const stop = discoveryStop(discovery, relative(project.root, project.migrationsDir) || project.migrationsDir);
  if (stop) throw new RunnerInputError(stop);
  const duplicate = discovery.problems.find((p) => p.code === 'duplicate-version');
  if (forChange && duplicate) throw new RunnerInputError(`${duplicate.message}; renumber one before applying`);
  return discovery;
}

export function requireConfirmation(env: Environment, confirm: string | undefined, action: string): void {
  if (env.info.protected && confirm !== env.name) {
    throw new RunnerInputError(
      confirm === undefined
        ? `${env.name} is protected: to ${action} it, confirm with --confirm ${env.name}`
        : `${env.name} is protected and the confirmation "${confirm}" does not match its name; to ${action} it, confirm with --confirm ${env.name}`,
    );
  }
}

export interface Session {
  db: DatabaseAdapter;
  history: History;
  /** Set when the caller changes the schema and the environment is backed up before that. */
  backup?: PreparedBackup;
}

/** Opens the database; the first use of a sandbox creates it, which takes a moment: say so. */
function open(env: Environment, options: Pick<RunOptions, 'askPassword' | 'progress'>): Promise<DatabaseAdapter> {
  if (env.sandboxPath !== undefined && !existsSync(env.sandboxPath)) options.progress?.(`creating the embedded database of ${env.name} in ${env.sandboxPath} (first use only)`);
  return openDatabase(env, options.askPassword, options.progress);
}

/**
 * Opens the environment's database, takes the migration lock, makes sure the history tables exist.
 * `changesSchemaOf` (the project root) is for apply and rollback: an environment backed up before a
 * change gets its backup prepared first, so a missing or too old pg_dump stops before the history
 * tables are touched.
 */
export async function withLockedSession<T>(env: Environment, options: RunOptions, work: (session: Session) => Promise<T>, changesSchemaOf?: string): Promise<T> {
  const db = await open(env, options);
  try {
    const release = await acquireMigrationLock(db, env.historySchema, {
      waitMs: env.lockWaitTimeoutMs,
      environment: env.name,
      isCancelled: options.isCancelled,
      onWait: (holder) => options.progress?.(`waiting for the migration lock on ${env.name} (${holder})`),
    });
    try {
      const backup = changesSchemaOf === undefined ? undefined : await backupBeforeChange(env, db, changesSchemaOf, options.prepareBackup);
      const history = new History(db, env.historySchema);
      const created = await history.ensure();
      try {
        return await work({ db, history, backup });
      } catch (error) {
        // A first run that stopped before its first change (a failed backup: "nothing was changed";
        // a refusal) leaves no history tables behind either. undoCreation keeps any that hold a row.
        await history.undoCreation(created).catch(() => undefined);
        throw error;
      }
    } finally {
      await release();
    }
  } finally {
    await db.close();
  }
}

/** A front end that forgot the backup hook must not change a backed-up environment without one. */
function backupBeforeChange(env: Environment, db: DatabaseAdapter, root: string, prepare: PrepareBackup | undefined): Promise<PreparedBackup | undefined> {
  if (!env.backup) return Promise.resolve(undefined);
  if (!prepare) throw new Error(`${env.name} is backed up before every change, but this caller passed no prepareBackup in RunOptions`);
  return prepare(env, db, root);
}

/** Opens the database without the lock, for reading history. */
export async function withReadSession<T>(env: Environment, options: Pick<RunOptions, 'askPassword' | 'progress'>, work: (session: Session) => Promise<T>): Promise<T> {
  const db = await open(env, options);
  try {
    return await work({ db, history: new History(db, env.historySchema) });
  } finally {
    await db.close();
  }
}

export function displayFile(project: Project, path: string): string {
  return relative(project.root, path) || path;
}

/** `migrations/002_x.sql:4:19` (1-based, relative to the project) for messages. */
export function failureLocation(project: Project, f: StatementFailure): string {
  return `${displayFile(project, f.file)}:${f.line + 1}:${f.character + 1}`;
}

/**
 * A version given by the user (--to) must look like one: a number, or — in layouts whose
 * migrations are known by name (sqitch, Liquibase) — the version of one of the migrations.
 */
export function validateToVersion(toVersion: string | undefined, migrations: ReadonlyArray<Pick<Migration, 'version'>> = []): void {
  if (toVersion === undefined || isNumberedVersion(toVersion)) return;
  if (migrations.some((m) => m.version === toVersion)) return;
  const named = migrations.find((m) => !isNumberedVersion(m.version));
  if (named) throw new RunnerInputError(`--to must be the version of one of the migrations (such as ${named.version}), not "${toVersion}"`);
  throw new RunnerInputError(`--to must be a version such as 003 or 20251126_004, not "${toVersion}"`);
}

/** What a history row keeps of a migration's files: the same for apply, adopt and mark. */
export function historyFilesOf(migration: Migration) {
  return {
    version: migration.version,
    name: migration.name,
    checksum: migration.checksum,
    upSql: migration.up.text,
    downSql: migration.down?.text,
    verifySql: migration.verify?.text,
  };
}
