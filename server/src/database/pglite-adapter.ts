/**
 * The adapter for the embedded sandbox: PGlite (PostgreSQL compiled to WASM, in process) persisted
 * in a folder. PGlite has a single session and its files must not be opened by two processes, so
 * a sandbox is held by one runner at a time: in-process callers queue, other processes wait on a
 * lock file that names its holder.
 */
import { randomUUID } from 'node:crypto';
import { existsSync, linkSync, mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { hostname } from 'node:os';
import { dirname } from 'node:path';
import type { PGlite } from '@electric-sql/pglite';
import type { EmbeddedSetup } from './embedded-setup';
import { explainMissingExtension, loadableExtensions, pgliteExtensionOptions, type ExtensionStub } from './pglite-extensions';
import { runTransaction, toServerError, type DatabaseAdapter, type QueryResult } from './adapter';
import { RunnerInputError } from './environments';
import { isNewDataDir, pgliteTemplate } from './pglite-template';
import { startPgliteEngine } from './pglite-engine';
import { bringPresetIntoSandbox } from './pglite-preset';

const queues = new Map<string, Promise<void>>();

/**
 * Holds the sandbox's lock (this process's queue and the lock file) without opening it, for work on
 * its folder as a whole: restoring a backup swaps the folder.
 */
export async function withSandboxLock<T>(dataDir: string, waitMs: number, work: () => Promise<T>): Promise<T> {
  const releaseQueue = await queueTurn(dataDir, waitMs);
  try {
    const releaseFile = await lockFile(`${dataDir}.lock`, waitMs);
    try {
      return await work();
    } finally {
      releaseFile();
    }
  } finally {
    releaseQueue();
  }
}

/** Opens (creating it on first use) the sandbox in `dataDir`; `progress` hears what was done to it besides opening. */
export async function openPglite(
  dataDir: string,
  waitMs: number,
  setup: EmbeddedSetup = { extensions: [], stubs: [] },
  progress?: (message: string) => void,
): Promise<DatabaseAdapter> {
  const releaseQueue = await queueTurn(dataDir, waitMs);
  let releaseFile: (() => void) | undefined;
  try {
    releaseFile = await lockFile(`${dataDir}.lock`, waitMs);
    mkdirSync(dirname(dataDir), { recursive: true });
    const isNew = isNewDataDir(dataDir);
    let extensions = loadableExtensions(setup.extensions, setup.stubs);
    let db = await startPglite(dataDir, isNew, extensions, setup.stubs);
    if (isNew && setup.setupSql) {
      try {
        await bringPresetIntoSandbox(new PgliteAdapter(db, () => undefined), setup, true, dataDir);
      } catch (error) {
        await db.close();
        rmSync(dataDir, { recursive: true, force: true });
        throw new Error(`creating the sandbox with ${setup.setupOrigin ?? 'its preset'} failed: ${(error as Error).message}`, { cause: error });
      }
    } else if (setup.setupSql) {
      try {
        const added = await bringPresetIntoSandbox(new PgliteAdapter(db, () => undefined), setup, false, dataDir);
        if (added) progress?.(added);
      } catch (error) {
        await db.close();
        throw error;
      }
    }
    // An extension created earlier whose CREATE EXTENSION is no longer in the files (the migration
    // was deleted, or the sandbox was restored from a backup) is still installed: load it too.
    const installed = (await db.query<{ extname: string }>('SELECT extname FROM pg_extension')).rows.map((r) => r.extname);
    const missing = loadableExtensions(installed, setup.stubs).filter((name) => !extensions.includes(name));
    if (missing.length) {
      await db.close();
      extensions = [...extensions, ...missing];
      db = await startPglite(dataDir, false, extensions, setup.stubs);
    }
    return new PgliteAdapter(
      db,
      () => {
        releaseFile?.();
        releaseQueue();
      },
      'sandbox',
    );
  } catch (error) {
    releaseFile?.();
    releaseQueue();
    throw error;
  }
}

async function startPglite(dataDir: string, isNew: boolean, extensions: readonly string[], stubs: readonly ExtensionStub[]): Promise<PGlite> {
  const template = isNew ? pgliteTemplate('sandbox') : undefined;
  return startPgliteEngine(dataDir, { ...(template ? { loadDataDir: template } : {}), extensions: pgliteExtensionOptions(extensions, stubs) });
}

async function queueTurn(key: string, waitMs: number): Promise<() => void> {
  const previous = queues.get(key) ?? Promise.resolve();
  let release!: () => void;
  const mine = new Promise<void>((done) => (release = done));
  const tail = previous.then(() => mine);
  queues.set(key, tail);
  const done = () => {
    release();
    if (queues.get(key) === tail) queues.delete(key);
  };
  let timer: NodeJS.Timeout | undefined;
  const timedOut = new Promise<'timeout'>((resolve) => (timer = setTimeout(() => resolve('timeout'), waitMs)));
  const outcome = await Promise.race([previous.then(() => 'turn' as const), timedOut]);
  clearTimeout(timer);
  if (outcome === 'timeout') {
    // Give up our place without blocking those queued after us.
    previous.then(done, done);
    throw new RunnerInputError(`the sandbox database ${key} is busy with another operation of this process; gave up after ${waitMs} ms`);
  }
  return done;
}

async function lockFile(path: string, waitMs: number): Promise<() => void> {
  mkdirSync(dirname(path), { recursive: true });
  const deadline = Date.now() + waitMs;
  for (;;) {
    if (createExclusively(path)) return () => rmSync(path, { force: true });
    const holder = readHolder(path);
    // Released between the create and the read (its holder ended, or a take-over moved it aside):
    // the lock is free, so try again at once rather than report it busy at the deadline.
    if (!holder && !existsSync(path)) continue;
    if (holder && isStale(holder)) {
      await staleLockPause();
      if (takeOverStale(path, holder)) return () => rmSync(path, { force: true });
      continue;
    }
    if (Date.now() >= deadline) {
      const who = holder ? `process ${holder.pid} on ${holder.host} since ${holder.since}` : 'another process';
      throw new RunnerInputError(`the sandbox database is in use by ${who}; gave up after ${waitMs} ms (remove ${path} if that process is gone)`);
    }
    await new Promise((r) => setTimeout(r, 100));
  }
}

/**
 * A fault-injection seam for the take-over race: several waiters judging one lock stale and then
 * acting on it is a window of microseconds, too narrow for a test to hit reliably. The test widens
 * it with TIDEMARK_FAULT_STALE_LOCK_PAUSE_MS; it is never set otherwise.
 */
async function staleLockPause(): Promise<void> {
  const ms = Number(process.env.TIDEMARK_FAULT_STALE_LOCK_PAUSE_MS ?? 0);
  if (ms > 0) await new Promise((r) => setTimeout(r, ms));
}

type Holder = { pid: number; host: string; since: string };

/** Left by a process of this machine that died (another machine's processes cannot be checked). */
const isStale = (holder: Holder) => holder.host === hostname() && !processAlive(holder.pid);
const sameHolder = (a: Holder | undefined, b: Holder) => !!a && a.pid === b.pid && a.host === b.host && a.since === b.since;

/**
 * Creates `path` holding this process as the holder, only if it does not exist: the text is
 * written to a private file first and hard-linked into place, so the lock never exists empty.
 */
function createExclusively(path: string): boolean {
  const draft = `${path}.${process.pid}-${randomUUID()}`;
  writeFileSync(draft, JSON.stringify({ pid: process.pid, host: hostname(), since: new Date().toISOString() }), { flag: 'wx' });
  try {
    linkSync(draft, path);
    return true;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
    return false;
  } finally {
    rmSync(draft, { force: true });
  }
}

/**
 * Replaces a lock left by a dead process. Removing it and creating a new one are two steps, and
 * several waiters see the same stale lock at once: without care, one removes the lock another has
 * just taken. So take-overs take turns under a second lock file, the stale file is moved aside
 * (and put back if it turns out not to be the one judged stale), and only the waiter whose
 * exclusive create succeeds proceeds.
 */
function takeOverStale(path: string, stale: Holder): boolean {
  const turn = `${path}.takeover`;
  if (!createExclusively(turn)) {
    const other = readHolder(turn);
    if (other && isStale(other)) moveAsideIf(turn, other); // a waiter killed during its take-over
    return false;
  }
  try {
    return moveAsideIf(path, stale) && createExclusively(path);
  } finally {
    rmSync(turn, { force: true });
  }
}

/** Moves `path` out of the way (atomically: rename) if it still names `expected`; true when it did. */
function moveAsideIf(path: string, expected: Holder): boolean {
  if (!sameHolder(readHolder(path), expected)) return false;
  const aside = `${path}.stale-${process.pid}-${randomUUID()}`;
  try {
    renameSync(path, aside);
  } catch {
    return false; // someone else moved it first
  }
  if (!sameHolder(readHolder(aside), expected)) {
    // It was replaced between reading and renaming: put the live lock back (link fails if a new one exists).
    try {
      linkSync(aside, path);
    } catch {
      // a new lock is already in place
    }
    rmSync(aside, { force: true });
    return false;
  }
  rmSync(aside, { force: true });
  return true;
}

function readHolder(path: string): Holder | undefined {
  try {
    return JSON.parse(readFileSync(path, 'utf8'));
  } catch {
    return undefined;
  }
}

function processAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** Also wraps the replay check's in-memory shadow database, which has no files to lock (release does nothing). */
export class PgliteAdapter implements DatabaseAdapter {
  readonly kind = 'pglite' as const;
  private closed = false;

  constructor(
    private readonly db: PGlite,
    private readonly release: () => void,
    /** Which embedded database this is, for the message about an extension PGlite lacks. */
    private readonly role: 'sandbox' | 'shadow' = 'sandbox',
  ) {}

  private readonly noticeListeners = new Set<(message: string) => void>();

  onNotice(listener: (message: string) => void): () => void {
    this.noticeListeners.add(listener);
    return () => void this.noticeListeners.delete(listener);
  }

  /** PGlite takes a notice callback per call; without listeners none is passed (it would log them). */
  private get queryOptions(): { onNotice?: (notice: { message?: string }) => void } {
    if (!this.noticeListeners.size) return {};
    return { onNotice: (notice) => this.noticeListeners.forEach((l) => l(notice.message ?? '')) };
  }

  async query(sql: string, params?: unknown[]): Promise<QueryResult> {
    try {
      const result = await this.db.query<Record<string, unknown>>(sql, params as unknown[] | undefined, this.queryOptions);
      return { rows: result.rows, fields: result.fields.map((f) => ({ name: f.name, dataTypeID: f.dataTypeID })) };
    } catch (error) {
      throw explainMissingExtension(toServerError(error), this.role);
    }
  }

  async exec(script: string): Promise<void> {
    try {
      await this.db.exec(script, this.queryOptions);
    } catch (error) {
      throw explainMissingExtension(toServerError(error), this.role);
    }
  }

  transaction<T>(work: () => Promise<T>, options: { rollback?: boolean } = {}): Promise<T> {
    return runTransaction(this, work, options.rollback);
  }

  dumpDataDir(): Promise<Blob> {
    return this.db.dumpDataDir('gzip') as Promise<Blob>;
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    try {
      await this.db.close();
    } finally {
      this.release();
    }
  }
}
