#!/usr/bin/env node
/**
 * `npm run corpus`: lints the vendored real-world migrations of test/corpus/ (PROVENANCE.md) with
 * Tidemark and with squawk (the devDependency @squawk-cli/linux-x64, on the same up files), and
 * prints findings per rule per project side by side, the wall time of each, and — from the judged
 * sample in test/corpus/judged.tsv — the false-positive rate per rule, of the sample and by volume.
 *
 *   node scripts/corpus.mjs [--findings FILE.tsv]   also writes every Tidemark finding (for judging)
 */
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const corpus = join(root, 'test', 'corpus');
const cli = join(root, 'dist', 'cli.js');
const squawk = join(root, 'node_modules', '@squawk-cli', 'linux-x64', 'bin', 'squawk');
const args = process.argv.slice(2);
const findingsOut = args.includes('--findings') ? args[args.indexOf('--findings') + 1] : undefined;

if (!existsSync(cli)) fail(`${relative(root, cli)} is missing: run node esbuild.mjs first`);
if (!existsSync(squawk)) fail(`squawk is missing (${relative(root, squawk)}): npm install installs the devDependency @squawk-cli/linux-x64`);

function fail(message) {
  process.stderr.write(`corpus: ${message}\n`);
  process.exit(2);
}

function sqlFiles(dir) {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) return sqlFiles(path);
    return name.endsWith('.sql') ? [path] : [];
  });
}

/** Up files only: squawk has no notion of a down, and Tidemark judges downs in their own right. */
const isDown = (path) => /(^|[/._])down\.sql$/i.test(path) || /\/U\d[^/]*__/.test(path) || /\/revert\//.test(path);

const count = (map, key) => map.set(key, (map.get(key) ?? 0) + 1);
const projects = readdirSync(corpus)
  .filter((name) => existsSync(join(corpus, name, 'migrations')))
  .sort();
const tidemarkTotals = new Map();
const squawkTotals = new Map();
const rows = [];
const allFindings = [];
let tidemarkMs = 0;
let squawkMs = 0;

/**
 * The Tidemark rule that covers each squawk rule; rules squawk has and Tidemark does not are
 * listed with the reason in docs/rules/README.md ("Squawk's rules").
 */
const SQUAWK_TO_TIDEMARK = {
  'adding-field-with-default': ['adding-volatile-default', 'adding-stored-generated-column'],
  'adding-foreign-key-constraint': ['constraint-missing-not-valid'],
  'adding-not-nullable-field': ['adding-not-nullable-field'],
  'adding-required-field': ['adding-required-field'],
  'adding-serial-primary-key-field': ['disallowed-unique-constraint'],
  'ban-concurrent-index-creation-in-transaction': ['transaction-incompatible-statement'],
  'ban-drop-column': ['ban-drop-column'],
  'ban-drop-table': ['ban-drop-table'],
  'ban-truncate-cascade': ['ban-cascade'],
  'changing-column-type': ['changing-column-type'],
  // squawk's rule also flags UNIQUE and PRIMARY KEY, which Tidemark judges in disallowed-unique-constraint.
  'constraint-missing-not-valid': ['constraint-missing-not-valid', 'disallowed-unique-constraint'],
  'disallowed-unique-constraint': ['disallowed-unique-constraint'],
  'prefer-bigint-over-int': ['prefer-bigint-over-int'],
  'prefer-bigint-over-smallint': ['prefer-bigint-over-int'],
  'prefer-identity': ['prefer-identity'],
  'prefer-robust-stmts': ['non-idempotent-ddl'],
  'prefer-text-field': ['prefer-text-field'],
  'prefer-timestamp-tz': ['prefer-timestamptz'],
  'prefer-timestamptz': ['prefer-timestamptz'],
  'renaming-column': ['renaming-column'],
  'renaming-table': ['renaming-table'],
  'require-concurrent-index-creation': ['require-concurrent-index-creation'],
  'require-concurrent-index-deletion': ['require-concurrent-index-deletion'],
  'require-concurrent-reindex': ['require-concurrent-reindex'],
  'require-lock-timeout': ['require-lock-timeout'],
  'require-timeout-settings': ['require-lock-timeout'],
  'transaction-nesting': ['transaction-nesting'],
};
/** Tidemark reports these once per section (one SET fixes them all): any finding in the file covers squawk's. */
const ONCE_PER_SECTION = new Set(['require-lock-timeout']);
const squawkCoverage = new Map();

for (const project of projects) {
  const dir = join(corpus, project);
  // Every up file by path: the layouts Tidemark does not read yet (a folder per migration, as
  // diesel and Prisma keep them) are then linted as one-file migrations rather than skipped.
  const ups = sqlFiles(join(dir, 'migrations'))
    .filter((p) => !isDown(p))
    .map((p) => relative(dir, p));
  let started = performance.now();
  const lint = spawnSync(process.execPath, [cli, 'lint', '--cwd', dir, '--format', 'json', ...ups], { encoding: 'utf8', maxBuffer: 1 << 28 });
  const tMs = performance.now() - started;
  if (lint.status !== 0 && lint.status !== 1) fail(`tidemark lint failed on ${project}: ${lint.stderr}`);
  const findings = JSON.parse(lint.stdout);
  const tidemark = new Map();
  for (const f of findings) {
    count(tidemark, f.rule);
    count(tidemarkTotals, f.rule);
    allFindings.push({ project, ...f });
  }

  started = performance.now();
  const run = spawnSync(squawk, ['--reporter', 'json', '--no-error-on-unmatched-pattern', ...ups], { encoding: 'utf8', maxBuffer: 1 << 28, cwd: dir });
  const sMs = performance.now() - started;
  const squawkFound = new Map();
  let squawkFindings = [];
  try {
    squawkFindings = JSON.parse(run.stdout || '[]');
  } catch {
    fail(`squawk output on ${project} is not JSON: ${run.stderr || run.stdout.slice(0, 200)}`);
  }
  for (const f of squawkFindings) {
    count(squawkFound, f.rule_name);
    count(squawkTotals, f.rule_name);
    // Found too: a finding of the matching Tidemark rule on an overlapping line of the same file.
    const rules = SQUAWK_TO_TIDEMARK[f.rule_name] ?? [];
    const first = f.line + 1;
    const last = (f.line_end ?? f.line) + 1;
    const found = findings.some((t) => t.file === f.file && rules.includes(t.rule) && (ONCE_PER_SECTION.has(t.rule) || (t.line <= last && t.endLine >= first)));
    const c = squawkCoverage.get(f.rule_name) ?? { total: 0, found: 0, mapped: rules.join(', ') || '(not mapped: see docs/rules/README.md)' };
    c.total++;
    if (found) c.found++;
    squawkCoverage.set(f.rule_name, c);
  }
  tidemarkMs += tMs;
  squawkMs += sMs;
  rows.push({ project, files: sqlFiles(join(dir, 'migrations')).length, tidemark, squawk: squawkFound, tMs, sMs });
}

const pad = (s, n) => String(s).padEnd(n);
const lpad = (s, n) => String(s).padStart(n);
for (const row of rows) {
  process.stdout.write(`\n${row.project} — ${row.files} files; tidemark ${row.tMs.toFixed(0)} ms (process start included), squawk ${row.sMs.toFixed(0)} ms\n`);
  const names = [...new Set([...row.tidemark.keys(), ...row.squawk.keys()])].sort();
  for (const name of names) process.stdout.write(`  ${pad(name, 44)}${lpad(row.tidemark.get(name) ?? '', 6)}${lpad(row.squawk.get(name) ?? '', 8)}\n`);
}

// Judged sample: verdicts per rule, and the false-positive rate by volume (each rule's judged rate applied to its count).
const judgedPath = join(corpus, 'judged.tsv');
const judged = existsSync(judgedPath)
  ? readFileSync(judgedPath, 'utf8')
      .split('\n')
      .slice(1)
      .filter(Boolean)
      .map((line) => {
        const [project, file, lineNo, rule, verdict, reason] = line.split('\t');
        return { project, file, line: Number(lineNo), rule, verdict, reason };
      })
  : [];
// Rates count the judged findings Tidemark still reports; judged-false ones it no longer reports are "fixed".
const reported = new Set(allFindings.map((f) => `${f.project}\t${f.file}\t${f.line}\t${f.rule}`));
const verdicts = new Map();
let fixed = 0;
for (const j of judged) {
  const v = verdicts.get(j.rule) ?? { true: 0, false: 0, debatable: 0, fixed: 0 };
  if (reported.has(`${j.project}\t${j.file}\t${j.line}\t${j.rule}`)) v[j.verdict]++;
  else if (j.verdict === 'false') {
    v.fixed++;
    fixed++;
  }
  verdicts.set(j.rule, v);
}

process.stdout.write(`\nAll projects (${projects.length}): findings per rule, Tidemark beside squawk, with the judged sample\n`);
process.stdout.write(
  `  ${pad('rule', 44)}${lpad('tidemark', 9)}${lpad('squawk', 8)}${lpad('judged', 8)}${lpad('true', 6)}${lpad('false', 6)}${lpad('deb.', 6)}${lpad('FP %', 7)}${lpad('fixed', 7)}\n`,
);
let falseByVolume = 0;
let volume = 0;
for (const name of [...new Set([...tidemarkTotals.keys(), ...squawkTotals.keys(), ...verdicts.keys()])].sort()) {
  const v = verdicts.get(name);
  const n = v ? v.true + v.false + v.debatable : 0;
  const rate = n ? v.false / n : undefined;
  const found = tidemarkTotals.get(name) ?? 0;
  if (rate !== undefined) {
    falseByVolume += rate * found;
    volume += found;
  }
  process.stdout.write(
    `  ${pad(name, 44)}${lpad(tidemarkTotals.get(name) ?? '', 9)}${lpad(squawkTotals.get(name) ?? '', 8)}${lpad(n || '', 8)}${lpad(v?.true ?? '', 6)}${lpad(v?.false ?? '', 6)}${lpad(v?.debatable ?? '', 6)}${lpad(rate === undefined ? '' : (100 * rate).toFixed(0), 7)}${lpad(v?.fixed || '', 7)}\n`,
  );
}
process.stdout.write(`\nsquawk's findings found by Tidemark too (same file, overlapping lines, matching rule)\n`);
for (const [name, c] of [...squawkCoverage].sort()) process.stdout.write(`  ${pad(name, 44)}${lpad(`${c.found}/${c.total}`, 10)}  ${c.mapped}\n`);

const total = [...tidemarkTotals.values()].reduce((a, b) => a + b, 0);
const stillJudged = [...verdicts.values()].reduce((a, v) => a + v.true + v.false + v.debatable, 0);
const judgedFalse = [...verdicts.values()].reduce((a, v) => a + v.false, 0);
process.stdout.write(
  `\nTidemark ${total} findings in ${tidemarkMs.toFixed(0)} ms; squawk ${[...squawkTotals.values()].reduce((a, b) => a + b, 0)} in ${squawkMs.toFixed(0)} ms.\n`,
);
if (judged.length) {
  process.stdout.write(
    `Judged ${judged.length} findings; ${stillJudged} still reported, of which ${judgedFalse} false (${((100 * judgedFalse) / stillJudged).toFixed(1)} %); ${fixed} judged false are no longer reported. ` +
      `By volume: ${volume ? ((100 * falseByVolume) / volume).toFixed(1) : '0'} % false (each rule's judged rate applied to its ${volume} findings).\n`,
  );
}
if (findingsOut) {
  writeFileSync(
    findingsOut,
    ['project\tfile\tline\trule\tmessage', ...allFindings.map((f) => [f.project, f.file, f.line, f.rule, f.message.replace(/\s+/g, ' ')].join('\t'))].join('\n') + '\n',
  );
  process.stdout.write(`Every finding written to ${findingsOut}.\n`);
}
