/** The version of Tidemark itself, as SARIF's tool.driver and the lint cache's fingerprint give it. */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';

// package.json sits next to dist/ in the repo and the extension.
export const PACKAGE_JSON = join(__dirname, '..', 'package.json');

/** The version in SARIF's tool.driver. */
export function packageVersion(): string {
  try {
    return (JSON.parse(readFileSync(PACKAGE_JSON, 'utf8')) as { version?: string }).version ?? '0.0.0';
  } catch {
    return '0.0.0';
  }
}
