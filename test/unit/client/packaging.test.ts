import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { repoRoot } from '../../support/paths';

describe('client packaging (.vscodeignore whitelist)', () => {
  it('puts the bundles, WASM files, grammar, schema and rule pages in the .vsix, and no sources or node_modules', function () {
    if (!existsSync(join(repoRoot, 'dist', 'extension.js'))) this.skip(); // npm test builds dist/ first
    const listed = spawnSync(process.execPath, [join(repoRoot, 'node_modules', '@vscode', 'vsce', 'vsce'), 'ls', '--no-dependencies'], { cwd: repoRoot, encoding: 'utf8' });
    assert.equal(listed.status, 0, listed.stderr);
    const files = listed.stdout.trim().split('\n');
    for (const needed of ['package.json', 'LICENSE', 'README.md', 'dist/extension.js', 'dist/server.js', 'dist/cli.js', 'dist/libpg-query.wasm', 'dist/pglite.wasm', 'dist/pglite.data', 'schemas/tidemark.schema.json', 'syntaxes/tidemark-sql.injection.tmLanguage.json']) {
      assert.ok(files.includes(needed), `${needed} is not packaged`);
    }
    assert.ok(files.some((f) => /^docs\/rules\/.+\.md$/.test(f)), 'the rule pages diagnostics link to are packaged');
    const unwanted = files.filter((f) => /(^|\/)node_modules\//.test(f) || /^(client|server|test|out|scripts|migrations-sample)\//.test(f) || f.endsWith('.map') || f.endsWith('.ts'));
    assert.deepEqual(unwanted, []);
  });
});
