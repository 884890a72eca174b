import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { cpSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { repoRoot } from '../support/paths';
import { scratchDir } from '../support/test-cleanup';
import { tempWorkspace } from '../support/lsp-client';
import { longSum } from '../support/hostile-sql';

/** `tidemark lint` (dist/cli.js) with TIDEMARK_LINT_THREADS=`threads` and `env`. */
function lint(cwd: string, threads: number, args: string[] = [], env: NodeJS.ProcessEnv = {}) {
  const result = spawnSync(process.execPath, [join(repoRoot, 'dist', 'cli.js'), 'lint', ...args], {
    cwd,
    encoding: 'utf8',
    env: { ...process.env, TIDEMARK_LINT_THREADS: String(threads), ...env },
    maxBuffer: 64 * 1024 * 1024,
  });
  return { code: result.status, stdout: result.stdout, stderr: result.stderr };
}

/** bench/lint.mjs's generated golang-migrate folder: `count` migrations of 1-5 statements, each with a down file. */
async function generatedProject(count: number): Promise<string> {
  const dir = scratchDir('lint-threads');
  const generator = (await import(pathToFileURL(join(repoRoot, 'bench', 'generated-project.mjs')).href)) as {
    writeGolangMigrateFolder(dir: string, count: number): string[];
  };
  generator.writeGolangMigrateFolder(join(dir, 'migrations'), count);
  return dir;
}

describe('tidemark lint over worker threads', function () {
  this.timeout(120_000);

  it('prints the same json, text and sarif, byte for byte, on one thread and on three', async () => {
    // 300 migrations, 600 files: three threads lint 363, 163 and 74 of them, the later two each
    // after reading the earlier migrations themselves.
    const dir = await generatedProject(300);
    for (const format of ['json', 'text', 'sarif']) {
      const one = lint(dir, 1, ['--format', format]);
      const three = lint(dir, 3, ['--format', format]);
      assert.equal(one.code, 1, one.stderr);
      assert.equal(three.code, one.code, three.stderr);
      assert.equal(three.stderr, one.stderr);
      assert.ok(three.stdout === one.stdout, `--format ${format}: the output on three threads differs from the output on one`);
    }
    const findings = JSON.parse(lint(dir, 3, ['--format', 'json']).stdout) as Array<{ file: string; rule: string }>;
    // Findings in every part of the folder, in file order: the last thread's files come last.
    assert.ok(findings.length > 500, `${findings.length} findings`);
    const migration = (finding: { file: string }) => Number(/^migrations\/(\d+)_/.exec(finding.file)?.[1]);
    assert.ok(migration(findings[0]) <= 5 && migration(findings[findings.length - 1]) >= 295, `${findings[0].file} ... ${findings[findings.length - 1].file}`);
  });

  it('finds on a real project, across threads, what needs the earlier migrations, as one thread does', () => {
    // crates.io's diesel migrations: changing-column-type and fk-missing-index read the migrations
    // before the one they judge, which the later threads read from disk themselves.
    const dir = join(repoRoot, 'test', 'corpus', 'crates-io');
    const one = lint(dir, 1, ['--format', 'json']);
    assert.equal(one.stderr, '');
    for (const threads of [2, 3, 4]) {
      const many = lint(dir, threads, ['--format', 'json']);
      assert.equal(many.code, one.code, many.stderr);
      assert.equal(many.stderr, '');
      assert.ok(many.stdout === one.stdout, `${threads} threads: the findings differ from one thread's`);
    }
    const rules = new Set((JSON.parse(one.stdout) as Array<{ rule: string }>).map((f) => f.rule));
    assert.ok(rules.has('changing-column-type') && rules.has('fk-missing-index'), [...rules].join(', '));
  });

  it('keeps --cache: a threaded run fills the cache, and the re-run prints the same from it', async () => {
    const dir = await generatedProject(60);
    const expected = lint(dir, 1, ['--format', 'json']);
    const first = lint(dir, 3, ['--format', 'json', '--cache']);
    assert.equal(first.code, expected.code, first.stderr);
    assert.ok(first.stdout === expected.stdout, 'the threaded --cache run differs from the plain one');
    // One file changed: it is linted again, the others come from what the threaded run cached.
    writeFileSync(join(dir, 'migrations', '000030_step_29.up.sql'), 'ALTER TABLE users DROP COLUMN legacy;\n');
    const fresh = lint(dir, 1, ['--format', 'json']);
    const again = lint(dir, 3, ['--format', 'json', '--cache']);
    assert.equal(again.code, fresh.code, again.stderr);
    assert.ok(again.stdout === fresh.stdout, 'the re-run from the cache differs from a run without it');
    assert.ok((JSON.parse(again.stdout) as Array<{ file: string; rule: string }>).some((f) => f.file === 'migrations/000030_step_29.up.sql' && f.rule === 'ban-drop-column'));
    // Nothing changed: the recorded run.
    assert.ok(lint(dir, 3, ['--format', 'json', '--cache']).stdout === fresh.stdout);
  });

  it('stops where one thread stops: a file that is not UTF-8 in a lint thread range is the same error', async () => {
    const dir = await generatedProject(60);
    // The fifth migration's up file, in the first lint thread's range.
    writeFileSync(join(dir, 'migrations', '000005_step_4.up.sql'), Buffer.from([0x53, 0x45, 0x4c, 0x45, 0x43, 0x54, 0x20, 0xe9, 0x3b, 0x0a]));
    const one = lint(dir, 1, ['--format', 'json']);
    assert.equal(one.code, 2);
    assert.match(one.stderr, /000005_step_4\.up\.sql/);
    const three = lint(dir, 3, ['--format', 'json']);
    assert.deepEqual(three, one);
  });

  it('finds a statement too deep for the parser on a lint thread as on the command thread', () => {
    // Whether the parser can read a deep statement depends on the thread's stack: a lint thread's
    // is as deep as the command's, so statement-too-complex is found wherever the file is linted.
    const deep = `${longSum(20_000)}ALTER TABLE users DROP COLUMN email;\n`;
    const dir = tempWorkspace({ 'migrations/001_deep.sql': deep, 'migrations/002_deep.sql': deep, 'migrations/003_deep.sql': deep }, [
      'ban-drop-column',
      'statement-too-complex',
      'syntax-error',
    ]);
    const one = lint(dir, 1, ['--format', 'json']);
    const three = lint(dir, 3, ['--format', 'json']);
    assert.equal(three.code, one.code, three.stderr);
    assert.equal(three.stdout, one.stdout);
    const found = (JSON.parse(three.stdout) as Array<{ file: string; rule: string }>).filter((f) => f.rule === 'statement-too-complex').map((f) => f.file);
    assert.deepEqual(found, ['migrations/001_deep.sql', 'migrations/002_deep.sql', 'migrations/003_deep.sql']);
  });

  it('ends with a clear error, exit 3 and no output, when a lint thread fails', () => {
    const dir = scratchDir('lint-threads');
    cpSync(join(repoRoot, 'test', 'corpus', 'crates-io'), dir, { recursive: true });
    // A thread allowed 4 MB of old generation runs out of memory loading the lint bundle.
    const failed = lint(dir, 2, ['--format', 'json'], { TIDEMARK_LINT_THREAD_MEMORY_MB: '4' });
    assert.equal(failed.code, 3);
    assert.equal(failed.stdout, '');
    assert.match(failed.stderr, /^tidemark: a lint thread \(\d+ files from migrations\/[^)]+\) ran out of memory; TIDEMARK_LINT_THREADS=1 lints on one thread\n$/);
    // On one thread the same run has no lint thread to fail.
    assert.equal(lint(dir, 1, ['--format', 'json'], { TIDEMARK_LINT_THREAD_MEMORY_MB: '4' }).code, 0);
  });

  it('refuses a TIDEMARK_LINT_THREADS that is not a count, naming it', () => {
    const dir = scratchDir('lint-threads');
    mkdirSync(join(dir, 'migrations'));
    writeFileSync(join(dir, 'migrations', '001_a.sql'), 'SELECT 1;\n');
    const run = spawnSync(process.execPath, [join(repoRoot, 'dist', 'cli.js'), 'lint'], { cwd: dir, encoding: 'utf8', env: { ...process.env, TIDEMARK_LINT_THREADS: 'two' } });
    assert.equal(run.status, 2);
    assert.equal(run.stderr, 'tidemark: TIDEMARK_LINT_THREADS must be "auto" or a whole number from 1, not "two"\n');
  });

  it('takes "auto", linting as on one thread', async () => {
    const dir = await generatedProject(20);
    const auto = lint(dir, 1, ['--format', 'json'], { TIDEMARK_LINT_THREADS: 'auto' });
    assert.equal(auto.stderr, '');
    assert.equal(auto.stdout, lint(dir, 1, ['--format', 'json']).stdout);
    assert.match(auto.stdout, /"rule":/);
  });
});
