// The language server on a whole project (issue 27), run by `npm run bench:lint` after
// bench/lint.mjs, on generated golang-migrate folders (NNNNNN_name.up.sql + .down.sql, 1–5
// statements per migration):
//   (W1) tidemark.lint.scope "workspace": from `initialized` until every migration file of the
//        folder has its diagnostics published, with the last migration opened at once (its own
//        diagnostics must come first and fast); resident memory once done
//   (W2) opening the last migration in a warm server (one document linted before), both scopes,
//        vs `squawk server` (pulled diagnostics; squawk lints the open file only)
//   (W3) re-diagnosis after a one-character edit of that file, both scopes, vs squawk
// Targets: all 1,600 within 3 s; first diagnostics of the opened file <= 150 ms; an edit <= 20 ms;
// memory at 1,600 migrations <= 120 MB. Build first (npm run bench:lint does).
//   BENCH_SIZES (default "400,1600"), BENCH_RUNS (edits per measure / 10, default 3),
//   BENCH_ONLY=W1 runs (W1) alone, BENCH_SERVER_FLAGS replaces the server's Node flags (--cpu-prof)
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { loadavg, tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { cpuMs, mb, median, ms, peakRssMb, ratio, rssMb, startServer } from './lsp-driver.mjs';

const require = createRequire(import.meta.url);
const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const SIZES = (process.env.BENCH_SIZES ?? '400,1600').split(',').map(Number);
const EDITS = 10 * Number(process.env.BENCH_RUNS ?? 3);
// Started as the editor starts it (client/src/extension.ts); BENCH_SERVER_FLAGS overrides the flags.
const { SERVER_NODE_FLAGS } = require(join(root, 'out', 'server', 'src', 'protocol.js'));
const serverFlags = process.env.BENCH_SERVER_FLAGS !== undefined ? process.env.BENCH_SERVER_FLAGS.split(' ').filter(Boolean) : SERVER_NODE_FLAGS;
const serverArgs = [...serverFlags, join(root, 'dist', 'server.js'), '--stdio'];

/** A deterministic pseudo-random sequence (the folders are the same on every run). */
function random(seed) {
  let state = seed >>> 0 || 1;
  return () => {
    state ^= state << 13;
    state ^= state >>> 17;
    state ^= state << 5;
    return (state >>> 0) / 2 ** 32;
  };
}

/** Migration `i`'s statements: tables made early, then columns, indexes, keys and backfills on them. */
function upStatements(i, next) {
  const table = (n) => `table_${n}`;
  const own = table(i);
  const earlier = table(Math.floor(next() * Math.max(i, 1)));
  const count = 1 + Math.floor(next() * 5);
  const statements = [];
  for (let s = 0; s < count; s++) {
    switch (s === 0 ? 0 : 1 + Math.floor(next() * 7)) {
      case 0:
        statements.push(`CREATE TABLE ${own} (\n  id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,\n  tenant_id bigint NOT NULL,\n  name text NOT NULL\n);`);
        break;
      case 1:
        statements.push(`ALTER TABLE ${earlier} ADD COLUMN note_${i}_${s} text;`);
        break;
      case 2:
        statements.push(`CREATE INDEX CONCURRENTLY ${earlier}_tenant_${i}_${s} ON ${earlier} (tenant_id);`);
        break;
      case 3:
        statements.push(`ALTER TABLE ${own} ADD CONSTRAINT ${own}_fk_${s} FOREIGN KEY (tenant_id) REFERENCES ${earlier} (id);`);
        break;
      case 4:
        statements.push(`UPDATE ${earlier} SET name = 'n' WHERE name IS NULL;`);
        break;
      case 5:
        statements.push(`ALTER TABLE ${earlier} ALTER COLUMN name SET NOT NULL;`);
        break;
      case 6:
        statements.push(`CREATE INDEX ${own}_name_${s} ON ${own} (name);`);
        break;
      default:
        statements.push(`ALTER TABLE ${earlier} DROP COLUMN IF EXISTS old_${i}_${s};`);
    }
  }
  return statements;
}

/** A golang-migrate folder of `count` migrations under a new workspace; the last up file's path. */
function generateWorkspace(count) {
  const dir = mkdtempSync(join(tmpdir(), `tidemark-bench-ws-${count}-`));
  const migrations = join(dir, 'migrations');
  mkdirSync(migrations);
  const next = random(count);
  let last;
  for (let i = 1; i <= count; i++) {
    const base = join(migrations, `${String(i).padStart(6, '0')}_step_${i}`);
    writeFileSync(`${base}.up.sql`, upStatements(i, next).join('\n\n') + '\n');
    writeFileSync(`${base}.down.sql`, `DROP TABLE IF EXISTS table_${i};\n`);
    last = `${base}.up.sql`;
  }
  return { dir, last, files: readdirSync(migrations).length };
}

/** The line and column after the first `name` of the last statement-bearing line: where edits type. */
function editPoint(text) {
  const lines = text.split('\n');
  const line = lines.findIndex((l) => l.includes('name'));
  return { line, character: lines[line].indexOf('name') + 'name'.length };
}

async function timeEdits(server, uri, text) {
  const at = editPoint(text);
  const times = [];
  for (let i = 0; i < EDITS; i++) {
    const edited = await server.edit(uri, { start: at, end: at }, i % 2 ? '' : 'x');
    times.push(edited.time);
  }
  return times;
}

/** (W1): a fresh server in workspace scope with the last migration opened at once. */
async function workspaceRun(ws) {
  const published = new Map();
  let firstOther;
  let lastUri;
  const server = await startServer(process.execPath, serverArgs, ws.dir, {
    initializationOptions: { lintDelayMs: 0 },
    settings: { 'tidemark.lint.scope': 'workspace' },
    onPublish: (params, at) => {
      if (!published.has(params.uri)) published.set(params.uri, at);
      if (params.uri !== lastUri && firstOther === undefined) firstOther = at;
    },
  });
  const text = readFileSync(ws.last, 'utf8');
  lastUri = pathToFileURL(ws.last).href;
  const opened = await server.open(ws.last, text);
  const openedAt = published.get(lastUri);
  const deadline = performance.now() + 60_000;
  while (published.size < ws.files && performance.now() < deadline) await new Promise((r) => setTimeout(r, 5));
  const allAt = Math.max(...published.values());
  const cpu = cpuMs(server.child.pid);
  await new Promise((r) => setTimeout(r, 1000));
  const rss = rssMb(server.child.pid);
  const peakRss = peakRssMb(server.child.pid);
  const edits = await timeEdits(server, opened.uri, text);
  const rssAfterEdits = rssMb(server.child.pid);
  await server.stop();
  return {
    all: published.size >= ws.files ? allAt - server.startedAt : undefined,
    published: published.size,
    openTime: opened.time,
    openFromStart: openedAt - server.startedAt,
    openFirst: firstOther === undefined || openedAt <= firstOther,
    cpu,
    rss,
    peakRss,
    rssAfterEdits,
    edits,
  };
}

/** (W2)/(W3): a warm server (one other migration linted) opening the last migration, then editing it. */
async function warmOpen(ws, command, args, options) {
  const published = new Set();
  const server = await startServer(command, args, ws.dir, { ...options, onPublish: (params) => published.add(params.uri) });
  const warm = join(dirname(ws.last), '000001_step_1.up.sql');
  await server.open(warm, readFileSync(warm, 'utf8'));
  // Workspace scope: wait until the background lint has published every file (however loaded the
  // machine), so the open is measured alone.
  if (options.settings?.['tidemark.lint.scope'] === 'workspace') {
    const deadline = performance.now() + 60_000;
    while (published.size < ws.files && performance.now() < deadline) await new Promise((r) => setTimeout(r, 5));
    await new Promise((r) => setTimeout(r, 200));
  }
  const text = readFileSync(ws.last, 'utf8');
  const opened = await server.open(ws.last, text);
  const edits = await timeEdits(server, opened.uri, text);
  const rss = rssMb(server.child.pid);
  await server.stop();
  return { open: opened.time, edits, rss, count: opened.count };
}

function squawkBinary() {
  const candidates = [join(root, 'node_modules', '.bin', 'squawk')];
  try {
    candidates.push(join(dirname(require.resolve('@squawk-cli/linux-x64/package.json')), 'bin', 'squawk'));
  } catch {
    // Other platforms: only node_modules/.bin/squawk.
  }
  return candidates.find((c) => existsSync(c));
}

async function main() {
  if (!existsSync(join(root, 'dist', 'server.js'))) throw new Error('dist/server.js is missing: run `node esbuild.mjs --production` first');
  const squawk = squawkBinary();
  const rows = [];
  for (const size of SIZES) {
    const ws = generateWorkspace(size);
    const n = size.toLocaleString('en');
    const w = await workspaceRun(ws);
    if (process.env.BENCH_ONLY === 'W1') {
      console.log(
        `(W1) ${n}: all ${w.all === undefined ? `${w.published}/${ws.files}` : ms(w.all)}, CPU ${ms(w.cpu)}, open ${ms(w.openTime)}${w.openFirst ? '' : ' (AFTER a background file)'}, RSS ${mb(w.rss)} (peak ${mb(w.peakRss)}, ${mb(w.rssAfterEdits)} after edits), edit ${ms(median(w.edits))}; load ${loadavg()[0].toFixed(1)}`,
      );
      rmSync(ws.dir, { recursive: true, force: true });
      continue;
    }
    const scoped = { initializationOptions: { lintDelayMs: 0 } };
    const warmWorkspace = await warmOpen(ws, process.execPath, serverArgs, { ...scoped, settings: { 'tidemark.lint.scope': 'workspace' } });
    const warmOpenFiles = await warmOpen(ws, process.execPath, serverArgs, { ...scoped, settings: { 'tidemark.lint.scope': 'openFiles' } });
    const peer = squawk ? await warmOpen(ws, squawk, ['server'], { pull: true }) : undefined;
    const peerEdit = peer ? median(peer.edits) : undefined;
    rows.push(
      [
        `(W1) workspace scope, ${n} migrations`,
        'all files',
        w.all === undefined ? `${w.published}/${ws.files} in 60 s` : ms(w.all),
        '-',
        '-',
        '≤ 3000 ms',
        `${ws.files} files; server CPU ${ms(w.cpu)} (load-independent); squawk's server lints open files only`,
      ],
      [
        '',
        'last file opened at once',
        ms(w.openTime),
        '-',
        '-',
        '≤ 150 ms warm (W2)',
        `cold server: parser load and the folder's first reading included; ${w.openFirst ? 'published before any background file' : 'AFTER a background file'}`,
      ],
      ['', 'RSS when done', mb(w.rss), '-', '-', '≤ 120 MB', `peak during the pass ${mb(w.peakRss)}; after ${EDITS} edits: ${mb(w.rssAfterEdits)}`],
      ['', 'edit (median)', ms(median(w.edits)), ms(peerEdit), ratio(median(w.edits), peerEdit), '≤ 20 ms', `max ${ms(Math.max(...w.edits))}`],
      [
        `(W2) warm open of the last, ${n}`,
        'workspace',
        ms(warmWorkspace.open),
        ms(peer?.open),
        ratio(warmWorkspace.open, peer?.open),
        '≤ 150 ms',
        `${warmWorkspace.count} vs ${peer?.count ?? '-'} diagnostics`,
      ],
      ['', 'openFiles', ms(warmOpenFiles.open), ms(peer?.open), ratio(warmOpenFiles.open, peer?.open), '≤ 150 ms', ''],
      [
        `(W3) edit in the last, ${n}`,
        'workspace',
        ms(median(warmWorkspace.edits)),
        ms(peerEdit),
        ratio(median(warmWorkspace.edits), peerEdit),
        '≤ 20 ms',
        `max ${ms(Math.max(...warmWorkspace.edits))}; RSS ${mb(warmWorkspace.rss)}`,
      ],
      [
        '',
        'openFiles',
        ms(median(warmOpenFiles.edits)),
        ms(peerEdit),
        ratio(median(warmOpenFiles.edits), peerEdit),
        '≤ 20 ms',
        `max ${ms(Math.max(...warmOpenFiles.edits))}; RSS ${mb(warmOpenFiles.rss)} (squawk ${mb(peer?.rss)})`,
      ],
    );
    rmSync(ws.dir, { recursive: true, force: true });
  }
  console.log(
    `\nLanguage server on generated golang-migrate workspaces. Load average: ${loadavg()
      .map((l) => l.toFixed(1))
      .join(' ')} (wall times grow with it).\n`,
  );
  const header = ['measure', 'what', 'tidemark', 'squawk', 'ratio', 'target', 'notes'];
  const widths = header.map((h, c) => Math.max(h.length, ...rows.map((r) => r[c].length)));
  const line = (cells) => cells.map((cell, c) => cell.padEnd(widths[c])).join(' | ');
  console.log(line(header));
  console.log(widths.map((w) => '-'.repeat(w)).join('-|-'));
  for (const row of rows) console.log(line(row));
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
