// Runs every compiled mocha suite (tsc -b writes them to out/test) with the summary reporter.
// Usage: node test/run-tests.mjs [unit|lsp|cli|runner|grammar ...]
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';

const tiers = process.argv.slice(2).length ? process.argv.slice(2) : ['unit', 'lsp', 'cli', 'runner', 'grammar'];
const specs = tiers.filter((t) => existsSync(`out/test/${t}`)).map((t) => `out/test/${t}/**/*.test.js`);
if (specs.length === 0) {
  console.error(`No compiled tests found for ${tiers.join(', ')} under out/test (did tsc -b run?)`);
  process.exit(1);
}
const result = spawnSync(
  process.execPath,
  ['node_modules/mocha/bin/mocha.js', '--require', './test/test-cleanup-hooks.cjs', '--reporter', './test/summary-reporter.cjs', '--timeout', '60000', '--exit', ...specs],
  { stdio: 'inherit' },
);
process.exit(result.status ?? 1);
