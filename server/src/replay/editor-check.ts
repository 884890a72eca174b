/**
 * The replay check as the language server runs it: one worker thread (replay-worker.ts) holding a
 * warm shadow, one check per document at a time, a newer request for a document cancelling the one
 * running. The server asks, and publishes what comes back; everything else is here.
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { Worker } from 'node:worker_threads';
import { formatDuration, type SeveritySetting } from '../migrations/config';
import type { ExecutionPolicy } from '../migrations/execution';
import type { LayoutId } from '../migrations/types';
import type { Finding } from '../findings/finding';
import type { ObservedLocks } from './check';
import type { ShadowSetup } from './shadow';
import { REPLAY_TIMEOUT } from '../findings/replay-rules';

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
      /** tidemark.json `layout`: the folder is read as this tool's, as the CLI reads it. */
      layout?: LayoutId;
      setup: ShadowSetup;
      /** Editor text of open files that differs from the disk (on-type checks), by path. */
      unsaved: Record<string, string>;
      severities: Record<string, SeveritySetting>;
      /** tidemark.json `lint.idempotency` / `lint.rollbacks`. */
      policy?: ExecutionPolicy;
      docsBase: string;
      /** Versions of earlier migrations the shadow leaves out (their replay timed out: they would again). */
      skipVersions?: string[];
      /**
       * The files do not change between this caller's requests (`tidemark check` of a whole
       * project): the worker reads the folder once, not once per migration.
       */
      filesFixed?: boolean;
      /** False: the caller shows no observed locks, so the check does not read them (ReplayOptions.observeLocks). */
      observeLocks?: boolean;
      /** The next request is of a later migration: keep this one's up in the shadow (ReplayOptions.keepUp). */
      keepUp?: boolean;
    }
  | { kind: 'cancel'; id: number };

/** The statement a check was running, by file path and offsets. */
export interface RunningStatement {
  path: string;
  start: number;
  end: number;
  /** Its first 200 characters. */
  text: string;
}

export type WorkerReply =
  | ({ kind: 'running'; id: number } & RunningStatement)
  /** The shadow is open: the check's time starts now. */
  | { kind: 'started'; id: number }
  | { kind: 'result'; id: number; result: EditorReplayResult | undefined }
  | { kind: 'cancelled'; id: number }
  | { kind: 'failed'; id: number; message: string };

/**
 * The replay worker's young generation (V8's default is 32-48 MB). Its objects are query results
 * and parse trees that die within a statement; with V8's default young generation the
 * garbage of a whole-chain check filled it before each scavenge. bench:check, `tidemark check` of
 * 100 migrations: peak RSS 309 MB with the default, 285-288 MB with 3-12 MB, no slower.
 */
const REPLAY_WORKER_YOUNG_GENERATION_MB = 8;

export type EditorReplayRequest = Omit<Extract<WorkerRequest, { kind: 'check' }>, 'kind' | 'id'>;

/**
 * What a check came to: a result (undefined when the file is in no migration), or cancelled. A
 * check stopped at its time limit is a result holding one replay-timeout finding.
 */
export type EditorReplayOutcome = { kind: 'result'; result: EditorReplayResult | undefined; timedOut?: boolean } | { kind: 'cancelled' };

/** `check.timeout` when tidemark.json sets none: per migration. */
export const DEFAULT_REPLAY_TIMEOUT_MS = 10_000;

/**
 * How much the process may grow while one migration replays before the replay is stopped like a
 * timeout: a huge generate_series or a runaway recursive CTE fills PGlite's memory long before any
 * time limit, and the worker shares the language server's process.
 */
const REPLAY_MEMORY_GROWTH_MB = 1024;

/**
 * The growth bound, in MB: 1 GB, or TIDEMARK_REPLAY_MEMORY_GROWTH_MB (for tests, which prove the
 * bound without filling a gigabyte, and for a machine that must stop sooner).
 */
export function replayMemoryGrowthMb(env: NodeJS.ProcessEnv = process.env): number {
  const set = Number(env.TIDEMARK_REPLAY_MEMORY_GROWTH_MB);
  return Number.isFinite(set) && set > 0 ? set : REPLAY_MEMORY_GROWTH_MB;
}

/** "1 GB", "150 MB". */
function megabytes(mb: number): string {
  return mb >= 1024 && mb % 1024 === 0 ? `${mb / 1024} GB` : `${mb} MB`;
}

/**
 * How long a cancelled check may take to notice: the worker reads the cancel message only between
 * statements, so one that runs longer (PGlite blocks the thread) is stopped by ending the worker.
 */
const CANCEL_GRACE_MS = 500;

export class EditorReplay {
  private worker: Worker | undefined;
  private nextId = 1;
  private readonly pending = new Map<
    number,
    {
      resolve: (o: EditorReplayOutcome) => void;
      reject: (e: Error) => void;
      message: WorkerRequest;
      running?: RunningStatement;
      timer?: NodeJS.Timeout;
      startTimer?: () => NodeJS.Timeout;
    }
  >();
  /** The running check of each document key (its path). */
  private readonly running = new Map<string, number>();

  constructor(
    /** Folder of the running script: the worker's file is next to it (dist/ or out/server/src/replay). */
    private readonly scriptDir: string,
    private readonly log: (message: string) => void,
  ) {}

  /**
   * Runs the check of the migration holding `request.path`, cancelling the one running for it.
   * After `timeoutMs` the worker is ended (a statement in PGlite cannot be interrupted otherwise)
   * and the next check gets a fresh one.
   */
  check(request: EditorReplayRequest, timeoutMs = DEFAULT_REPLAY_TIMEOUT_MS): Promise<EditorReplayOutcome> {
    this.cancel(request.path);
    const id = this.nextId++;
    this.running.set(request.path, id);
    const worker = this.ensureWorker();
    return new Promise<EditorReplayOutcome>((resolve, reject) => {
      const stop = (reason: 'time' | 'memory') => {
        const waiter = this.pending.get(id);
        if (!waiter) return;
        this.pending.delete(id);
        clearTimeout(waiter.timer);
        waiter.resolve({ kind: 'result', result: timeoutResult(request, timeoutMs, waiter.running, reason), timedOut: true });
        this.replaceWorker(this.worker ?? worker);
      };
      // Counted from the worker's `started` (opening PGlite is not the migration's time).
      const startTimer = () => {
        const baseline = process.memoryUsage.rss();
        const bound = replayMemoryGrowthMb() * 1024 * 1024;
        const watch = setInterval(() => {
          if (!this.pending.has(id)) clearInterval(watch);
          else if (process.memoryUsage.rss() - baseline > bound) {
            clearInterval(watch);
            stop('memory');
          }
        }, 250);
        watch.unref();
        return setTimeout(() => {
          clearInterval(watch);
          stop('time');
        }, timeoutMs);
      };
      const message: WorkerRequest = { kind: 'check', id, ...request };
      this.pending.set(id, { resolve, reject, message, startTimer });
      worker.postMessage(message);
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
    const worker = this.worker;
    worker?.postMessage({ kind: 'cancel', id } satisfies WorkerRequest);
    // A statement that does not return (an endless loop) never lets the worker read the message.
    setTimeout(() => {
      const waiter = this.pending.get(id);
      if (!waiter || this.worker !== worker) return;
      this.pending.delete(id);
      clearTimeout(waiter.timer);
      waiter.resolve({ kind: 'cancelled' });
      this.replaceWorker(worker!);
    }, CANCEL_GRACE_MS);
  }

  /**
   * Ends a worker stuck in a statement (the stuck check was settled by the caller); the checks
   * queued behind it go to a fresh worker, which opens a fresh shadow.
   */
  private replaceWorker(worker: Worker): void {
    if (this.worker !== worker) return;
    this.worker = undefined;
    void worker.terminate();
    if (!this.pending.size) return;
    const fresh = this.ensureWorker();
    for (const waiter of this.pending.values()) {
      clearTimeout(waiter.timer);
      waiter.timer = undefined;
      waiter.running = undefined;
      fresh.postMessage(waiter.message);
    }
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
    const worker = new Worker(file, { resourceLimits: { maxYoungGenerationSizeMb: REPLAY_WORKER_YOUNG_GENERATION_MB } });
    worker.unref();
    worker.on('message', (reply: WorkerReply) => {
      const waiter = this.pending.get(reply.id);
      if (!waiter) return;
      if (reply.kind === 'started') {
        waiter.timer ??= waiter.startTimer?.();
        return;
      }
      if (reply.kind === 'running') {
        waiter.running = { path: reply.path, start: reply.start, end: reply.end, text: reply.text };
        return;
      }
      this.pending.delete(reply.id);
      clearTimeout(waiter.timer);
      if (reply.kind === 'result') waiter.resolve({ kind: 'result', result: reply.result });
      else if (reply.kind === 'cancelled') waiter.resolve({ kind: 'cancelled' });
      else waiter.reject(new Error(reply.message));
    });
    worker.on('error', (error) => this.failAll(`the replay worker failed: ${error.stack ?? error.message}`));
    worker.on('exit', (code) => {
      if (this.worker !== worker) return; // ended on purpose (timeout, cancel): already settled
      this.worker = undefined;
      this.failAll(`the replay worker exited (code ${code})`);
    });
    this.worker = worker;
    return worker;
  }

  private failAll(message: string): void {
    if (!this.pending.size) return;
    this.log(message);
    for (const waiter of this.pending.values()) {
      clearTimeout(waiter.timer);
      waiter.reject(new Error(message));
    }
    this.pending.clear();
    this.running.clear();
  }
}

/** The result of a check stopped at its time limit: a replay-timeout finding on the statement it was running. */
export function timeoutResult(request: EditorReplayRequest, timeoutMs: number, running: RunningStatement | undefined, reason: 'time' | 'memory' = 'time'): EditorReplayResult {
  const setting = request.severities[REPLAY_TIMEOUT.id];
  const findings: EditorReplayFinding[] = [];
  if (setting !== 'off') {
    const firstLine = running?.text.split('\n')[0].trim().replace(/;$/, '');
    const message =
      reason === 'memory'
        ? `The replay of this migration was stopped: it used over ${megabytes(replayMemoryGrowthMb())} of memory${running ? ` while running: ${firstLine}` : ''}. A huge generate_series or a runaway recursive query needs as much on a server; batch it.`
        : running
          ? `This statement was still running on the shadow database after ${formatDuration(timeoutMs)} (check.timeout), so the replay of this migration was stopped: ${firstLine}. An endless loop, a long pg_sleep or a huge generate_series runs as long on a server, holding its locks; if it is meant to, raise check.timeout in tidemark.json or turn replay-timeout off.`
          : `The replay did not finish within ${formatDuration(timeoutMs)} (check.timeout) while building the migrations before this one on the shadow database: one of them runs too long.`;
    findings.push({
      rule: REPLAY_TIMEOUT.id,
      severity: setting ?? REPLAY_TIMEOUT.defaultSeverity,
      message,
      start: running?.start ?? 0,
      end: running?.end ?? 0,
      docs: `${request.docsBase}${REPLAY_TIMEOUT.id}.md`,
      path: running?.path ?? request.path,
    });
  }
  return { version: '', findings, files: [running?.path ?? request.path], upPath: request.path, observedLocks: [], completed: false, notes: [], durationMs: timeoutMs };
}
