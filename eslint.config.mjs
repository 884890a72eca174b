// ESLint (flat config) with typescript-eslint: `npm run lint:code`, part of `npm test`.
// Formatting is Prettier's (.prettierrc.json); ESLint only judges code.
import js from '@eslint/js';
import { defineConfig } from 'eslint/config';
import tseslint from 'typescript-eslint';

/** What Node provides to the .mjs/.cjs scripts (the TypeScript compiler checks the .ts files' names). */
const nodeGlobals = Object.fromEntries(
  [
    'process',
    'console',
    'performance',
    'Buffer',
    'URL',
    'setTimeout',
    'clearTimeout',
    'setInterval',
    'clearInterval',
    'setImmediate',
    'structuredClone',
    '__dirname',
    '__filename',
    'require',
    'module',
    'exports',
    'fetch',
    'AbortController',
    'TextDecoder',
    'TextEncoder',
  ].map((name) => [name, 'readonly']),
);

export default defineConfig(
  { ignores: ['dist/**', 'out/**', 'node_modules/**', 'test/e2e/.work/**', 'test/e2e/output/**', '.bench/**', '**/*.d.ts', 'migrations-sample/**'] },
  js.configs.recommended,
  tseslint.configs.recommended,
  {
    files: ['**/*.ts'],
    rules: {
      // tsconfig's noUnusedLocals/noUnusedParameters already report these, with `_` for a deliberate gap.
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_', destructuredArrayIgnorePattern: '^_', ignoreRestSiblings: true }],
      // Declaration merging of a const and a namespace is how protocol.ts declares each message once.
      '@typescript-eslint/no-namespace': 'off',
    },
  },
  {
    files: ['**/*.mjs', '**/*.cjs', '**/*.js'],
    languageOptions: { globals: nodeGlobals },
    rules: { '@typescript-eslint/no-require-imports': 'off' },
  },
);
