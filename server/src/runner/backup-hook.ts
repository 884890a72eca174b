/**
 * The runner's side of the backup written before apply or rollback change an environment. The
 * backup itself is backup/'s (beside the runner, on database/): front ends pass its
 * `prepareBackup` in RunOptions, so the runner never imports a feature built on top of it.
 */
import { relative } from 'node:path';
import type { DatabaseAdapter } from '../database/adapter';
import type { Environment } from '../database/environments';
import type { History } from '../database/history';
import type { BackupRecord } from '../protocol';

export interface PreparedBackup {
  /** Writes the backup; `version` is the first migration about to change, for the event. */
  run(history: History, version: string, progress?: (message: string) => void, isCancelled?: () => boolean): Promise<BackupRecord>;
}

/**
 * Undefined when the environment is not backed up; throws when it cannot be (no pg_dump, one
 * older than the server), before the history tables are touched.
 */
export type PrepareBackup = (env: Environment, db: DatabaseAdapter, root: string) => Promise<PreparedBackup | undefined>;

export function formatBytes(bytes: number): string {
  if (bytes < 1024) return `${bytes} B`;
  if (bytes < 1024 * 1024) return `${(bytes / 1024).toFixed(1)} kB`;
  return `${(bytes / 1024 / 1024).toFixed(1)} MB`;
}

/** The run's summary with where the backup went, for the notification and the CLI's last line. */
export function withBackupNote(root: string, backup: BackupRecord | undefined, summary: string): string {
  if (!backup) return summary;
  return `${summary} Backed up first to ${relative(root, backup.file) || backup.file} (${formatBytes(backup.bytes)}, ${backup.tool}).`;
}
