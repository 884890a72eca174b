// npm run bench:memory — the language server's resident memory while 300 hostile documents (the
// fuzz generators of test/support/hostile-sql.ts: deep expressions, 600 KB single-line
// expressions, nested SELECTs, random bytes) are opened, linted and closed one after another,
// then a valid document. Issue 25 measured 70 → 432 MB before the fix; the goal is <= 150 MB.
// Run in both lint scopes (tidemark.lint.scope), the workspace holding 200 migrations on disk that
// the "workspace" scope lints in the background meanwhile.
//   TIDEMARK_FUZZ_SEED (default 1), TIDEMARK_FUZZ_COUNT (default 300),
//   TIDEMARK_LINT_SCOPES (default "workspace,openFiles")
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';

const require = createRequire(import.meta.url);
const { TestLspClient, tempWorkspace, codes } = require('../out/test/support/lsp-client.js');
const { hostileDocuments } = require('../out/test/support/hostile-sql.js');

const seed = Number(process.env.TIDEMARK_FUZZ_SEED ?? 1);
const count = Number(process.env.TIDEMARK_FUZZ_COUNT ?? 300);
const scopes = (process.env.TIDEMARK_LINT_SCOPES ?? 'workspace,openFiles').split(',');
const rss = (pid) => Number(/VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))[1]) / 1024;

/** 200 dbmate migrations on disk: what the workspace scope lints besides the open documents. */
function migrationsOnDisk() {
  const files = {};
  for (let i = 1; i <= 200; i++) {
    files[`migrations/${String(10_000 + i)}_step.sql`] =
      `-- migrate:up\nCREATE TABLE t${i} (id bigint PRIMARY KEY, tenant_id bigint);\nALTER TABLE t${i} ADD COLUMN note text;\n-- migrate:down\nDROP TABLE t${i};\n`;
  }
  return files;
}

const results = [];
for (const scope of scopes) {
  const dir = tempWorkspace(migrationsOnDisk());
  const client = new TestLspClient({ workspaceFolder: dir, scope });
  await client.initialize();
  const pid = client.child.pid;
  const first = client.open(join(dir, 'migrations', '000_valid.sql'), 'ALTER TABLE orders DROP COLUMN note;\n');
  const expected = codes(await client.diagnosticsFor(first, 1));
  const start = rss(pid);
  console.log(`[${scope}] language server RSS after one valid document: ${start.toFixed(0)} MB`);
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
  const background = new Set(client.published.filter((p) => /\/1\d{4}_step\.sql$/.test(p.uri)).map((p) => p.uri)).size;
  const same = JSON.stringify(after) === JSON.stringify(expected) ? 'unchanged' : `CHANGED: ${JSON.stringify(expected)} → ${JSON.stringify(after)}`;
  results.push(
    `${scope.padEnd(9)}: ${start.toFixed(0)} → ${end.toFixed(0)} MB after ${count} documents (peak ${peak.toFixed(0)} MB); migrations on disk published: ${background}/200; the valid document's findings ${same}`,
  );
  await client.dispose();
}
console.log(`\nResident memory of the language server, after one valid document → after the hostile ones were closed (issue 25 before the fix: 70 → 432 MB; goal <= 150 MB):`);
for (const line of results) console.log(`  ${line}`);
