/**
 * A freshly initialised PGlite data directory, made once at build time (esbuild.mjs writes
 * dist/pglite-template.tar.gz with the PGlite version it bundles). A new sandbox and every shadow
 * database start from it instead of running initdb: measured on this machine, initdb of an
 * in-memory PGlite takes 4.4 s idle and up to 8 s under load, loading the 4.5 MB template 1.1 s.
 * Without the file (a build that skipped it) PGlite runs initdb as before.
 */
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';

export const PGLITE_TEMPLATE_FILE = 'pglite-template.tar.gz';

let cached: Blob | null | undefined;

/** The template as PGlite's `loadDataDir` takes it, or undefined when the build has none. */
export function pgliteTemplate(): Blob | undefined {
  if (cached === undefined) {
    const file = templateCandidates().find((candidate) => existsSync(candidate));
    cached = file ? new Blob([readFileSync(file)], { type: 'application/x-gzip' }) : null;
  }
  return cached ?? undefined;
}

/** True when `dataDir` holds no database yet, so a template may be loaded into it. */
export function isNewDataDir(dataDir: string): boolean {
  return !existsSync(dataDir) || readdirSync(dataDir).length === 0;
}

function templateCandidates(): string[] {
  // Bundled, this module runs from dist/, beside the file; compiled by tsc for the tests it runs
  // from out/server/src/runner/, and the test command builds dist/ first.
  return [join(__dirname, PGLITE_TEMPLATE_FILE), join(__dirname, '..', '..', '..', '..', 'dist', PGLITE_TEMPLATE_FILE)];
}
