/**
 * The worker threads that lint the workspace's migrations in the background (workspace-lint.ts
 * sends them chunks of files): a whole project is linted beside the server's thread, which keeps
 * answering the open files at once instead of between slices of the project.
 *
 * Workers are started for a pass and ended once it is done: each holds a parser, a bundle's code
 * and the heap a pass grew, which an idle server should not keep. Measured on 1,600 generated
 * migrations (2-core machine, load 4-5): 106 MB resident once done instead of 123-129 MB on the
 * server's thread, but 190 MB at the peak of the pass instead of 123, and 15-50% more CPU time
 * (a second isolate compiles the same code again). A worker that fails is reported to the caller,
 * which lints on its own thread from then on.
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { Worker } from 'node:worker_threads';
import { PARSING_THREAD_STACK_MB } from '../sql/parse';
import type { LinterReply, LinterRequest } from './workspace-lint-worker';
import type { Log } from './lint-scheduler';
import type { ProjectConfig } from './workspace-config';

/**
 * One worker: it runs beside the server's thread, which is idle while a project is linted. Two, each
 * linting every other chunk, each had to read the other's up sections for the earlier migrations'
 * context and warm up its own code: 1.5 times the CPU time for the pass, on a loaded 2-core machine
 * no sooner done.
 */
const WORKERS = 1; // 0 lints on the server's thread, in slices, as before the workers
/** Chunks sent ahead to each worker, so it never waits for the server to read its last answer. */
const CHUNKS_AHEAD = 2;
/**
 * A young generation as small as the server's own (SERVER_NODE_FLAGS): with 48 MB the pass spent
 * as long in the collector, and the server's resident memory stayed 20 MB higher after the worker ended.
 */
const YOUNG_GENERATION_MB = 12;
/** How long workers stay after the last chunk: a save re-lints the later migrations soon after another. */
const IDLE_MS = 500;

export interface ChunkFile {
  path: string;
  config: ProjectConfig;
}

interface Running {
  worker: Worker;
  /** Chunks sent and not answered, by id: their files, to lint again if the worker fails. */
  pending: Map<number, ChunkFile[]>;
}

export class BackgroundLinters {
  private readonly running: Running[] = [];
  private nextId = 1;
  private idleTimer?: NodeJS.Timeout;
  /** A worker failed or could not start (or none are to run): the caller lints on its own thread. */
  failed = false;
  private readonly script: string;

  constructor(
    bundleDir: string,
    private readonly onLinted: (reply: LinterReply) => void,
    /** A worker failed: these files were sent to it and not answered. */
    private readonly onFailed: (files: string[]) => void,
    private readonly log: Log,
    private readonly count = WORKERS,
  ) {
    this.script = join(bundleDir, 'workspace-lint-worker.js');
    if (count === 0) this.failed = true;
    else if (!existsSync(this.script)) {
      this.failed = true;
      log(`${this.script} is missing: the workspace is linted on the server's thread`);
    }
  }

  /** Whether a worker can take a chunk now. */
  canTake(): boolean {
    return !this.failed && (this.running.length < this.count || this.running.some((r) => r.pending.size < CHUNKS_AHEAD));
  }

  /** Starts a worker ahead of a pass, so it loads its code and parser while the server reads the folders. */
  warm(): void {
    clearTimeout(this.idleTimer);
    if (!this.failed && this.running.length < this.count) this.start();
  }

  /** Whether a worker is alive (starting one costs a bundle load and a parser: small jobs are not worth it). */
  get alive(): boolean {
    return this.running.length > 0;
  }

  /** Whether chunks are being linted. */
  get busy(): boolean {
    return this.running.some((r) => r.pending.size > 0);
  }

  /** Sends a chunk to the least busy worker (starting one while fewer than `count` run). */
  send(files: ChunkFile[], open: Array<[string, string]>, docsBase: string): void {
    clearTimeout(this.idleTimer);
    const idle = this.running.find((r) => r.pending.size === 0);
    const target = idle ?? (this.running.length < this.count ? this.start() : this.running.reduce((a, b) => (b.pending.size < a.pending.size ? b : a)));
    if (!target) return this.onFailed(files.map((f) => f.path));
    const configs: ProjectConfig[] = [];
    const indexOf = new Map<ProjectConfig, number>();
    const request: LinterRequest = {
      kind: 'lint',
      id: this.nextId++,
      docsBase,
      configs,
      files: files.map(({ path, config }) => {
        let index = indexOf.get(config);
        if (index === undefined) indexOf.set(config, (index = configs.push(config) - 1));
        return { path, config: index };
      }),
      open,
    };
    target.pending.set(request.id, files);
    target.worker.postMessage(request);
  }

  /** Files changed on disk: the workers read it again for the chunks sent from now on. */
  diskChanged(): void {
    for (const { worker } of this.running) worker.postMessage({ kind: 'disk-changed' } satisfies LinterRequest);
  }

  /** Nothing more to lint for now: the workers end after a pause unless more comes. */
  idle(): void {
    clearTimeout(this.idleTimer);
    if (this.busy || !this.running.length) return;
    this.idleTimer = setTimeout(() => {
      if (!this.busy) this.dispose();
    }, IDLE_MS);
    this.idleTimer.unref();
  }

  dispose(): void {
    clearTimeout(this.idleTimer);
    for (const { worker } of this.running.splice(0)) void worker.terminate();
  }

  private start(): Running | undefined {
    let worker: Worker;
    try {
      worker = new Worker(this.script, { resourceLimits: { maxYoungGenerationSizeMb: YOUNG_GENERATION_MB, stackSizeMb: PARSING_THREAD_STACK_MB } });
    } catch (error) {
      this.fail('starting a workspace lint worker failed', error);
      return undefined;
    }
    worker.unref();
    const running: Running = { worker, pending: new Map() };
    worker.on('message', (reply: LinterReply) => {
      if (!running.pending.delete(reply.id)) return;
      this.onLinted(reply);
    });
    worker.on('error', (error) => this.fail('a workspace lint worker failed', error));
    worker.on('exit', (code) => {
      if (this.running.includes(running)) this.fail(`a workspace lint worker exited (code ${code})`);
    });
    this.running.push(running);
    return running;
  }

  private fail(message: string, error?: unknown): void {
    this.log(`${message}; linting the workspace on the server's thread`, error);
    this.failed = true;
    const lost: string[] = [];
    for (const { worker, pending } of this.running.splice(0)) {
      for (const files of pending.values()) lost.push(...files.map((f) => f.path));
      void worker.terminate();
    }
    if (lost.length) this.onFailed(lost);
  }
}
