/** Runs flows.test.js with mocha inside the extension host and writes a JSON summary. */
import { writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';

export interface SuiteResult {
  passed: number;
  failed: number;
  tests: Array<{ title: string; state: 'passed' | 'failed'; error?: string }>;
}

export async function runSuite(resultsFile: string): Promise<SuiteResult> {
  // mocha is the repository's dev dependency; this test-only extension does not ship a copy.
  const repo = process.env.TIDEMARK_E2E_REPO;
  if (!repo) throw new Error('TIDEMARK_E2E_REPO must name the Tidemark repository');
  const exported = createRequire(join(repo, 'package.json'))('mocha') as { Mocha?: typeof import('mocha') };
  const Mocha = exported.Mocha ?? (exported as unknown as typeof import('mocha'));
  const mocha = new Mocha({ ui: 'bdd', timeout: 180_000, color: false });
  mocha.addFile(join(__dirname, 'flows.test.js'));
  const result: SuiteResult = { passed: 0, failed: 0, tests: [] };
  try {
    await mocha.loadFilesAsync();
  } catch (err) {
    result.failed++;
    result.tests.push({ title: 'load the suite', state: 'failed', error: err instanceof Error ? err.stack : String(err) });
    if (resultsFile) writeFileSync(resultsFile, JSON.stringify(result, null, 2));
    return result;
  }
  await new Promise<void>((done) => {
    try {
      const runner = mocha.run(() => done());
      runner.on('pass', (test) => {
        result.passed++;
        result.tests.push({ title: test.fullTitle(), state: 'passed' });
      });
      runner.on('fail', (test, err: Error) => {
        result.failed++;
        result.tests.push({ title: test.fullTitle(), state: 'failed', error: err.stack ?? err.message });
      });
    } catch (err) {
      result.failed++;
      result.tests.push({ title: 'load the suite', state: 'failed', error: String(err) });
      done();
    }
  });
  if (resultsFile) writeFileSync(resultsFile, JSON.stringify(result, null, 2));
  return result;
}
