/**
 * Test-only extension: when code-server is started with TIDEMARK_E2E_SUITE_FOLDER naming the
 * opened folder, runs the in-editor suite once and writes its results to TIDEMARK_E2E_RESULTS.
 * code-server has no extensionTestsPath, and this hook must never live in the real extension.
 */
import * as vscode from 'vscode';
import { writeFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { runSuite } from './run-suite';

export function activate(): void {
  const folder = process.env.TIDEMARK_E2E_SUITE_FOLDER;
  const results = process.env.TIDEMARK_E2E_RESULTS;
  const opened = vscode.workspace.workspaceFolders?.[0]?.uri.fsPath;
  if (!folder || !results || !opened || resolve(opened) !== resolve(folder)) return;
  runSuite(results).catch((err: unknown) => {
    // The driver waits for this file: a suite that cannot start must still say why.
    writeFileSync(results, JSON.stringify({ passed: 0, failed: 1, tests: [{ title: 'run the suite', state: 'failed', error: err instanceof Error ? err.stack : String(err) }] }));
  });
}

export function deactivate(): void {}
