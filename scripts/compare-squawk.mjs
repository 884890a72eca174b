// Lints every example in migrations-sample/flagged/ (and the sample migrations) with Tidemark's CLI
// and with squawk's own binary (devDependency @squawk-cli/linux-x64), and prints a Markdown table of the rules
// each tool reported per file: the measured side of the README's comparison with squawk.
//
//   node esbuild.mjs && node scripts/compare-squawk.mjs [--migrations] [--assume-in-transaction]
//
// --assume-in-transaction is passed to squawk: Tidemark's runner wraps each migration in a
// transaction, which squawk otherwise does not know.
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, readdirSync, statSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const repo = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const require = createRequire(import.meta.url);

function squawkBinary() {
  const candidates = [join(repo, 'node_modules', '@squawk-cli', 'linux-x64', 'bin', 'squawk'), join(repo, 'node_modules', '.bin', 'squawk')];
  const found = candidates.find((p) => existsSync(p));
  if (!found) throw new Error('squawk binary not found: npm ci installs it (devDependency @squawk-cli/linux-x64)');
  return found;
}

function files(dir) {
  const out = [];
  for (const entry of readdirSync(dir).sort()) {
    const path = join(dir, entry);
    if (statSync(path).isDirectory()) out.push(...files(path));
    else if (entry.endsWith('.sql')) out.push(path);
  }
  return out;
}

function squawkRules(bin, path) {
  const extra = process.argv.includes('--assume-in-transaction') ? ['--assume-in-transaction'] : [];
  const result = spawnSync(bin, [...extra, '--reporter', 'json', path], { encoding: 'utf8' });
  const findings = JSON.parse(result.stdout || '[]');
  return [...new Set(findings.map((f) => f.rule_name))].sort();
}

function tidemarkRules(path) {
  const result = spawnSync(process.execPath, [join(repo, 'dist', 'cli.js'), 'lint', '--format', 'json', '--cwd', repo, path], { encoding: 'utf8' });
  return [...new Set(JSON.parse(result.stdout || '[]').map((f) => f.rule))].sort();
}

const bin = squawkBinary();
const version = execFileSync(bin, ['--version'], { encoding: 'utf8' }).trim();
const dir = join(repo, 'migrations-sample', process.argv.includes('--migrations') ? 'migrations' : 'flagged');
const tidemarkVersion = require(join(repo, 'package.json')).version;
console.log(`| File | Tidemark ${tidemarkVersion} | ${version} |`);
console.log('| --- | --- | --- |');
for (const path of files(dir)) {
  const fmt = (rules) => (rules.length ? rules.map((r) => `\`${r}\``).join(', ') : '—');
  console.log(`| ${relative(join(repo, 'migrations-sample'), path)} | ${fmt(tidemarkRules(path))} | ${fmt(squawkRules(bin, path))} |`);
}
