/**
 * A batch lint — `tidemark lint` over a repository, the language server's workspace lint — takes
 * the disk as steady for its duration: what a folder cache found for the batch's first file (a
 * folder's listing and layout, its files grouped by version, the earlier migrations) is reused for
 * every other file of the batch instead of being re-validated with stat calls per file, which made
 * linting N files of a folder cost N folder scans. Outside a batch every cache re-validates itself
 * on each use, as an editor that lints one file after an edit needs.
 */
let depth = 0;
const values = new Map<string, unknown>();

/** Runs `work` as one batch: its file-system facts are read once. Nested batches join the outer one. */
export async function steadyDisk<T>(work: () => Promise<T>): Promise<T> {
  depth++;
  try {
    return await work();
  } finally {
    if (--depth === 0) values.clear();
  }
}

/** `compute()`, once per batch for each key; every time outside a batch. */
export function steadyValue<T>(key: string, compute: () => T): T {
  if (depth === 0) return compute();
  if (values.has(key)) return values.get(key) as T;
  const value = compute();
  values.set(key, value);
  return value;
}

/** Whether a batch is running: a cache that would only be re-validated later may skip recording how. */
export function inSteadyBatch(): boolean {
  return depth > 0;
}
