// Writes dist/pglite-template.tar.gz: a freshly initialised PGlite data directory that new
// sandboxes load instead of running initdb, and dist/pglite-shadow-template.tar.gz, the same
// without the template0 and template1 databases, for shadow databases
// (server/src/database/pglite-template.ts says why). initdb takes seconds, so both are kept in
// node_modules/.cache per PGlite version and copied from there on later builds.
import { copyFileSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { gunzipSync, gzipSync } from 'node:zlib';

const require = createRequire(import.meta.url);

export async function writePgliteTemplate(outDir) {
  const pgliteRoot = dirname(dirname(require.resolve('@electric-sql/pglite')));
  const { version } = require(join(pgliteRoot, 'package.json'));
  const cacheFile = join('node_modules', '.cache', 'tidemark', `pglite-template-${version}.tar.gz`);
  if (!existsSync(cacheFile)) {
    const { PGlite } = require('@electric-sql/pglite');
    const db = new PGlite();
    await db.waitReady;
    const blob = await db.dumpDataDir('gzip');
    await db.close();
    mkdirSync(dirname(cacheFile), { recursive: true });
    writeFileSync(cacheFile, Buffer.from(await blob.arrayBuffer()));
  }
  // Cached too: stripping and recompressing 40 MB costs ~300 ms, on every build otherwise.
  const shadowCacheFile = join('node_modules', '.cache', 'tidemark', `pglite-shadow-template-${version}.tar.gz`);
  if (!existsSync(shadowCacheFile)) writeFileSync(shadowCacheFile, gzipSync(withoutTemplateDatabases(gunzipSync(readFileSync(cacheFile)))));
  mkdirSync(outDir, { recursive: true });
  copyFileSync(cacheFile, join(outDir, 'pglite-template.tar.gz'));
  copyFileSync(shadowCacheFile, join(outDir, 'pglite-shadow-template.tar.gz'));
}

// initdb's template1 and template0 live in base/1 and base/4 (their OIDs are fixed by initdb).
const TEMPLATE_DATABASE_DIRS = /(^|\/)base\/(1|4)(\/|$)/;

/** The tar archive `tar` without the entries under base/1 and base/4. */
function withoutTemplateDatabases(tar) {
  const kept = [];
  let offset = 0;
  while (offset + 512 <= tar.length) {
    const header = tar.subarray(offset, offset + 512);
    if (header.every((byte) => byte === 0)) break;
    const field = (start, length) =>
      header
        .subarray(start, start + length)
        .toString('latin1')
        .replace(/\0.*$/s, '');
    const prefix = field(345, 155);
    const name = prefix ? `${prefix}/${field(0, 100)}` : field(0, 100);
    const size = parseInt(field(124, 12).trim() || '0', 8);
    const end = offset + 512 + Math.ceil(size / 512) * 512;
    if (!TEMPLATE_DATABASE_DIRS.test(name)) kept.push(tar.subarray(offset, end));
    offset = end;
  }
  const removed = tar.length - kept.reduce((sum, entry) => sum + entry.length, 0);
  if (removed < 1_000_000) throw new Error(`pglite template: expected base/1 and base/4 in the data directory archive, removed only ${removed} bytes`);
  return Buffer.concat([...kept, Buffer.alloc(1024)]);
}
