/** extensionTestsPath entry for @vscode/test-electron (npm run test:electron): the same suite. */
import { runSuite } from './run-suite';

export async function run(): Promise<void> {
  const results = process.env.TIDEMARK_E2E_RESULTS ?? '';
  const summary = await runSuite(results);
  if (summary.failed > 0) throw new Error(`${summary.failed} in-editor tests failed`);
}
