/**
 * tidemark.json that is not a config at all (null, JSON nested 100,000 deep) or whose `after`
 * chain cannot end: one clear line naming the problem and exit 2, from the CLI and as a diagnostic
 * in the editor, never a stack trace.
 */
import assert from 'node:assert/strict';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { tidemark } from '../support/cli';
import { scratchDir } from '../support/test-cleanup';
import { TestLspClient } from '../support/lsp-client';

function project(config: string): string {
  const dir = scratchDir('bad-config-');
  mkdirSync(join(dir, 'migrations'));
  writeFileSync(join(dir, 'migrations', '001_a.sql'), '-- migrate:up\nCREATE TABLE a (id int);\n');
  writeFileSync(join(dir, 'tidemark.json'), config);
  return dir;
}

/** One line on stderr, no stack frames, exit 2. */
function assertOneClearLine(result: { code: number | null; stderr: string }, pattern: RegExp): void {
  assert.equal(result.code, 2, result.stderr);
  assert.doesNotMatch(result.stderr, /^\s+at /m, 'a stack trace was printed');
  assert.doesNotMatch(result.stderr, /internal error/);
  assert.equal(result.stderr.trim().split('\n').length, 1, result.stderr);
  assert.match(result.stderr, pattern);
}

const DEEP = '['.repeat(100_000) + ']'.repeat(100_000);
const CYCLE = JSON.stringify({
  environments: {
    staging: { url: 'postgres://deploy@db/app', after: 'production' },
    production: { url: 'postgres://deploy@db/app', after: 'staging' },
  },
});
const SELF = JSON.stringify({ environments: { local: { url: 'postgres://me@localhost/app' }, staging: { url: 'postgres://deploy@db/app', after: 'staging' } } });

describe('CLI: tidemark.json that cannot be a config', function () {
  this.timeout(60_000);

  for (const command of [['status'], ['lint'], ['apply', '--env', 'staging']]) {
    it(`null: tidemark ${command[0]} exits 2 with one line`, async () => {
      assertOneClearLine(await tidemark(project('null\n'), command), /tidemark\.json.*must hold a JSON object.*it holds null/);
    });
  }

  it('JSON nested 100,000 deep: exit 2 with one line', async () => {
    for (const command of [['status'], ['lint']])
      assertOneClearLine(await tidemark(project(DEEP), command), /tidemark\.json:1(:65)?: invalid JSON: nested more than 64 levels deep/);
  });

  it('an "after" cycle is rejected when the config is read, naming the cycle', async () => {
    assertOneClearLine(await tidemark(project(CYCLE), ['status']), /environments\.staging\.after: "after" forms a cycle: staging → production → staging/);
  });

  it('an environment "after" itself is rejected', async () => {
    const result = await tidemark(project(SELF), ['apply', '--env', 'staging']);
    assertOneClearLine(result, /environments\.staging\.after: environment "staging" is "after" itself/);
  });
});

describe('language server: tidemark.json that cannot be a config', function () {
  this.timeout(60_000);
  let client: TestLspClient;
  afterEach(async () => client?.dispose());

  it('underlines null, 100,000-deep JSON and an after cycle, and keeps serving', async () => {
    const dir = project('null');
    client = new TestLspClient({ workspaceFolder: dir });
    await client.initialize();
    const configUri = client.open(join(dir, 'tidemark.json'), 'null');
    const [nullProblem] = await client.diagnostics(configUri, (d) => d.length > 0);
    assert.match(String(nullProblem.message), /must hold a JSON object.*null/);
    client.change(configUri, DEEP);
    const [deepProblem] = await client.diagnostics(configUri, (d) => d.some((x) => /nested more than 64/.test(String(x.message))));
    assert.deepEqual(deepProblem.range.start, { line: 0, character: 64 });
    client.change(configUri, CYCLE);
    await client.diagnostics(configUri, (d) => d.some((x) => /forms a cycle: staging → production → staging/.test(String(x.message))));
    const u = client.open(join(dir, 'migrations', '002_drop.sql'), 'ALTER TABLE orders DROP COLUMN note;\n');
    assert.ok((await client.diagnosticsFor(u, 1)).some((d) => d.code === 'ban-drop-column'));
    assert.equal(client.child.exitCode, null);
    assert.doesNotMatch(client.logs.join(''), /RangeError|TypeError/);
  });
});
