/**
 * What the server has read from disk — folder listings and layouts, migration files' texts, the
 * earlier migrations' context — kept as one batch (migrations/steady-disk.ts) until the disk
 * changes, instead of each lint re-validating it with a stat of every file of the folder.
 *
 * The workspace lint always works within the batch (a new one per pass). Open documents' lints do
 * when the client reports changes of their files (it registered our file watchers, which cover the
 * workspace folders): then every change drops the batch and the earlier migrations' context at
 * once, so the next lint reads the disk again.
 * A client that reports nothing gets the engine's self-validating caches for open documents, and
 * the batch is let go once the workspace lint has nothing queued.
 */
import { forgetEarlierMigrations } from '../lint/earlier-migrations';
import { isInside } from '../migrations/config';
import { SteadyDisk, withSteadyDisk } from '../migrations/steady-disk';

export class DiskFacts {
  private batch = new SteadyDisk();
  /** The client reports file changes (workspace/didChangeWatchedFiles with our watchers). */
  watched = false;
  /** The workspace folders: the client's watchers report changes inside them only. */
  folders: readonly string[] = [];
  private readonly listeners: Array<() => void> = [];

  /** Calls `listener` whenever the disk changed (workers keeping their own batch drop it too). */
  whenChanged(listener: () => void): void {
    this.listeners.push(listener);
  }

  /** Runs background work within the batch. */
  background<T>(work: () => T): T {
    return withSteadyDisk(this.batch, work);
  }

  /**
   * Runs the lint of the open document at `path`: within the batch when changes in its folder are
   * reported (a file inside a workspace folder), else with the engine's self-validating caches.
   */
  editor<T>(path: string, work: () => T): T {
    return this.watched && this.folders.some((folder) => isInside(folder, path)) ? withSteadyDisk(this.batch, work) : work();
  }

  /** The disk changed (or may have: a config change, a new pass): read it again on next use. */
  changed(): void {
    this.batch = new SteadyDisk();
    forgetEarlierMigrations();
    for (const listener of this.listeners) listener();
  }

  /** The background work is done: without change reports the batch would only grow stale. */
  idle(): void {
    if (!this.watched) this.batch = new SteadyDisk();
  }
}
