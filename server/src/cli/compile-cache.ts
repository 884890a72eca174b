/**
 * Loads a command bundle (dist/cli-lint.js) with V8's code cache: the bundle's compiled code is
 * kept in the user's cache folder after a run and handed back to V8 on the next, which then skips
 * parsing and compiling the 0.7 MB of JavaScript, and the functions the last run compiled lazily
 * come precompiled too. Node 22 does this itself (module.enableCompileCache); Node 20, which the
 * extension and the CLI support, does not. esbuild.mjs routes the bundle seams of main.ts here;
 * compiled with tsc (the tests) main.ts requires the modules as they are.
 *
 * The cache is an optimisation only: a missing, stale or unwritable one is never an error. V8
 * rejects data made from other source text, another V8 or other flags (then the run rewrites it).
 * One file per bundle path: a rebuilt bundle's cache replaces the old build's.
 */
import { createHash } from 'node:crypto';
import { mkdirSync, readdirSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import Module, { createRequire } from 'node:module';
import { homedir } from 'node:os';
import { basename, dirname, join } from 'node:path';
import { setFlagsFromString } from 'node:v8';
import { Script } from 'node:vm';
import { isMainThread } from 'node:worker_threads';

export interface BundleOptions {
  /**
   * V8 flags the bundle sets when it loads (the lint bundle's `--liftoff-only`, sql/wasm-tiering.ts).
   * Set before compiling, so the cache is made and checked under the same flags: V8 rejects data
   * made under others.
   */
  readonly v8Flags?: string;
}

/** Exports of the bundle `name` next to this one, compiled from the code cache when there is one. */
export function loadBundle(name: string, options: BundleOptions = {}): unknown {
  const file = join(__dirname, name);
  if (options.v8Flags) setFlagsFromString(options.v8Flags);
  const cacheFile = process.env.TIDEMARK_NO_COMPILE_CACHE ? undefined : cacheFileOf(file);
  // eslint-disable-next-line @typescript-eslint/no-require-imports -- a bundle file chosen at run time
  if (!cacheFile) return require(file);
  const source = readFileSync(file, 'utf8');
  const cachedData = readCache(cacheFile);
  const script = new Script(Module.wrap(source), { filename: file, cachedData });
  const module = new Module(file, require.main);
  module.filename = file;
  module.paths = (Module as unknown as { _nodeModulePaths(dir: string): string[] })._nodeModulePaths(dirname(file));
  // Registered as required, so a later require of the same file gets this instance.
  require.cache[file] = module;
  try {
    (script.runInThisContext({ displayErrors: true }) as (...args: unknown[]) => void).call(module.exports, module.exports, createRequire(file), module, file, dirname(file));
  } catch (error) {
    delete require.cache[file];
    throw error;
  }
  module.loaded = true;
  // Written when the process ends, so the functions the run compiled are in it too. Not by a lint
  // thread (cli/lint-threads.ts): it loads the bundle under the flags the run set (V8 rejects the
  // cache there), and its cache would be rejected by the next run's command.
  if ((!cachedData || script.cachedDataRejected) && isMainThread) process.once('exit', () => writeCache(cacheFile, script));
  return module.exports;
}

/**
 * The cache file of a bundle in the user's own cache folder (never a shared temporary one: code
 * read from there would run as this user), named by the bundle's path, size and time and by the
 * Node version; undefined without a home folder.
 */
function cacheFileOf(file: string): string | undefined {
  const base = process.env.XDG_CACHE_HOME || (process.platform === 'win32' ? process.env.LOCALAPPDATA : undefined) || (homedir() ? join(homedir(), '.cache') : undefined);
  if (!base) return undefined;
  try {
    const stat = statSync(file);
    const hash = (text: string) => createHash('sha256').update(text).digest('hex').slice(0, 16);
    return join(base, 'tidemark', 'compile-cache', `${hash(file)}-${hash(`${stat.size}\0${stat.mtimeMs}\0${process.version}\0${process.arch}`)}.v8`);
  } catch {
    return undefined;
  }
}

function readCache(cacheFile: string): Buffer | undefined {
  try {
    return readFileSync(cacheFile);
  } catch {
    return undefined;
  }
}

/**
 * Written to a temporary name and renamed, so a process starting meanwhile never reads half a
 * file; the caches of the same bundle's earlier builds (same path, other size or time) go.
 */
function writeCache(cacheFile: string, script: Script): void {
  try {
    const folder = dirname(cacheFile);
    mkdirSync(folder, { recursive: true });
    const temporary = `${cacheFile}.${process.pid}`;
    writeFileSync(temporary, script.createCachedData());
    renameSync(temporary, cacheFile);
    const samePath = basename(cacheFile).split('-')[0] + '-';
    for (const name of readdirSync(folder)) if (name.startsWith(samePath) && name.endsWith('.v8') && join(folder, name) !== cacheFile) rmSync(join(folder, name), { force: true });
  } catch {
    // A read-only home, a full disk: the next run compiles the bundle as this one did.
  }
}
