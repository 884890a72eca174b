// Writes dist/pglite-template.tar.gz: a freshly initialised PGlite data directory that new
// sandboxes and shadow databases load instead of running initdb (server/src/runner/pglite-template.ts
// says why). initdb takes seconds, so the result is kept in node_modules/.cache per PGlite version
// and copied from there on later builds.
import { copyFileSync, existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';

const require = createRequire(import.meta.url);

export async function writePgliteTemplate(outFile) {
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
  mkdirSync(dirname(outFile), { recursive: true });
  copyFileSync(cacheFile, outFile);
}
