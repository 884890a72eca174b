/**
 * A batch lint — `tidemark lint` over a repository, the language server's workspace lint — takes
 * the disk as steady for its duration: what a folder cache found for the batch's first file (a
 * folder's listing and layout, its files grouped by version, the earlier migrations) is reused for
 * every other file of the batch instead of being re-validated with stat calls per file, which made
 * linting N files of a folder cost N folder scans. Outside a batch every cache re-validates itself
 * on each use, as an editor that lints one file after an edit needs.
 *
 * A batch is scoped to the work it runs, never to the process: the language server lints open
 * documents (self-validating) between slices of its workspace batch, and a file changing on disk
 * there must reach the next editor lint.
 */
import { AsyncLocalStorage } from 'node:async_hooks';

/** The file-system facts one batch has read. Keep one to reuse them across separate pieces of work. */
export class SteadyDisk {
  readonly values = new Map<string, unknown>();
}

/** The batch a synchronous withSteadyDisk is running, if any. */
let running: SteadyDisk | undefined;
/** The batch of an asynchronous steadyDisk, followed across its awaits (and only there). */
const asyncBatch = new AsyncLocalStorage<SteadyDisk>();

function currentBatch(): SteadyDisk | undefined {
  return running ?? asyncBatch.getStore();
}

/** Runs `work` as one batch: its file-system facts are read once. Nested batches join the outer one. */
export async function steadyDisk<T>(work: () => Promise<T>): Promise<T> {
  if (currentBatch()) return work();
  return asyncBatch.run(new SteadyDisk(), work);
}

/**
 * Runs synchronous `work` within `batch`: the facts it reads are kept in `batch` for the next
 * call, until its owner drops it (the language server does when a file changes on disk).
 */
export function withSteadyDisk<T>(batch: SteadyDisk, work: () => T): T {
  const outer = running;
  running = batch;
  try {
    return work();
  } finally {
    running = outer;
  }
}

/** `compute()`, once per batch for each key; every time outside a batch. */
export function steadyValue<T>(key: string, compute: () => T): T {
  const batch = currentBatch();
  if (!batch) return compute();
  if (batch.values.has(key)) return batch.values.get(key) as T;
  const value = compute();
  batch.values.set(key, value);
  return value;
}

/** What the running batch keeps under `key`; undefined outside a batch or when it has not been read. */
export function steadyFact(key: string): unknown {
  return currentBatch()?.values.get(key);
}

/**
 * The facts of the running batch (undefined outside one), for code that asks several for each of
 * thousands of files: finding the batch costs more than a lookup in it.
 */
export function steadyFacts(): Map<string, unknown> | undefined {
  return currentBatch()?.values;
}

/** Whether a batch is running: a cache that would only be re-validated later may skip recording how. */
export function inSteadyBatch(): boolean {
  return currentBatch() !== undefined;
}
