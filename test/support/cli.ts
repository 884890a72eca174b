/**
 * `tidemark` as a user runs it: dist/cli.js in a child process (asynchronously, so servers this
 * process started keep running), with PGPASSWORD cleared unless the test sets it.
 */
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { repoRoot } from './paths';

export interface CliResult {
  code: number | null;
  stdout: string;
  stderr: string;
}

export function tidemark(cwd: string, args: string[], env: NodeJS.ProcessEnv = {}): Promise<CliResult> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [join(repoRoot, 'dist', 'cli.js'), ...args], { cwd, env: { ...process.env, PGPASSWORD: '', ...env } });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => (stdout += d));
    child.stderr.on('data', (d) => (stderr += d));
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}
