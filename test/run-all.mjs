// Every test tier, as CI runs it: the mocha tiers (`npm test`), then the real-VS-Code tier
// (`npm run test:e2e`), streamed as they run, and one combined "N passed, N failed" line last.
// A tier that dies before printing its own summary line counts as one failure.
import { spawn } from 'node:child_process';
import { statfsSync } from 'node:fs';
import { tmpdir } from 'node:os';

const SUMMARY = /^(\d+) passed, (\d+) failed/;

function runTier(script) {
  return new Promise((resolve) => {
    const child = spawn('npm', ['run', '--silent', script], { stdio: ['ignore', 'pipe', 'inherit'] });
    let last;
    let buffered = '';
    child.stdout.on('data', (chunk) => {
      process.stdout.write(chunk);
      buffered += chunk.toString();
      const lines = buffered.split('\n');
      buffered = lines.pop();
      for (const line of lines) {
        const m = SUMMARY.exec(line.trim());
        if (m) last = { passed: Number(m[1]), failed: Number(m[2]) };
      }
    });
    child.on('close', (code) => {
      const m = SUMMARY.exec(buffered.trim());
      if (m) last = { passed: Number(m[1]), failed: Number(m[2]) };
      resolve({ script, code: code ?? 1, counts: last ?? { passed: 0, failed: 1 } });
    });
  });
}

// The tests write PGlite sandboxes and PostgreSQL data to the temp folder (about 150 MB at the
// peak, removed as they go): a nearly full disk shows up as unrelated failures, so say how full.
try {
  const fs = statfsSync(tmpdir());
  console.log(`free space in ${tmpdir()}: ${((fs.bavail * fs.bsize) / 2 ** 30).toFixed(1)} GiB`);
} catch {
  // Not every platform can say.
}

const results = [];
for (const script of ['test', 'test:e2e']) results.push(await runTier(script));
const passed = results.reduce((n, r) => n + r.counts.passed, 0);
const failed = results.reduce((n, r) => n + r.counts.failed, 0);
for (const r of results) console.log(`${r.script}: ${r.counts.passed} passed, ${r.counts.failed} failed (exit ${r.code})`);
console.log(`${passed} passed, ${failed} failed`);
process.exit(failed === 0 && results.every((r) => r.code === 0) ? 0 : 1);
