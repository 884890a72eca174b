/**
 * How Tidemark starts PGlite, for the sandbox and the shadow alike (one code path): the module
 * loaded lazily, the WebAssembly engine told to keep its baseline code, and a server configured for
 * a single short-lived session.
 *
 * Measured (bench:check; a bare PGlite opened from the shadow template, then 100 CREATE TABLEs, on
 * the shared 2-core machine):
 * - V8 compiles PGlite's 9 MB of WebAssembly twice: at once with its baseline compiler (Liftoff)
 *   and again, function by function as they get hot, with its optimising one (TurboFan). For the
 *   seconds a migration run lasts the second compile is pure cost: it competes for the cores and
 *   holds both copies of the code. With `--liftoff-only` the open took 1.9-2.6 s instead of
 *   3.2-3.7 s, the 100 tables 1.7-3.8 s instead of 5.6-8.2 s, and the process held ~110 MB less
 *   (229 MB instead of 332-348 MB).
 * - PostgreSQL's default shared_buffers (128 MB) is allocated and cleared inside the WebAssembly
 *   memory at start: 130 MB of RSS for a database that holds a schema. 16 MB holds the whole
 *   catalog of a large project; pages beyond it are read back from the data folder (the page
 *   cache for the sandbox, memory for the shadow).
 * The flag is process-wide (every WebAssembly module compiled afterwards gets baseline code only),
 * so it is set right before PGlite first loads, in the processes and threads that open one.
 */
import type { PGlite, PGliteOptions } from '@electric-sql/pglite';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';

type PGliteModule = typeof import('@electric-sql/pglite');

let loaded: PGliteModule | undefined;

/**
 * PGlite's module. Loaded here, not at the top of a module: commands that never open a database
 * (lint) do not pay for loading it. `require`, not `import`: bundled, PGlite's CommonJS build finds
 * its WASM and data files next to the bundle (esbuild.mjs copies them there); its ESM build looks
 * for them via import.meta.url, which a CommonJS bundle does not have.
 */
export function pgliteModule(): PGliteModule {
  if (!loaded) {
    // TIDEMARK_WASM_TIER_UP=1 keeps V8's default (for comparing the two in a benchmark).
    if (process.env.TIDEMARK_WASM_TIER_UP !== '1') setFlagsFromString('--liftoff-only');
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    loaded = require('@electric-sql/pglite') as PGliteModule;
  }
  return loaded;
}

/** The shared_buffers Tidemark gives PGlite (see the module comment). */
export const PGLITE_SHARED_BUFFERS = '16MB';

/** PGlite's own start parameters plus Tidemark's: the options of every PGlite Tidemark opens. */
export function pgliteStartParams(): string[] {
  return [...pgliteModule().PGlite.defaultStartParams, '-c', `shared_buffers=${PGLITE_SHARED_BUFFERS}`];
}

/** Opens PGlite (in memory when `dataDir` is undefined) with Tidemark's start parameters and waits until it is ready. */
export async function startPgliteEngine(dataDir: string | undefined, options: Omit<PGliteOptions, 'startParams'>): Promise<PGlite> {
  const { PGlite: PGliteClass } = pgliteModule();
  // One object, the one PGlite keeps (it copies the options when given a data folder apart).
  const settings: PGliteOptions = { ...options, ...(dataDir === undefined ? {} : { dataDir }), startParams: pgliteStartParams() };
  const db = new PGliteClass(settings);
  await db.waitReady;
  // PGlite's start-up closures keep its options for the instance's life: without this the
  // template's tar (25 MB for a shadow, 40 MB for a sandbox) stays in memory with it.
  if (settings.loadDataDir) {
    delete settings.loadDataDir;
    collectGarbage();
  }
  return db;
}

/**
 * A full garbage collection, right after PGlite loaded a template: loading it leaves the tar and its
 * untarred files (25-40 MB, outside the JavaScript heap) as garbage that V8 collected only much
 * later, after the shadow had grown: measured on `tidemark check` of 100 migrations, the process
 * peaked at ~257 MB a few migrations in and fell to ~217 MB at that collection. V8 offers the call
 * only behind --expose-gc, which a context made after setting the flag gets.
 */
function collectGarbage(): void {
  setFlagsFromString('--expose-gc');
  (runInNewContext('gc') as () => void)();
}
