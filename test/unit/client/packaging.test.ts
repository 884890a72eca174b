import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { repoRoot } from '../../support/paths';

describe('client packaging (.vscodeignore whitelist)', () => {
  it('puts the bundles, WASM files, grammar, schema and rule pages in the .vsix, and no sources or node_modules', () => {
    assert.ok(existsSync(join(repoRoot, 'dist', 'extension.js')), 'dist/ is not built: run `npm run build` first (npm test does)');
    const listed = spawnSync(process.execPath, [join(repoRoot, 'node_modules', '@vscode', 'vsce', 'vsce'), 'ls', '--no-dependencies'], { cwd: repoRoot, encoding: 'utf8' });
    assert.equal(listed.status, 0, listed.stderr);
    const files = listed.stdout.trim().split('\n');
    for (const needed of [
      'package.json',
      'LICENSE',
      'README.md',
      'dist/extension.js',
      'dist/server.js',
      'dist/cli.js',
      'dist/cli-lint.js',
      'dist/cli-lint-worker.js',
      'dist/cli-runner.js',
      'dist/cli-check.js',
      'dist/replay-worker.js',
      'dist/workspace-lint-worker.js',
      'dist/libpg-query.wasm',
      'dist/pglite.wasm',
      'dist/pglite.data',
      'dist/pglite-template.tar.gz',
      'dist/pglite-shadow-template.tar.gz',
      'schemas/tidemark.schema.json',
      'syntaxes/tidemark-sql.injection.tmLanguage.json',
    ]) {
      assert.ok(files.includes(needed), `${needed} is not packaged`);
    }
    assert.ok(
      files.some((f) => /^docs\/rules\/.+\.md$/.test(f)),
      'the rule pages diagnostics link to are packaged',
    );
    const unwanted = files.filter(
      (f) => /(^|\/)node_modules\//.test(f) || /^(client|server|test|out|scripts|migrations-sample)\//.test(f) || f.endsWith('.map') || f.endsWith('.ts'),
    );
    assert.deepEqual(unwanted, []);
  });

  it('keeps the SQL parser, PGlite and the database driver out of the extension host: they load in the language server', async () => {
    const { build } = await import('esbuild');
    const result = await build({
      entryPoints: [join(repoRoot, 'client', 'src', 'extension.ts')],
      bundle: true,
      write: false,
      metafile: true,
      platform: 'node',
      external: ['vscode'],
      logLevel: 'silent',
    });
    const inputs = Object.keys(result.metafile.inputs);
    assert.ok(
      inputs.some((i) => i.endsWith('client/src/reports.ts')),
      'the bundle was built from the client sources',
    );
    const heavy = inputs.filter(
      (i) => /node_modules\/(libpg-query|@electric-sql\/pglite|pg|pg-protocol)\//.test(i) || /server\/src\/(sql\/parse|runner)\//.test(i) || i.endsWith('server/src/sql/parse.ts'),
    );
    assert.deepEqual(heavy, []);
  });
});
