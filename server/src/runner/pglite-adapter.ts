/**
 * The adapter for the embedded sandbox: PGlite (PostgreSQL compiled to WASM, in process) persisted
 * in a folder. PGlite has a single session and its files must not be opened by two processes, so
 * a sandbox is held by one runner at a time: in-process callers queue, other processes wait on a
 * lock file that names its holder.
 */
import { closeSync, mkdirSync, openSync, readFileSync, rmSync, writeSync } from 'node:fs';
import { hostname } from 'node:os';
import { dirname } from 'node:path';
import type { PGlite } from '@electric-sql/pglite';
import { runTransaction, toServerError, type DatabaseAdapter, type QueryResult } from './adapter';
import { RunnerInputError } from './environments';

const queues = new Map<string, Promise<void>>();

export async function openPglite(dataDir: string, waitMs: number): Promise<DatabaseAdapter> {
  const releaseQueue = await queueTurn(dataDir, waitMs);
  let releaseFile: (() => void) | undefined;
  try {
    releaseFile = await lockFile(`${dataDir}.lock`, waitMs);
    mkdirSync(dirname(dataDir), { recursive: true });
    // require, not import: bundled, PGlite's CommonJS build finds its WASM and data files next to the
    // bundle (esbuild.mjs copies them there); its ESM build looks for them via import.meta.url, which a
    // CommonJS bundle does not have. Loaded here, not at the top, so commands that never open a
    // sandbox (lint) do not pay for loading it.
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const { PGlite: PGliteClass } = require('@electric-sql/pglite') as typeof import('@electric-sql/pglite');
    const db = new PGliteClass(dataDir);
    await db.waitReady;
    return new PgliteAdapter(db, () => {
      releaseFile?.();
      releaseQueue();
    });
  } catch (error) {
    releaseFile?.();
    releaseQueue();
    throw error;
  }
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
    try {
      const fd = openSync(path, 'wx');
      writeSync(fd, JSON.stringify({ pid: process.pid, host: hostname(), since: new Date().toISOString() }));
      closeSync(fd);
      return () => rmSync(path, { force: true });
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
    }
    const holder = readHolder(path);
    if (holder && holder.host === hostname() && !processAlive(holder.pid)) {
      rmSync(path, { force: true }); // left by a process that died
      continue;
    }
    if (Date.now() >= deadline) {
      const who = holder ? `process ${holder.pid} on ${holder.host} since ${holder.since}` : 'another process';
      throw new RunnerInputError(`the sandbox database is in use by ${who}; gave up after ${waitMs} ms (remove ${path} if that process is gone)`);
    }
    await new Promise((r) => setTimeout(r, 100));
  }
}

function readHolder(path: string): { pid: number; host: string; since: string } | undefined {
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
  ) {}

  async query(sql: string, params?: unknown[]): Promise<QueryResult> {
    try {
      const result = await this.db.query<Record<string, unknown>>(sql, params as unknown[] | undefined);
      return { rows: result.rows, fields: result.fields.map((f) => ({ name: f.name, dataTypeID: f.dataTypeID })) };
    } catch (error) {
      throw toServerError(error);
    }
  }

  async exec(script: string): Promise<void> {
    try {
      await this.db.exec(script);
    } catch (error) {
      throw toServerError(error);
    }
  }

  transaction<T>(work: () => Promise<T>, options: { rollback?: boolean } = {}): Promise<T> {
    return runTransaction(this, work, options.rollback);
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
