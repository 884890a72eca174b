/**
 * Extensions in the embedded databases (the sandbox and the replay check's shadow). PGlite ships
 * PostgreSQL's contrib extensions as bundles (a tarball of the control file, scripts and the WASM
 * library) that must be handed to PGlite when it is constructed: `CREATE EXTENSION` later only
 * finds what was loaded then. Loading all of them costs startup time and memory (pgcrypto alone is
 * 1.1 MB), so only the extensions a project's migrations name are loaded.
 *
 * An extension PGlite lacks can be stubbed: its control file and one install script are written
 * into PGlite's in-memory file system before it starts, so `CREATE EXTENSION` (with IF NOT EXISTS,
 * WITH SCHEMA, DROP EXTENSION, pg_extension) behaves as on a server while the functions only have
 * the real signatures. Presets (presets.ts) and `check.stubs` declare such stubs.
 */
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { Extension } from '@electric-sql/pglite';
import { ServerError } from './adapter';

/**
 * Each extension PGlite 0.5 ships, by the name CREATE EXTENSION takes, and the bundle holding it
 * (spi.tar.gz holds four). test/unit/database/pglite-extensions.test.ts compares this with the
 * control files inside the installed package's bundles, so an upgrade that adds one is noticed.
 */
export const PGLITE_EXTENSION_BUNDLES: Readonly<Record<string, string>> = {
  amcheck: 'amcheck',
  autoinc: 'spi',
  bloom: 'bloom',
  btree_gin: 'btree_gin',
  btree_gist: 'btree_gist',
  citext: 'citext',
  cube: 'cube',
  dict_int: 'dict_int',
  dict_xsyn: 'dict_xsyn',
  earthdistance: 'earthdistance',
  file_fdw: 'file_fdw',
  fuzzystrmatch: 'fuzzystrmatch',
  hstore: 'hstore',
  insert_username: 'spi',
  intarray: 'intarray',
  isn: 'isn',
  lo: 'lo',
  ltree: 'ltree',
  moddatetime: 'spi',
  pageinspect: 'pageinspect',
  pg_buffercache: 'pg_buffercache',
  pg_freespacemap: 'pg_freespacemap',
  pg_logicalinspect: 'pg_logicalinspect',
  pg_stat_statements: 'pg_stat_statements',
  pg_surgery: 'pg_surgery',
  pg_trgm: 'pg_trgm',
  pg_visibility: 'pg_visibility',
  pg_walinspect: 'pg_walinspect',
  pgcrypto: 'pgcrypto',
  refint: 'spi',
  seg: 'seg',
  tablefunc: 'tablefunc',
  tcn: 'tcn',
  tsm_system_rows: 'tsm_system_rows',
  tsm_system_time: 'tsm_system_time',
  unaccent: 'unaccent',
  'uuid-ossp': 'uuid-ossp',
};

/** Bundles whose library must be preloaded when PostgreSQL starts (as PGlite's own contrib modules declare). */
const PRELOAD: Readonly<Record<string, string[]>> = { pg_stat_statements: ['pg_stat_statements'] };

/** Built into every PGlite: nothing to load. */
const BUILT_IN = new Set(['plpgsql']);

/** An extension PGlite lacks, made creatable: its install script declares the real signatures. */
export interface ExtensionStub {
  name: string;
  /** The install script: what CREATE EXTENSION runs (@extschema@ is the schema it is created in). */
  sql: string;
  /** Where the stub comes from, for messages: "the supabase preset", "check.stubs (stubs/postgis.sql)". */
  origin: string;
}

/** The names PGlite can create once loaded, sorted: built-in and shipped. */
export function shippedExtensions(): string[] {
  return [...BUILT_IN, ...Object.keys(PGLITE_EXTENSION_BUNDLES)].sort();
}

const CREATE_EXTENSION = /\bcreate\s+extension\s+(?:if\s+not\s+exists\s+)?(?:"((?:[^"]|"")+)"|([a-z_][a-z0-9_$]*))/gi;

/**
 * The extension names `CREATE EXTENSION` statements in `sql` create (also inside DO blocks and
 * EXECUTE strings, which a parse tree would hide). A name in a comment is loaded too: harmless.
 */
export function extensionsNamedIn(sql: string): string[] {
  const names = new Set<string>();
  for (const m of sql.matchAll(CREATE_EXTENSION)) names.add(m[1] !== undefined ? m[1].replace(/""/g, '"') : m[2].toLowerCase());
  return [...names];
}

/** The extensions named by the SQL files under `dir` (any depth; hidden folders and node_modules skipped). */
export function extensionsInFolder(dir: string): string[] {
  const names = new Set<string>();
  const visit = (folder: string, depth: number) => {
    let entries: import('node:fs').Dirent[];
    try {
      entries = readdirSync(folder, { withFileTypes: true });
    } catch {
      return;
    }
    for (const entry of entries) {
      if (entry.name.startsWith('.') || entry.name === 'node_modules') continue;
      const path = join(folder, entry.name);
      if (entry.isDirectory()) {
        if (depth < 6) visit(path, depth + 1);
      } else if (entry.name.endsWith('.sql')) {
        // Only regular files (a link is followed): reading a FIFO named like a migration would block forever.
        let stat: import('node:fs').Stats;
        try {
          stat = statSync(path);
        } catch {
          continue; // a dangling link
        }
        if (stat.isFile() && stat.size < 20_000_000) for (const name of extensionsNamedIn(readFileSync(path, 'utf8'))) names.add(name);
      }
    }
  };
  visit(dir, 0);
  return [...names].sort();
}

/**
 * PGlite's `extensions` option for `names` (those it ships; others are ignored here and fail at
 * CREATE EXTENSION with missingExtensionMessage) and `stubs`.
 */
export function pgliteExtensionOptions(names: Iterable<string>, stubs: readonly ExtensionStub[] = []): Record<string, Extension> {
  const options: Record<string, Extension> = {};
  const stubbed = new Set(stubs.map((s) => s.name));
  for (const name of names) {
    const bundle = PGLITE_EXTENSION_BUNDLES[name];
    if (!bundle || stubbed.has(name)) continue;
    const key = `bundle_${bundle.replace(/\W/g, '_')}`;
    if (options[key]) continue;
    const path = bundlePath(bundle);
    options[key] = { name: bundle, setup: async () => ({ bundlePath: pathToFileURL(path), sharedPreloadLibraries: PRELOAD[bundle] }) };
  }
  if (stubs.length) options.tidemark_stubs = { name: 'tidemark-stubs', setup: async (_pg, emscriptenOpts) => ({ emscriptenOpts: withStubFiles(emscriptenOpts, stubs) }) };
  return options;
}

/** The names among `names` that PGlite can load (shipped) or that a stub makes creatable. */
export function loadableExtensions(names: Iterable<string>, stubs: readonly ExtensionStub[] = []): string[] {
  const stubbed = new Set(stubs.map((s) => s.name));
  return [...new Set(names)].filter((n) => PGLITE_EXTENSION_BUNDLES[n] !== undefined || stubbed.has(n)).sort();
}

/** Writes each stub's control file and install script where PostgreSQL looks for extensions, before it starts. */
/** The part of PGlite's Emscripten module the stubs are written through. */
type EmscriptenModule = { WASM_PREFIX: string; FS: { mkdirTree(p: string): void; writeFile(p: string, d: string): void } };

function withStubFiles(emscriptenOpts: { preRun?: Array<(mod: EmscriptenModule) => void> }, stubs: readonly ExtensionStub[]) {
  const write = (mod: EmscriptenModule) => {
    const dir = `${mod.WASM_PREFIX}/share/postgresql/extension`;
    mod.FS.mkdirTree(dir);
    for (const stub of stubs) {
      // Not relocatable: so @extschema@ in the script is the schema CREATE EXTENSION ... WITH SCHEMA names.
      const control = [`comment = 'stub by Tidemark (${stub.origin.replace(/'/g, '')}): signatures only'`, "default_version = 'stub'", 'relocatable = false', ''].join('\n');
      mod.FS.writeFile(`${dir}/${stub.name}.control`, control);
      mod.FS.writeFile(`${dir}/${stub.name}--stub.sql`, stub.sql);
    }
  };
  return { ...emscriptenOpts, preRun: [...(emscriptenOpts.preRun ?? []), write] };
}

/**
 * Where a bundle is: beside the bundled engine (esbuild.mjs copies them to dist/pglite-extensions/),
 * else in the installed package (the tests run the tsc output).
 */
function bundlePath(bundle: string): string {
  const file = `${bundle}.tar.gz`;
  const candidates = [join(__dirname, 'pglite-extensions', file)];
  try {
    candidates.push(join(dirname(require.resolve('@electric-sql/pglite')), file));
  } catch {
    // bundled without node_modules beside it: only the copy in dist/
  }
  const found = candidates.find((c) => existsSync(c));
  if (!found) throw new Error(`the PGlite extension bundle ${file} is missing (looked in ${candidates.join(', ')}); rebuild with node esbuild.mjs`);
  return found;
}

/**
 * What PGlite's "extension "x" is not available" becomes: which extensions it does have, why
 * a shipped one may not be loaded, and how the replay check can stub it.
 */
export function missingExtensionMessage(name: string, where: 'sandbox' | 'shadow'): string {
  const database = where === 'sandbox' ? 'the sandbox (PGlite, PostgreSQL in WASM)' : "the replay check's shadow database (PGlite)";
  if (PGLITE_EXTENSION_BUNDLES[name]) {
    return `extension "${name}" ships with PGlite but was not loaded when ${database} opened: Tidemark loads the extensions that CREATE EXTENSION statements in the migration files name; write it as CREATE EXTENSION ${name}`;
  }
  return (
    `extension "${name}" is not available in ${database}; it has: ${shippedExtensions().join(', ')}. ` +
    `The sandbox and the replay check can stub it: "check": {"stubs": {"${name}": "path/to/${name}-stub.sql"}} in tidemark.json (a script declaring the functions and types the migrations use)`
  );
}

/** PGlite's error for a CREATE EXTENSION it cannot satisfy, reworded by missingExtensionMessage; other errors unchanged. */
export function explainMissingExtension(error: unknown, where: 'sandbox' | 'shadow'): unknown {
  if (!(error instanceof ServerError) || error.code !== '0A000') return error;
  const m = /^extension "(.+)" is not available$/.exec(error.message);
  if (!m) return error;
  return new ServerError(missingExtensionMessage(m[1], where), error.code, error.position, error.detail, undefined);
}
