/**
 * Freshly initialised PGlite data directories, made once at build time (scripts/pglite-template.mjs
 * writes them into dist/ with the PGlite version it bundles). A new sandbox and every shadow
 * database start from one instead of running initdb: measured on this machine, initdb of an
 * in-memory PGlite takes 4.4 s idle and up to 8 s under load. Without the files (a build that
 * skipped them) PGlite runs initdb as before.
 *
 * The shadow's template lacks the template0 and template1 databases (base/4, base/1: 14 of the
 * 40 MB). A shadow never creates a database (CREATE DATABASE cannot run in its transaction and is
 * not replayed) and PGlite never connects to them, and a cold `tidemark check` opens a shadow
 * first: 470 ms instead of 650 ms to a ready shadow. The sandbox is the user's database and keeps
 * them.
 *
 * A template is handed to PGlite already decompressed: PGlite gunzips a gzip Blob through a
 * DecompressionStream, which in a fresh process took ~400 ms of mostly idle chunk callbacks for
 * 40 MB, while zlib's gunzipSync takes ~90 ms (new PGlite + waitReady, cold process: 730 ms from
 * the gzip Blob, 600 ms from the tar). The tar is made per open, not kept: a language server
 * holding a shadow should not also hold its template.
 */
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';

export const PGLITE_TEMPLATE_FILES = { sandbox: 'pglite-template.tar.gz', shadow: 'pglite-shadow-template.tar.gz' } as const;

const compressed = new Map<keyof typeof PGLITE_TEMPLATE_FILES, Buffer | null>();

/** The template as PGlite's `loadDataDir` takes it, or undefined when the build has none. */
export function pgliteTemplate(use: keyof typeof PGLITE_TEMPLATE_FILES): Blob | undefined {
  if (!compressed.has(use)) {
    const file = templateCandidates(PGLITE_TEMPLATE_FILES[use]).find((candidate) => existsSync(candidate));
    compressed.set(use, file ? readFileSync(file) : null);
  }
  const bytes = compressed.get(use);
  return bytes ? tarOnce(gunzipSync(bytes)) : undefined;
}

/**
 * The tar as PGlite reads it (it only calls `arrayBuffer()` and reads `type`), without copying it
 * into a Blob: a Blob holds a second copy and `arrayBuffer()` makes a third, and measured on a
 * whole-chain check V8 collected those 75 MB of garbage only after the last migration, so they
 * were part of its peak memory. The buffer is handed over once.
 */
function tarOnce(tar: Buffer): Blob {
  let buffer: Buffer | undefined = tar;
  const once = {
    type: 'application/x-tar',
    arrayBuffer: async (): Promise<ArrayBuffer> => {
      if (!buffer) throw new Error('the PGlite template was read already');
      const whole = buffer.byteOffset === 0 && buffer.byteLength === buffer.buffer.byteLength;
      const result = whole ? (buffer.buffer as ArrayBuffer) : buffer.buffer.slice(buffer.byteOffset, buffer.byteOffset + buffer.byteLength);
      buffer = undefined;
      return result as ArrayBuffer;
    },
  };
  return once as unknown as Blob;
}

/** True when `dataDir` holds no database yet, so a template may be loaded into it. */
export function isNewDataDir(dataDir: string): boolean {
  return !existsSync(dataDir) || readdirSync(dataDir).length === 0;
}

function templateCandidates(name: string): string[] {
  // Bundled, this module runs from dist/, beside the file; compiled by tsc for the tests it runs
  // from out/server/src/runner/, and the test command builds dist/ first.
  return [join(__dirname, name), join(__dirname, '..', '..', '..', '..', 'dist', name)];
}
