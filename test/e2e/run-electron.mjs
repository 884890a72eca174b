// `npm run test:electron`: the in-editor suite (test/e2e/extension-host) in a desktop VS Code
// downloaded by @vscode/test-electron. It needs that download (update.code.visualstudio.com),
// which these CI machines cannot reach; `npm run test:e2e` runs the same suite in code-server.
import { join } from 'node:path';
import { runTests } from '@vscode/test-electron';
import { buildTestExtension, expectedSandbox, firstFinding, freshWorkspace, repo, sampleSource, work } from './prepare.mjs';

const testExtension = await buildTestExtension(join(work, 'test-extension'));
const workspace = freshWorkspace(sampleSource(), 'workspace-electron');
const results = join(work, 'electron-results.json');
try {
  await runTests({
    version: process.env.TIDEMARK_VSCODE_VERSION ?? 'stable',
    extensionDevelopmentPath: [repo, testExtension],
    extensionTestsPath: join(testExtension, 'dist', 'electron.js'),
    launchArgs: [workspace, '--disable-workspace-trust', '--skip-welcome', '--skip-release-notes'],
    extensionTestsEnv: {
      TIDEMARK_E2E_REPO: repo,
      TIDEMARK_E2E_RESULTS: results,
      TIDEMARK_E2E_FLAGGED: JSON.stringify(firstFinding(workspace)),
      TIDEMARK_E2E_EXPECTED: JSON.stringify(expectedSandbox(sampleSource())),
    },
  });
  console.log(`results: ${results}`);
} catch (err) {
  console.error(`test:electron failed: ${err instanceof Error ? err.message : String(err)}`);
  process.exit(1);
}
