import { join } from 'node:path';

/** The repository root, from out/test/support/ where this file runs compiled. */
export const repoRoot = join(__dirname, '..', '..', '..');
export const sampleDir = join(repoRoot, 'migrations-sample');
