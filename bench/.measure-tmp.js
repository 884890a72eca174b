const { PGlite } = require('@electric-sql/pglite');
(async () => {
  let t = Date.now();
  const db = new PGlite(); await db.waitReady;
  console.log('fresh in-memory PGlite', Date.now() - t, 'ms');
  let ddl = '';
  for (let i = 0; i < 100; i++) ddl += `CREATE TABLE t${i} (id bigserial primary key, name text not null default 'x', created timestamptz default now()); CREATE INDEX t${i}_name ON t${i}(name);`;
  t = Date.now(); await db.exec(ddl); console.log('100 tables built', Date.now() - t, 'ms');
  t = Date.now(); const dump = await db.dumpDataDir('none'); console.log('dumpDataDir', Date.now() - t, 'ms', dump.size, 'bytes');
  t = Date.now(); const db2 = new PGlite({ loadDataDir: dump }); await db2.waitReady; console.log('loadDataDir into new instance', Date.now() - t, 'ms');
  t = Date.now(); const db3 = await db.clone(); console.log('clone', Date.now() - t, 'ms');
  t = Date.now(); await db.exec('BEGIN'); await db.exec('CREATE TABLE zz(a int); CREATE INDEX ON zz(a); DROP TABLE zz;'); await db.exec('ROLLBACK'); console.log('warm transaction up/down', Date.now() - t, 'ms');
  console.log('rss MB', Math.round(process.memoryUsage().rss/1e6));
})();
