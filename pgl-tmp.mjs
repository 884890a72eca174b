import { PGlite } from '@electric-sql/pglite';
let t=performance.now(); const db = new PGlite(); await db.waitReady; console.log('memory initdb', (performance.now()-t).toFixed(0));
t=performance.now(); const dump = await db.dumpDataDir('none'); console.log('dump', (performance.now()-t).toFixed(0), dump.size);
t=performance.now(); const db2 = new PGlite({ loadDataDir: dump }); await db2.waitReady; console.log('load from dump', (performance.now()-t).toFixed(0));
