/**
 * The replay check as the language server runs it: one worker thread (replay-worker.ts) holding a
 * warm shadow, one check per document at a time, a newer request for a document cancelling the one
 * running. The server asks, and publishes what comes back; everything else is here.
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { Worker } from 'node:worker_threads';
import type { SeveritySetting } from '../migrations/config';
import type { ExecutionPolicy } from '../migrations/execution';
import type { Finding } from '../findings/finding';
import type { ObservedLocks } from './check';
import type { ShadowSetup } from './shadow';

/** A replay finding sent across the thread boundary: its file by path, without fixes (replay findings have none). */
export type EditorReplayFinding = Omit<Finding, 'fixes'> & { path: string };

export interface EditorReplayResult {
  version: string;
  findings: EditorReplayFinding[];
  /** Paths of the migration's files (up, down, verify). */
  files: string[];
  /** Path of the up section's file, which the observed locks' offsets are in. */
  upPath: string;
  observedLocks: ObservedLocks[];
  completed: boolean;
  notes: string[];
  durationMs: number;
}

export type WorkerRequest =
  | {
      kind: 'check';
      id: number;
      /** The file the user saved or edited; its migration is the one checked. */
      path: string;
      migrationsDir: string;
      setup: ShadowSetup;
      /** Editor text of open files that differs from the disk (on-type checks), by path. */
      unsaved: Record<string, string>;
      severities: Record<string, SeveritySetting>;
      /** tidemark.json `lint.idempotency` / `lint.rollbacks`. */
      policy?: ExecutionPolicy;
      docsBase: string;
    }
  | { kind: 'cancel'; id: number };

export type WorkerReply =
  | { kind: 'result'; id: number; result: EditorReplayResult | undefined }
  | { kind: 'cancelled'; id: number }
  | { kind: 'failed'; id: number; message: string };

export type EditorCheckRequest = Omit<Extract<WorkerRequest, { kind: 'check' }>, 'kind' | 'id'>;

/** What a check came to: a result (undefined when the file is in no migration), or cancelled. */
export type EditorCheckOutcome = { kind: 'result'; result: EditorReplayResult | undefined } | { kind: 'cancelled' };

export class EditorReplay {
  private worker: Worker | undefined;
  private nextId = 1;
  private readonly pending = new Map<number, { resolve: (o: EditorCheckOutcome) => void; reject: (e: Error) => void }>();
  /** The running check of each document key (its path). */
  private readonly running = new Map<string, number>();

  constructor(
    /** Folder of the running script: the worker's file is next to it (dist/ or out/server/src/replay). */
    private readonly scriptDir: string,
    private readonly log: (message: string) => void,
  ) {}

  /** Runs the check of the migration holding `request.path`, cancelling the one running for it. */
  check(request: EditorCheckRequest): Promise<EditorCheckOutcome> {
    this.cancel(request.path);
    const id = this.nextId++;
    this.running.set(request.path, id);
    const worker = this.ensureWorker();
    return new Promise<EditorCheckOutcome>((resolve, reject) => {
      this.pending.set(id, { resolve, reject });
      worker.postMessage({ kind: 'check', id, ...request } satisfies WorkerRequest);
    }).finally(() => {
      if (this.running.get(request.path) === id) this.running.delete(request.path);
    });
  }

  /** True while a check of `path` runs. */
  isRunning(path: string): boolean {
    return this.running.has(path);
  }

  cancel(path: string): void {
    const id = this.running.get(path);
    if (id === undefined) return;
    this.running.delete(path);
    this.worker?.postMessage({ kind: 'cancel', id } satisfies WorkerRequest);
  }

  /** Thread id of the worker, for tests and the memory figure; undefined before the first check. */
  get workerThreadId(): number | undefined {
    return this.worker?.threadId;
  }

  async dispose(): Promise<void> {
    const worker = this.worker;
    this.worker = undefined;
    await worker?.terminate();
  }

  private ensureWorker(): Worker {
    if (this.worker) return this.worker;
    const bundled = join(this.scriptDir, 'replay-worker.js');
    const file = existsSync(bundled) ? bundled : join(this.scriptDir, '..', 'replay', 'replay-worker.js');
    const worker = new Worker(file);
    worker.unref();
    worker.on('message', (reply: WorkerReply) => {
      const waiter = this.pending.get(reply.id);
      if (!waiter) return;
      this.pending.delete(reply.id);
      if (reply.kind === 'result') waiter.resolve({ kind: 'result', result: reply.result });
      else if (reply.kind === 'cancelled') waiter.resolve({ kind: 'cancelled' });
      else waiter.reject(new Error(reply.message));
    });
    worker.on('error', (error) => this.failAll(`the replay worker failed: ${error.stack ?? error.message}`));
    worker.on('exit', (code) => {
      if (this.worker === worker) this.worker = undefined;
      this.failAll(`the replay worker exited (code ${code})`);
    });
    this.worker = worker;
    return worker;
  }

  private failAll(message: string): void {
    if (!this.pending.size) return;
    this.log(message);
    for (const waiter of this.pending.values()) waiter.reject(new Error(message));
    this.pending.clear();
    this.running.clear();
  }
}
