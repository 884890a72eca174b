// Every test tier, as CI runs it: the mocha tiers (`npm test`), then the real-VS-Code tier
// (`npm run test:e2e`), streamed as they run, and one combined "N passed, N failed" line last.
// A tier that dies before printing its own summary line counts as one failure.
import { spawn } from 'node:child_process';

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

const results = [];
for (const script of ['test', 'test:e2e']) results.push(await runTier(script));
const passed = results.reduce((n, r) => n + r.counts.passed, 0);
const failed = results.reduce((n, r) => n + r.counts.failed, 0);
for (const r of results) console.log(`${r.script}: ${r.counts.passed} passed, ${r.counts.failed} failed (exit ${r.code})`);
console.log(`${passed} passed, ${failed} failed`);
process.exit(failed === 0 && results.every((r) => r.code === 0) ? 0 : 1);
