/**
 * libpg-query's WASM module, instantiated here rather than through the package's entry point,
 * which keeps one instance for the life of the process.
 *
 * Why: a statement deep enough to overflow the stack (20,000 `+` terms, a 600 KB expression) traps
 * inside the WASM code. The trap unwinds JavaScript but not the module: its stack pointer, its
 * PostgreSQL memory context and error-handling state stay where the trap left them, so every later
 * call fails ("memory access out of bounds") or corrupts memory, until the process restarts. The
 * only state that can be trusted after a trap is a fresh instance, so a trapped instance is thrown
 * away. Instantiating is asynchronous (about 30 ms from the compiled module, a few MB), and the
 * parse functions are synchronous, so spare instances are kept ready: a trap swaps one in at once
 * and a new one is prepared. More traps than spares before they are back leave no instance until then;
 * `parserAvailable()` is false and the caller reports that (see parse.ts, `parseAgainWhenRecovered`).
 */
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import type { ScanResult } from 'libpg-query';

/** The part of the Emscripten module object the parse functions use. */
interface EmscriptenModule {
  _malloc(size: number): number;
  _free(ptr: number): void;
  lengthBytesUTF8(text: string): number;
  stringToUTF8(text: string, ptr: number, max: number): void;
  UTF8ToString(ptr: number): string;
  /** The module's memory as bytes (replaced when the memory grows: read it for each call). */
  HEAPU8: Uint8Array;
  getValue(ptr: number, type: 'i32'): number;
  _wasm_parse_query_raw(ptr: number): number;
  _wasm_free_parse_result(ptr: number): void;
  _wasm_parse_plpgsql(ptr: number): number;
  _wasm_scan(ptr: number): number;
  _wasm_free_string(ptr: number): void;
}

/** The few WebAssembly types used here (the project compiles without the DOM library that declares them). */
interface WasmInstance {
  exports: object;
}
interface WasmApi {
  compile(bytes: Uint8Array): Promise<object>;
  Instance: new (module: object, imports: object) => WasmInstance;
}
const wasm = (globalThis as unknown as { WebAssembly: WasmApi }).WebAssembly;

type ModuleFactory = (options: { instantiateWasm(imports: object, receive: (instance: WasmInstance) => void): object }) => Promise<EmscriptenModule>;

/** PostgreSQL reported an error in the SQL (a syntax error): the instance is fine. */
export class PgParseError extends Error {
  constructor(
    message: string,
    /** 0-based position in characters, as PostgreSQL counts its error cursor. */
    readonly cursorPosition: number,
  ) {
    super(message);
  }
}

/** The WASM code trapped (stack overflow, out-of-bounds access): the instance was discarded. */
export class ParserTrap extends Error {
  constructor(readonly trap: unknown) {
    super(trap instanceof Error ? trap.message : String(trap));
  }
}

/** Where the .wasm file is: next to the bundle (dist/), or in the installed package. */
function wasmPath(): string {
  const besideBundle = join(__dirname, 'libpg-query.wasm');
  if (existsSync(besideBundle)) return besideBundle;
  // Not a literal: the bundle never gets here, and esbuild need not resolve it.
  const glue = 'libpg-query/wasm/libpg-query.js';
  return join(dirname(require.resolve(glue)), 'libpg-query.wasm');
}

let compiled: object | undefined;
let factory: ModuleFactory | undefined;

async function instantiate(): Promise<EmscriptenModule> {
  // eslint-disable-next-line @typescript-eslint/no-require-imports -- loaded on first parse: a fully cached lint never needs the WASM parser
  factory ??= require('libpg-query/wasm/libpg-query.js') as ModuleFactory;
  compiled ??= await wasm.compile(readFileSync(wasmPath()));
  const module = compiled;
  return factory({
    instantiateWasm(imports, receive) {
      const instance = new wasm.Instance(module, imports);
      receive(instance);
      return instance.exports;
    },
  });
}

/**
 * Instances kept ready. Two: a file whose one deep statement traps twice (once in the whole-file
 * parse, once alone) still gets every other statement parsed in the same synchronous run.
 */
let sparesKept = 2;

/**
 * Keeps fewer spare instances, for a process that can wait for a new one after a trap: `tidemark
 * lint` redoes a file whose parse found no instance (parseAgainWhenRecovered), and each spare kept
 * 3-5 MB of its memory resident for a trap that almost never comes.
 */
export function keepSpareParsers(count: number): void {
  sparesKept = Math.min(sparesKept, count);
  spares.splice(sparesKept);
}
let current: EmscriptenModule | undefined;
const spares: EmscriptenModule[] = [];
let pending: Promise<void> | undefined;
let traps = 0;

/** Makes sure an instance is in use and a spare is ready (or being made). */
export function prepareParser(): Promise<void> {
  if (current && spares.length >= sparesKept) return Promise.resolve();
  pending ??= (async () => {
    try {
      // A trap may take `current` while an instance is being made: fill whichever is missing.
      while (!current || spares.length < sparesKept) {
        const instance = await instantiate();
        if (!current) current = instance;
        else spares.push(instance);
      }
    } finally {
      pending = undefined;
    }
  })();
  return current ? Promise.resolve() : pending;
}

/** Whether an instance is in use (not before loading, nor after two traps in quick succession). */
export function parserAvailable(): boolean {
  return current !== undefined;
}

/** How many times an instance trapped and was replaced in this process. */
export function parserTraps(): number {
  return traps;
}

/**
 * Above this input size (bytes of SQL) an instance is retired after the call when a spare is ready:
 * WASM memory never shrinks, and the pages a 600 KB expression's tree touched would otherwise stay
 * resident for the life of the language server.
 */
const RETIRE_AFTER_INPUT_BYTES = 64 * 1024;

function replaceCurrent(): void {
  current = spares.shift();
  void prepareParser().catch(() => undefined);
}

/** Runs one call on the current instance; a trap discards it, swaps in the spare and rethrows as ParserTrap. */
function call<T>(inputLength: number, work: (module: EmscriptenModule) => T): T {
  const module = current;
  if (!module) throw new Error('the SQL parser is not loaded');
  try {
    return work(module);
  } catch (error) {
    if (error instanceof PgParseError) throw error;
    traps++;
    replaceCurrent();
    throw new ParserTrap(error);
  } finally {
    if (current === module && spares.length && inputLength > RETIRE_AFTER_INPUT_BYTES) replaceCurrent();
  }
}

function withText<T>(module: EmscriptenModule, text: string, work: (ptr: number) => T): T {
  const length = module.lengthBytesUTF8(text) + 1;
  const ptr = module._malloc(length);
  try {
    module.stringToUTF8(text, ptr, length);
    return work(ptr);
  } finally {
    module._free(ptr);
  }
}

/** The parse tree of `text` as libpg-query's JSON (`{ version, stmts }`). */
export function parseSql(text: string): { stmts?: Array<{ stmt?: unknown; stmt_location?: number; stmt_len?: number }> } {
  return call(text.length, (module) =>
    withText(module, text, (ptr) => {
      const result = module._wasm_parse_query_raw(ptr);
      if (!result) throw new Error('the SQL parser ran out of memory');
      try {
        const tree = module.getValue(result, 'i32');
        const error = module.getValue(result + 8, 'i32');
        if (error) {
          const messagePtr = module.getValue(error, 'i32');
          const cursor = module.getValue(error + 16, 'i32');
          throw new PgParseError(messagePtr ? module.UTF8ToString(messagePtr) : 'unknown parser error', cursor > 0 ? cursor - 1 : 0);
        }
        if (!tree) return {};
        return JSON.parse(treeText(module, tree));
      } finally {
        module._wasm_free_parse_result(result);
      }
    }),
  );
}

const utf8 = new TextDecoder();

/**
 * The NUL-terminated parse tree at `ptr`, as UTF8ToString reads it (it decodes more than 16 bytes
 * with a TextDecoder), but found with indexOf rather than a loop over the JSON's bytes in JavaScript.
 */
function treeText(module: EmscriptenModule, ptr: number): string {
  const heap = module.HEAPU8;
  const end = heap.indexOf(0, ptr);
  return end - ptr > 16 ? utf8.decode(heap.subarray(ptr, end)) : module.UTF8ToString(ptr);
}

/** A string result of the module: JSON when it starts with `{`, else an error message. */
function jsonOrError(module: EmscriptenModule, result: number): unknown {
  try {
    const text = module.UTF8ToString(result);
    if (!text.startsWith('{')) throw new PgParseError(text, 0);
    return JSON.parse(text);
  } finally {
    if (result) module._wasm_free_string(result);
  }
}

/** The PL/pgSQL tree of a CREATE FUNCTION or DO statement. */
export function parsePlpgsqlSql(text: string): { plpgsql_funcs?: unknown[] } {
  return call(text.length, (module) => withText(module, text, (ptr) => jsonOrError(module, module._wasm_parse_plpgsql(ptr)))) as { plpgsql_funcs?: unknown[] };
}

/** PostgreSQL's scanner over `text`. */
export function scanSql(text: string): ScanResult {
  return call(text.length, (module) => withText(module, text, (ptr) => jsonOrError(module, module._wasm_scan(ptr)))) as ScanResult;
}
