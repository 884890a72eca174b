/**
 * `tidemark lint` of many files spread over worker threads: the command's thread lints the last
 * files and each lint thread a range of those before them, each range in version order as the
 * command alone would lint it (file-lint.ts on every thread). The results come back in file order,
 * so the output is the same byte for byte whatever the number of threads.
 *
 * A lint thread (dist/cli-lint-worker.js, from lint-worker.ts) loads the lint bundle as the
 * command does (cli/compile-cache.ts) and its own WASM parser, reads the disk
 * itself within its own disk batch (migrations/steady-disk.ts) — the files, folders and earlier
 * migrations the command would read — and answers once, with every file's findings or the first
 * file that stopped it. Contiguous ranges, not chunks dealt in turn: the earlier migrations'
 * context (lint/earlier-migrations.ts) is built in version order, so a range starting at file k
 * pays for reading the k migrations before it once, and a thread dealt every other chunk would
 * read all of them.
 *
 * Off unless `TIDEMARK_LINT_THREADS` asks (as ESLint's --concurrency is): on the 2-core machines
 * measured, a second thread cost 35-50% more CPU time and ~55 MB more memory at its peak (over
 * the 120 MB a 1,600-migration run is held to), and won wall time only on an idle core.
 * `TIDEMARK_LINT_THREADS=N` sets the number of threads, `auto` one per core the load leaves idle.
 */
import { existsSync } from 'node:fs';
import { availableParallelism, loadavg } from 'node:os';
import { join } from 'node:path';
import { parentPort, Worker, workerData, type ResourceLimits } from 'node:worker_threads';
import { CliError } from './command';
import { displayPath } from './format/located';
import type { TidemarkConfig } from '../migrations/config';
import { steadyDisk } from '../migrations/steady-disk';
import { keepCachesOfRun, lintMigrationFile, type LintedFile } from './file-lint';
import { PARSING_THREAD_STACK_MB } from '../sql/parse';

/** At most this many threads lint, the command's own included: the rest of a machine's cores are other work's. */
const MAX_THREADS = 4;
/**
 * What starting a lint thread costs, in files linted (0.63 ms of CPU each on one thread, on the
 * generated folders of bench/lint.mjs): its isolate, the bundle (compiled again: the code cache is
 * made under V8's default flags, not the run's) and the WASM parser, 130 ms of the thread's CPU and
 * 180-350 ms before it lints its first file, and the folder's discovery, which the command's
 * thread did already.
 */
const START_COST_FILES = 320;
/** A file on a lint thread, in files linted on the command's warm thread: 0.76 ms against 0.63. */
const THREAD_FILE_COST = 1.2;
/**
 * What a file earlier than a range costs its thread, in files linted: the earlier migrations'
 * context reads (parses) each one's up section, several times for the rules whose catalogs it
 * keeps (measured: 1,423 files after 1,777 others, 1.52 s of CPU instead of 0.9 s).
 */
const EARLIER_FILE_COST = 0.55;
/** Threads are used only when they save at least this share of the time one thread would take. */
const MIN_SAVING = 0.2;
/**
 * The young generation of a lint thread: the size the command's own grows to (commands/lint.ts,
 * v8OfRun), which a thread keeps from its start.
 */
const YOUNG_GENERATION_MB = 8;

export interface FileToLint {
  path: string;
  config: TidemarkConfig;
}

/** What a lint thread is given (its workerData). */
interface ThreadTask {
  cwd: string;
  configs: TidemarkConfig[];
  files: Array<[path: string, config: number]>;
}

/** A file that stopped a thread: a CliError (exit code) or another error (its stack). */
interface Stopped {
  at: number;
  message: string;
  exitCode?: number;
  stack?: string;
}

/** A lint thread's one message: UTF-8 JSON of ThreadAnswer, moved to the command's thread. */
interface ThreadAnswer {
  results: LintedFile[];
  stopped?: Stopped;
}

export interface ThreadCount {
  threads: number;
  /** Set by TIDEMARK_LINT_THREADS=N: that many threads whenever there is a file for each. */
  forced: boolean;
}

/**
 * How many threads may lint: the command's thread alone unless TIDEMARK_LINT_THREADS says; N
 * threads for a number; for `auto`, the command's thread and one more for each core the load
 * average leaves idle, at most MAX_THREADS (make's --load-average does the same). A thread on a core already busy only takes
 * CPU time from the command's: measured on a 2-core machine at load 3.5, two threads took 3.2 s
 * of wall time and 3.2 s of CPU for what one did in 2.5 s and 2.4 s.
 */
export function threadsToUse(): ThreadCount {
  const given = process.env.TIDEMARK_LINT_THREADS;
  if (given === undefined || given === '') return { threads: 1, forced: false };
  if (given !== 'auto') {
    const threads = Number(given);
    if (!Number.isInteger(threads) || threads < 1) throw new CliError(`TIDEMARK_LINT_THREADS must be "auto" or a whole number from 1, not "${given}"`);
    return { threads, forced: true };
  }
  const cores = availableParallelism();
  const idle = Math.max(0, Math.floor(cores - loadavg()[0]));
  return { threads: Math.min(cores, MAX_THREADS, 1 + idle), forced: false };
}

/**
 * Where each thread's range of the `count` files starts: lint threads take [starts[i],
 * starts[i + 1]), the command's thread from the last start to the end; [0] for the command's
 * thread alone. Ranges are sized so that every thread ends about together (a lint thread pays its
 * start and a slower file, a later range the reading of the files before it: START_COST_FILES,
 * THREAD_FILE_COST, EARLIER_FILE_COST). Unless forced, as many threads as save MIN_SAVING of the
 * time, and none when `count` files do not pay for one; forced, `threads` ranges (at most one per
 * file) sized as if threads started for free and linted as fast.
 */
export function planRanges(count: number, { threads, forced }: ThreadCount): number[] {
  let best = [0];
  // Forced, the ranges are sized by the files alone: every thread gets a share worth checking.
  const startCost = forced ? 0 : START_COST_FILES;
  for (let t = forced ? Math.min(threads, count) : 2; t <= threads && t <= count; t++) {
    const sizes = (tau: number) => {
      const result: number[] = [];
      let start = 0;
      for (let i = 0; i < t; i++) {
        const thread = i < t - 1;
        const size = Math.max(forced ? 1 : 0, Math.floor((tau - (thread ? startCost : 0) - start * EARLIER_FILE_COST) / (thread && !forced ? THREAD_FILE_COST : 1)));
        result.push(size);
        start += size;
      }
      return { result, total: start };
    };
    // The time (in files) at which t threads end together: the least whose ranges cover every file.
    let low = 0;
    let high = count;
    while (high - low > 0.5) {
      const middle = (low + high) / 2;
      if (sizes(middle).total >= count) high = middle;
      else low = middle;
    }
    const { result } = sizes(high);
    if (!forced && (high > count * (1 - MIN_SAVING) || result.includes(0))) break;
    const starts: number[] = [];
    let start = 0;
    for (const size of result) {
      starts.push(start);
      start += size;
    }
    // The command's thread takes what rounding left, and never more than the files there are.
    if (starts[starts.length - 1] >= count) break;
    best = starts;
  }
  return best;
}

/** The lint threads of a run: started at once, answered together. */
export class LintThreads {
  private readonly answers: Array<Promise<ThreadAnswer>>;
  private readonly workers: Worker[] = [];

  /**
   * Starts a lint thread for each range [starts[i], starts[i + 1]) of `files` (the last start is
   * the command's own range, not started here).
   */
  constructor(
    files: readonly FileToLint[],
    private readonly starts: readonly number[],
    cwd: string,
    script: string,
  ) {
    this.answers = starts.slice(0, -1).map((start, i) => this.start(script, cwd, files.slice(start, starts[i + 1])));
  }

  /**
   * Every lint thread's results, in file order (the ranges before the command's own); a thread that
   * stopped at a file ends the list there, with that file's error after it.
   */
  async results(): Promise<{ results: LintedFile[]; stopped?: { at: number; error: Error } }> {
    const results: LintedFile[] = [];
    for (const [i, answer] of this.answers.entries()) {
      const { results: own, stopped } = await answer;
      results.push(...own);
      if (stopped) return { results, stopped: { at: this.starts[i] + stopped.at, error: asError(stopped) } };
    }
    return { results };
  }

  /** Ends the threads still running (the command stopped before it needed their answers). */
  dispose(): void {
    for (const worker of this.workers) void worker.terminate();
  }

  private start(script: string, cwd: string, files: readonly FileToLint[]): Promise<ThreadAnswer> {
    const configs: TidemarkConfig[] = [];
    const indexOf = new Map<TidemarkConfig, number>();
    const task: ThreadTask = {
      cwd,
      configs,
      files: files.map(({ path, config }) => {
        let index = indexOf.get(config);
        if (index === undefined) indexOf.set(config, (index = configs.push(config) - 1));
        return [path, index];
      }),
    };
    const first = files.length ? displayPath(files[0].path, cwd) : '';
    const failed = (what: string) => new CliError(`a lint thread (${files.length} files from ${first}) ${what}; TIDEMARK_LINT_THREADS=1 lints on one thread`, 3);
    const answer = new Promise<ThreadAnswer>((resolve, reject) => {
      let worker: Worker;
      try {
        worker = new Worker(script, { workerData: task, resourceLimits: threadHeapLimits() });
      } catch (error) {
        reject(failed(`could not start: ${error instanceof Error ? error.message : String(error)}`));
        return;
      }
      this.workers.push(worker);
      let answered = false;
      worker.on('message', (bytes: Uint8Array) => {
        try {
          resolve(JSON.parse(new TextDecoder().decode(bytes)) as ThreadAnswer);
          answered = true;
        } catch (error) {
          reject(failed(`answered what is not JSON: ${error instanceof Error ? error.message : String(error)}`));
        }
      });
      worker.on('error', (error: Error & { code?: string }) =>
        // One line, as every CLI error: the message, not the thread's stack.
        reject(failed(error.code === 'ERR_WORKER_OUT_OF_MEMORY' ? 'ran out of memory' : `failed: ${String(error.message).split('\n')[0]}`)),
      );
      worker.on('exit', (code) => {
        if (!answered) reject(failed(`ended (exit code ${code}) before it answered`));
      });
    });
    // Awaited in results(); a rejection meanwhile is not an unhandled one.
    answer.catch(() => undefined);
    return answer;
  }
}

/**
 * A lint thread's heap: YOUNG_GENERATION_MB, and the old generation V8 chooses unless
 * TIDEMARK_LINT_THREAD_MEMORY_MB caps it (for tests and constrained machines; a thread that
 * needs more ends the run with an error).
 */
function threadHeapLimits(): ResourceLimits {
  const limit = Number(process.env.TIDEMARK_LINT_THREAD_MEMORY_MB);
  return { maxYoungGenerationSizeMb: YOUNG_GENERATION_MB, stackSizeMb: PARSING_THREAD_STACK_MB, ...(limit > 0 ? { maxOldGenerationSizeMb: limit } : {}) };
}

/**
 * The lint threads' script: the bundle's (dist/cli-lint-worker.js) next to the lint bundle, else
 * lint-worker.js compiled beside this module; undefined in a copy of the CLI without it, which
 * then lints on the command's thread.
 */
export function lintThreadScript(): string | undefined {
  return [join(__dirname, 'cli-lint-worker.js'), join(__dirname, 'lint-worker.js')].find((path) => existsSync(path));
}

function asError(stopped: Stopped): Error {
  if (stopped.exitCode !== undefined) return new CliError(stopped.message, stopped.exitCode);
  const error = new Error(stopped.message);
  if (stopped.stack) error.stack = stopped.stack;
  return error;
}

/** A lint thread's work (lint-worker.ts calls it): its range of files, linted in order, answered once. */
export async function serveLintThread(): Promise<void> {
  const port = parentPort;
  if (!port) throw new Error('serveLintThread runs on a lint thread');
  const { cwd, configs, files } = workerData as ThreadTask;
  keepCachesOfRun();
  const answer: ThreadAnswer = { results: [] };
  await steadyDisk(async () => {
    for (const [at, [path, config]] of files.entries()) {
      try {
        answer.results.push(await lintMigrationFile(path, configs[config], cwd));
      } catch (error) {
        answer.stopped =
          error instanceof CliError
            ? { at, message: error.message, exitCode: error.exitCode }
            : { at, message: error instanceof Error ? error.message : String(error), stack: error instanceof Error ? error.stack : undefined };
        break;
      }
    }
  });
  const bytes = new TextEncoder().encode(JSON.stringify(answer));
  port.postMessage(bytes, [bytes.buffer as ArrayBuffer]);
}
