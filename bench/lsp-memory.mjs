// npm run bench:memory — the language server's resident memory while 300 hostile documents (the
// fuzz generators of test/support/hostile-sql.ts: deep expressions, 600 KB single-line
// expressions, nested SELECTs, random bytes) are opened, linted and closed one after another,
// then a valid document. Issue 25 measured 70 → 432 MB before the fix; the goal is <= 150 MB.
//   TIDEMARK_FUZZ_SEED (default 1), TIDEMARK_FUZZ_COUNT (default 300)
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';

const require = createRequire(import.meta.url);
const { TestLspClient, tempWorkspace, codes } = require('../out/test/support/lsp-client.js');
const { hostileDocuments } = require('../out/test/support/hostile-sql.js');

const seed = Number(process.env.TIDEMARK_FUZZ_SEED ?? 1);
const count = Number(process.env.TIDEMARK_FUZZ_COUNT ?? 300);
const rss = (pid) => Number(/VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))[1]) / 1024;

const dir = tempWorkspace({});
const client = new TestLspClient({ workspaceFolder: dir });
await client.initialize();
const pid = client.child.pid;
const first = client.open(join(dir, 'migrations', '000_valid.sql'), 'ALTER TABLE orders DROP COLUMN note;\n');
const expected = codes(await client.diagnosticsFor(first, 1));
const start = rss(pid);
console.log(`language server RSS after one valid document: ${start.toFixed(0)} MB`);
const started = Date.now();
let peak = start;
for (const [i, document] of hostileDocuments(seed, count).entries()) {
  const u = client.open(join(dir, 'migrations', `${String(i + 1).padStart(3, '0')}_hostile.sql`), document.text);
  await client.diagnosticsFor(u, 1, 120_000);
  client.close(u);
  peak = Math.max(peak, rss(pid));
  if ((i + 1) % 50 === 0) console.log(`  ${i + 1} documents: ${rss(pid).toFixed(0)} MB (${((Date.now() - started) / 1000).toFixed(0)} s)`);
}
const last = client.open(join(dir, 'migrations', '999_valid.sql'), 'ALTER TABLE orders DROP COLUMN note;\n');
const after = codes(await client.diagnosticsFor(last, 1));
await new Promise((resolve) => setTimeout(resolve, 2000));
const end = rss(pid);
console.log(`after ${count} opened-and-closed documents: ${end.toFixed(0)} MB (peak ${peak.toFixed(0)} MB; issue 25 before the fix: 70 → 432 MB; goal <= 150 MB)`);
console.log(
  `the valid document's findings ${JSON.stringify(after) === JSON.stringify(expected) ? 'are unchanged' : `CHANGED: ${JSON.stringify(expected)} → ${JSON.stringify(after)}`}`,
);
await client.dispose();
