import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { onlyRules, tempWorkspace } from '../support/lsp-client';
import { repoRoot } from '../support/paths';
import { scratchDir } from '../support/test-cleanup';
import { longSum } from '../support/hostile-sql';

function tidemark(args: string[], cwd: string): { code: number | null; stdout: string; stderr: string } {
  const result = spawnSync(process.execPath, [join(repoRoot, 'dist', 'cli.js'), ...args], { cwd, encoding: 'utf8' });
  return { code: result.status, stdout: result.stdout, stderr: result.stderr };
}

const DROP = 'ALTER TABLE users DROP COLUMN email;\n';
/** The rules these tests look at; the others are turned off so the expected output stays exact. */
const RULES = ['ban-drop-column', 'syntax-error'];

describe('tidemark lint', function () {
  it('lints every migration under migrationsDir, gcc-style, and exits 1 on an error', () => {
    const dir = tempWorkspace({
      'tidemark.json': JSON.stringify({ migrationsDir: 'db', lint: { rules: onlyRules(RULES) } }),
      'db/001_drop.sql': DROP,
      'db/002_typo.sql': 'SELECT 1;\nSELEC 2;\n',
      'db/rollback/002_typo.sql': 'SELECT 3;\n',
      'elsewhere/003_ignored.sql': 'SELEC 3;\n',
    });
    const run = tidemark(['lint'], dir);
    assert.equal(run.code, 1, run.stderr);
    assert.equal(
      run.stdout,
      [
        `db/001_drop.sql:1:19: warning ban-drop-column: ${run.stdout.split('ban-drop-column: ')[1].split('\n')[0]}`,
        'db/002_typo.sql:2:1: error syntax-error: syntax error at or near "SELEC"',
        '2 problems (1 error, 1 warning) in 3 files.',
        '',
      ].join('\n'),
    );
    assert.match(run.stdout, /ban-drop-column: Dropping column "?email"? from users/);
  });

  it('exits 0 when findings are only warnings, and honours tidemark.json severities', () => {
    const dir = tempWorkspace({ 'migrations/001_drop.sql': DROP }, RULES);
    const warned = tidemark(['lint'], dir);
    assert.equal(warned.code, 0);
    assert.match(warned.stdout, /1 problem \(1 warning\) in 1 file\.\n$/);

    const strict = tempWorkspace({ 'migrations/001_drop.sql': DROP, 'tidemark.json': JSON.stringify({ lint: { rules: { ...onlyRules(RULES), 'ban-drop-column': 'error' } } }) });
    assert.equal(tidemark(['lint'], strict).code, 1);
    const off = tempWorkspace({ 'migrations/001_drop.sql': DROP, 'tidemark.json': JSON.stringify({ lint: { rules: { ...onlyRules(RULES), 'ban-drop-column': 'off' } } }) });
    const quiet = tidemark(['lint'], off);
    assert.equal(quiet.code, 0);
    assert.equal(quiet.stdout, 'No problems in 1 file.\n');
  });

  it('--format json prints the contract array with 1-based positions relative to --cwd', () => {
    const dir = tempWorkspace({ 'migrations/001_x.sql': '-- header\n  SELECT 1;\n  SELEC 2;\n' }, RULES);
    const run = tidemark(['lint', '--format', 'json', '--cwd', dir], repoRoot);
    assert.equal(run.code, 1, run.stderr);
    const findings = JSON.parse(run.stdout);
    assert.deepEqual(findings, [
      { file: 'migrations/001_x.sql', line: 3, column: 3, endLine: 3, endColumn: 8, rule: 'syntax-error', severity: 'error', message: 'syntax error at or near "SELEC"' },
    ]);
    assert.deepEqual(Object.keys(findings[0]), ['file', 'line', 'column', 'endLine', 'endColumn', 'rule', 'severity', 'message']);
  });

  it('--format sarif writes SARIF 2.1.0 with rules and regions', () => {
    const dir = tempWorkspace({ 'migrations/001_x.sql': 'SELECT 1;\nSELEC 2;\n' }, RULES);
    const run = tidemark(['lint', '--format=sarif'], dir);
    assert.equal(run.code, 1);
    const sarif = JSON.parse(run.stdout);
    assert.equal(sarif.version, '2.1.0');
    const [sarifRun] = sarif.runs;
    const rules = sarifRun.tool.driver.rules as Array<{ id: string; shortDescription: { text: string }; helpUri: string }>;
    const [result] = sarifRun.results;
    assert.equal(result.ruleId, 'syntax-error');
    assert.equal(rules[result.ruleIndex].id, 'syntax-error');
    assert.ok(rules[result.ruleIndex].shortDescription.text.length > 0);
    assert.match(rules[result.ruleIndex].helpUri, /^https:\/\/.*\/docs\/rules\/syntax-error\.md$/);
    assert.equal(result.level, 'error');
    assert.deepEqual(result.locations[0].physicalLocation, {
      artifactLocation: { uri: 'migrations/001_x.sql', uriBaseId: '%SRCROOT%' },
      region: { startLine: 2, startColumn: 1, endLine: 2, endColumn: 6 },
    });
  });

  it('lints the files and folders given as paths', () => {
    const dir = tempWorkspace({ 'a/001_x.sql': DROP, 'b/002_y.sql': DROP, 'migrations/003_z.sql': DROP }, RULES);
    const run = tidemark(['lint', 'a', 'b/002_y.sql', '--format', 'json'], dir);
    assert.deepEqual(
      JSON.parse(run.stdout).map((f: { file: string }) => f.file),
      ['a/001_x.sql', 'b/002_y.sql'],
    );
  });

  it('applies the nearest tidemark.json above each path, as the editor does', () => {
    const dir = tempWorkspace({
      'project/tidemark.json': JSON.stringify({ lint: { rules: { ...onlyRules(RULES), 'ban-drop-column': 'error' } } }),
      'project/migrations/001_x.sql': DROP,
    });
    const run = tidemark(['lint', 'project/migrations', '--format', 'json'], dir);
    assert.equal(run.code, 1, run.stderr);
    assert.deepEqual(
      JSON.parse(run.stdout).map((f: { file: string; rule: string; severity: string }) => [f.file, f.rule, f.severity]),
      [['project/migrations/001_x.sql', 'ban-drop-column', 'error']],
    );
  });

  it('exits 2 with one clear line for a path that does not exist', () => {
    const dir = tempWorkspace({ 'migrations/001_x.sql': DROP });
    const run = tidemark(['lint', 'migrations/nope.sql'], dir);
    assert.equal(run.code, 2);
    assert.equal(run.stderr, 'tidemark: no such file or folder: migrations/nope.sql\n');
    assert.equal(run.stdout, '');
  });

  it('exits 2 naming the field and file:line of an invalid config, and warns about unknown rules', () => {
    const dir = tempWorkspace({
      'migrations/001_x.sql': DROP,
      'tidemark.json': '{\n  "lint": {\n    "rules": { "ban-drop-column": "loud" }\n  }\n}\n',
    });
    const run = tidemark(['lint'], dir);
    assert.equal(run.code, 2);
    assert.match(run.stderr, /^tidemark: invalid config: tidemark\.json:3:35: lint\.rules\.ban-drop-column: .*"off"/);
    assert.equal(run.stderr.trim().split('\n').length, 1);

    const typo = tempWorkspace({ 'migrations/001_x.sql': DROP, 'custom.json': '{ "lint": { "rules": { "ban-drop-colum": "off" } } }' });
    // custom.json is the config here (tidemark.json is not read when --config names another file).
    const warned = tidemark(['lint', '--config', 'custom.json'], typo);
    assert.equal(warned.code, 0);
    assert.match(warned.stderr, /^tidemark: warning: custom\.json:1:24: lint\.rules\.ban-drop-colum: unknown rule "ban-drop-colum"; did you mean "ban-drop-column"\?\n$/);
    assert.match(warned.stdout, /ban-drop-column/);

    const missing = tidemark(['lint', '--config', 'nope.json'], typo);
    assert.equal(missing.code, 2);
    assert.match(missing.stderr, /^tidemark: config file not found: .*nope\.json\n$/);
  });

  it('exits 2 when the configured migrations folder is missing', () => {
    const dir = tempWorkspace({ 'tidemark.json': JSON.stringify({ migrationsDir: 'db' }) });
    const run = tidemark(['lint'], dir);
    assert.equal(run.code, 2);
    assert.equal(run.stderr, 'tidemark: migrations folder not found: db (migrationsDir in tidemark.json)\n');
  });

  it('reads a file saved with a byte order mark as the editor does, and stops with file:line:column on one that is not UTF-8', () => {
    const dir = tempWorkspace({}, RULES);
    mkdirSync(join(dir, 'migrations'));
    writeFileSync(join(dir, 'migrations', '001_drop.sql'), Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from(DROP)]));
    const marked = tidemark(['lint'], dir);
    assert.equal(marked.code, 0, marked.stderr);
    // The column counts from after the mark, as VS Code shows it; no syntax error at the mark.
    assert.match(marked.stdout, /^migrations\/001_drop\.sql:1:19: warning ban-drop-column: /m);
    assert.doesNotMatch(marked.stdout, /syntax-error/);

    writeFileSync(join(dir, 'migrations', '002_latin1.sql'), Buffer.concat([Buffer.from('SELECT 1;\n-- caf'), Buffer.from([0xe9]), Buffer.from('\n')]));
    const latin1 = tidemark(['lint'], dir);
    assert.equal(latin1.code, 2);
    assert.equal(latin1.stderr, 'tidemark: migrations/002_latin1.sql:2:7: not UTF-8 text (byte 0xE9); save the file as UTF-8\n');
  });

  it("runs each command from its own bundle: lint without the database commands' (pg, PGlite), status without lint's", () => {
    const dir = tempWorkspace({ 'migrations/001_drop.sql': DROP }, RULES);
    const only = (files: string[]) => {
      const bin = scratchDir('cli-part-');
      for (const file of files) copyFileSync(join(repoRoot, 'dist', file), join(bin, file));
      return (args: string[]) => spawnSync(process.execPath, [join(bin, 'cli.js'), ...args], { cwd: dir, encoding: 'utf8' });
    };
    const lintOnly = only(['cli.js', 'cli-lint.js', 'libpg-query.wasm']);
    const run = lintOnly(['lint', '--format', 'json']);
    assert.equal(run.status, 0, run.stderr);
    assert.deepEqual(
      JSON.parse(run.stdout).map((f: { rule: string }) => f.rule),
      ['ban-drop-column'],
    );
    assert.equal(run.stdout, tidemark(['lint', '--format', 'json'], dir).stdout);

    const runnerOnly = only(['cli.js', 'cli-runner.js', 'libpg-query.wasm', 'pglite.wasm', 'pglite.data', 'initdb.wasm']);
    const status = runnerOnly(['status', '--env', 'sandbox', '--format', 'json']);
    assert.equal(status.status, 0, status.stderr);
    const sandbox = JSON.parse(status.stdout);
    assert.deepEqual(
      sandbox.migrations.map((m: { version: string; state: string }) => `${m.version} ${m.state}`),
      ['001 pending'],
    );

    // Help lists every command without loading any command bundle.
    const help = tidemark(['--help'], dir);
    assert.equal(help.code, 0, help.stderr);
    for (const name of ['lint', 'status', 'apply', 'verify', 'rollback', 'plan', 'new', 'check']) assert.match(help.stdout, new RegExp(`^  ${name} +\\S`, 'm'));
    const helpOnly = only(['cli.js'])(['--help']);
    assert.equal(helpOnly.status, 0, helpOnly.stderr);
    assert.equal(helpOnly.stdout, help.stdout);
  });

  it('keeps the lint bundle compiled in the user cache folder, and the next run uses it unchanged', () => {
    const dir = tempWorkspace({ 'migrations/001_drop.sql': DROP }, RULES);
    const cacheHome = scratchDir('compile-cache-');
    const run = () =>
      spawnSync(process.execPath, [join(repoRoot, 'dist', 'cli.js'), 'lint', '--format', 'json'], {
        cwd: dir,
        encoding: 'utf8',
        env: { ...process.env, XDG_CACHE_HOME: cacheHome },
      });
    const first = run();
    assert.equal(first.status, 0, first.stderr);
    const cacheDir = join(cacheHome, 'tidemark', 'compile-cache');
    const written = readdirSync(cacheDir);
    assert.equal(written.length, 1, `one cache file: ${written.join(', ')}`);
    const made = statSync(join(cacheDir, written[0])).mtimeMs;
    const second = run();
    assert.equal(second.status, 0, second.stderr);
    assert.equal(second.stdout, first.stdout);
    // V8 accepted the cache (same flags as when it was made): the second run did not write it again.
    assert.equal(statSync(join(cacheDir, written[0])).mtimeMs, made);
  });
  it('checks -- tidemark:environments against the environments of tidemark.json (unknown-environment)', () => {
    const dir = tempWorkspace({
      'migrations/006_register_databases.sql': '-- tidemark:environments prodution\nSELECT 1;\n',
      'tidemark.json': JSON.stringify({
        environments: { local: { sandbox: true }, production: { url: 'postgres://deploy@db/app' } },
        lint: { rules: onlyRules(['unknown-environment']) },
      }),
    });
    const run = tidemark(['lint'], dir);
    assert.equal(run.code, 1, run.stderr);
    assert.match(
      run.stdout,
      /^migrations\/006_register_databases\.sql:1:26: error unknown-environment: -- tidemark:environments names "prodution", which is not an environment in tidemark\.json \(known: local, production\)/m,
    );
    // Without environments in tidemark.json the project has the one sandbox.
    const bare = tempWorkspace({
      'migrations/001_x.sql': '-- tidemark:environments sandbox, prod\nSELECT 1;\n',
      'tidemark.json': JSON.stringify({ lint: { rules: onlyRules(['unknown-environment']) } }),
    });
    assert.match(tidemark(['lint'], bare).stdout, /names "prod", .*\(known: sandbox\)/);
  });

  it('lints on after a statement too deep for the parser, which the run keeps no spare parser for', () => {
    // Each deep statement traps the parser twice (the whole file, then the statement alone): the
    // run waits for a new instance and redoes the file, and every other statement is still judged.
    const deep = `${longSum(20_000)}${DROP}`;
    const dir = tempWorkspace({ 'migrations/001_deep.sql': deep, 'migrations/002_drop.sql': DROP, 'migrations/003_deep.sql': deep, 'migrations/004_drop.sql': DROP }, [
      'ban-drop-column',
      'statement-too-complex',
      'syntax-error',
    ]);
    const run = tidemark(['lint', '--format', 'json'], dir);
    assert.equal(run.code, 0, run.stderr);
    const found = (JSON.parse(run.stdout) as Array<{ file: string; line: number; rule: string }>).map((f) => `${f.file}:${f.line} ${f.rule}`);
    assert.deepEqual(found, [
      'migrations/001_deep.sql:1 statement-too-complex',
      'migrations/001_deep.sql:2 ban-drop-column',
      'migrations/002_drop.sql:1 ban-drop-column',
      'migrations/003_deep.sql:1 statement-too-complex',
      'migrations/003_deep.sql:2 ban-drop-column',
      'migrations/004_drop.sql:1 ban-drop-column',
    ]);
  });
});

describe('tidemark lint --cache', function () {
  const FK_RULES = ['fk-missing-index', 'ban-drop-column', 'syntax-error'];
  const INDEX = 'CREATE INDEX CONCURRENTLY IF NOT EXISTS child_a ON child (a);\n';
  const FK = 'ALTER TABLE child ADD CONSTRAINT child_a_fk FOREIGN KEY (a) REFERENCES parent (id) NOT VALID;\n';
  const rulesOf = (stdout: string) => (JSON.parse(stdout) as Array<{ file: string; rule: string; severity: string }>).map((f) => `${f.file} ${f.rule} ${f.severity}`);

  it('re-runs an unchanged project from the cache without loading the parser, with the same output', () => {
    const dir = tempWorkspace({ 'migrations/001_drop.sql': DROP, 'migrations/002_typo.sql': 'SELEC 2;\n' }, RULES);
    // A copy of the CLI whose WASM parser can be taken away: a run that parsed anything would fail.
    const bin = scratchDir('cli-cache-');
    for (const file of ['cli.js', 'cli-lint.js', 'libpg-query.wasm']) copyFileSync(join(repoRoot, 'dist', file), join(bin, file));
    const lint = (args: string[]) => spawnSync(process.execPath, [join(bin, 'cli.js'), 'lint', ...args], { cwd: dir, encoding: 'utf8' });

    const first = lint(['--cache', '--format', 'json']);
    assert.equal(first.status, 1, first.stderr);
    assert.deepEqual(rulesOf(first.stdout), ['migrations/001_drop.sql ban-drop-column warning', 'migrations/002_typo.sql syntax-error error']);
    assert.ok(existsSync(join(dir, '.tidemark', 'cache', 'lint-cache.json')), 'the cache is written under --cwd');

    rmSync(join(bin, 'libpg-query.wasm'));
    const uncached = lint(['--format', 'json']);
    assert.equal(uncached.status, 3, 'without the cache the parser is needed');
    assert.match(uncached.stderr, /internal error/);
    for (const format of ['json', 'text']) {
      const cached = lint(['--cache', '--format', format]);
      assert.equal(cached.stderr, '');
      assert.equal(cached.status, 1);
      assert.equal(cached.stdout, tidemark(['lint', '--format', format], dir).stdout);
    }
  });

  it('re-lints a later migration when an earlier one it depends on changes, and a file when its rollback file changes', () => {
    const dir = tempWorkspace({ 'migrations/001_index.sql': INDEX, 'migrations/002_fk.sql': FK, 'migrations/003_drop.sql': DROP }, [...FK_RULES, 'require-rollback']);
    const lint = () => tidemark(['lint', '--cache', '--format', 'json'], dir);
    const withIndex = lint();
    assert.equal(withIndex.code, 0, withIndex.stderr);
    assert.deepEqual(
      rulesOf(withIndex.stdout).filter((f) => !f.includes('require-rollback')),
      ['migrations/003_drop.sql ban-drop-column warning'],
    );

    writeFileSync(join(dir, 'migrations', '001_index.sql'), 'SELECT 1;\n');
    const withoutIndex = lint();
    assert.deepEqual(
      rulesOf(withoutIndex.stdout).filter((f) => !f.includes('require-rollback')),
      ['migrations/002_fk.sql fk-missing-index warning', 'migrations/003_drop.sql ban-drop-column warning'],
    );
    assert.equal(withoutIndex.stdout, tidemark(['lint', '--format', 'json'], dir).stdout);

    assert.ok(rulesOf(withoutIndex.stdout).includes('migrations/003_drop.sql require-rollback warning'));
    mkdirSync(join(dir, 'migrations', 'rollback'));
    writeFileSync(join(dir, 'migrations', 'rollback', '003_drop.sql'), 'ALTER TABLE users ADD COLUMN email text;\n');
    const withRollback = lint();
    assert.ok(!rulesOf(withRollback.stdout).includes('migrations/003_drop.sql require-rollback warning'), withRollback.stdout);
    assert.equal(withRollback.stdout, tidemark(['lint', '--format', 'json'], dir).stdout);
  });

  it('re-lints when the config changes', () => {
    const dir = tempWorkspace({ 'migrations/001_drop.sql': DROP }, RULES);
    const lint = () => tidemark(['lint', '--cache'], dir);
    assert.equal(lint().code, 0);
    writeFileSync(join(dir, 'tidemark.json'), JSON.stringify({ lint: { rules: { ...onlyRules(RULES), 'ban-drop-column': 'error' } } }));
    const strict = lint();
    assert.equal(strict.code, 1);
    assert.match(strict.stdout, /^migrations\/001_drop\.sql:1:19: error ban-drop-column/);
  });

  it('warns about a corrupt cache file, lints everything and rewrites it; --cache-location picks the folder', () => {
    const dir = tempWorkspace({ 'migrations/001_drop.sql': DROP }, RULES);
    const cacheFile = join(dir, 'ci-cache', 'lint-cache.json');
    const lint = () => tidemark(['lint', '--cache', '--cache-location', 'ci-cache'], dir);
    assert.equal(lint().code, 0);
    assert.ok(existsSync(cacheFile));
    assert.ok(!existsSync(join(dir, '.tidemark', 'cache')));

    const expected = tidemark(['lint'], dir).stdout;
    writeFileSync(cacheFile, readFileSync(cacheFile, 'utf8').slice(0, 40));
    const corrupt = lint();
    assert.equal(corrupt.code, 0);
    assert.equal(corrupt.stdout, expected);
    assert.match(corrupt.stderr, /^tidemark: warning: ignoring the lint cache .*ci-cache[/\\]lint-cache\.json: it is corrupt \(.+\); linting every file again\n$/);
    const again = lint();
    assert.equal(again.stderr, '', 'the corrupt file was replaced');
    assert.equal(again.stdout, expected);
  });

  describe('run records', function () {
    this.timeout(60_000);
    const records = (dir: string) => join(dir, '.tidemark', 'cache', 'runs');
    const REPLAYED = 'printed from the run record\n';
    /** Replaces the recorded stdout of the workspace's one record, so a run answered from it shows. */
    const markRecord = (dir: string) => {
      const outputs = readdirSync(records(dir)).filter((name) => name.endsWith('.out'));
      assert.equal(outputs.length, 1, `one recorded output in ${records(dir)}`);
      writeFileSync(join(records(dir), outputs[0]), REPLAYED);
    };
    const lint = (dir: string, format = 'json') => tidemark(['lint', '--cache', '--format', format], dir);
    const project = () =>
      tempWorkspace({
        'tidemark.json': JSON.stringify({ lint: { rules: { ...onlyRules([...RULES, 'require-rollback']), 'no-such-rule': 'error' } } }),
        'migrations/001_drop.sql': DROP,
        'migrations/002_typo.sql': 'SELEC 2;\n',
      });

    it('answers the same command on an unchanged tree from its record, and nothing that changed what it read', async () => {
      const changes: Record<string, (dir: string) => void> = {
        'a migration edited in place, same size': (dir) => writeFileSync(join(dir, 'migrations', '001_drop.sql'), DROP.replace('email', 'phone')),
        'a migration added': (dir) => writeFileSync(join(dir, 'migrations', '003_drop.sql'), DROP),
        'a rollback file added in rollback/': (dir) => {
          mkdirSync(join(dir, 'migrations', 'rollback'));
          writeFileSync(join(dir, 'migrations', 'rollback', '001_drop.sql'), 'ALTER TABLE users ADD COLUMN email text;\n');
        },
        'the config changed': (dir) => writeFileSync(join(dir, 'tidemark.json'), JSON.stringify({ lint: { rules: { ...onlyRules(RULES), 'ban-drop-column': 'error' } } })),
        'a nearer tidemark.json created': (dir) =>
          writeFileSync(join(dir, 'migrations', 'tidemark.json'), JSON.stringify({ migrationsDir: '.', lint: { rules: onlyRules(['syntax-error']) } })),
        'the per-file cache removed': (dir) => rmSync(join(dir, '.tidemark', 'cache', 'lint-cache.json')),
      };
      const unchanged = project();
      const dirs = Object.fromEntries(Object.keys(changes).map((name) => [name, project()]));
      const all = [unchanged, ...Object.values(dirs)];
      const filled = new Map(all.map((dir) => [dir, lint(dir)]));
      // A record is written only once every input is older than the racy window (2 s).
      await new Promise((resolve) => setTimeout(resolve, 2100));
      for (const dir of all) {
        const recording = lint(dir);
        assert.equal(recording.stdout, filled.get(dir)!.stdout);
        markRecord(dir);
      }

      const replayed = lint(unchanged);
      assert.equal(replayed.stdout, REPLAYED, 'the unchanged tree is answered from the record');
      assert.equal(replayed.code, 1, 'with the exit code of the recorded run (a syntax error)');
      assert.match(replayed.stderr, /^tidemark: warning: tidemark\.json:1:\d+: .*no-such-rule/, 'and its warnings');
      assert.equal(replayed.stderr, filled.get(unchanged)!.stderr);
      const text = lint(unchanged, 'text');
      assert.equal(text.stdout, tidemark(['lint', '--format', 'text'], unchanged).stdout, 'another format is another invocation');

      for (const [name, change] of Object.entries(changes)) {
        const dir = dirs[name];
        change(dir);
        const after = lint(dir);
        assert.notEqual(after.stdout, REPLAYED, `${name}: the record was not used`);
        assert.equal(after.stdout, tidemark(['lint', '--format', 'json'], dir).stdout, `${name}: the output of a run without the cache`);
      }
      assert.notEqual(lint(dirs['a migration added']).stdout, filled.get(dirs['a migration added'])!.stdout, 'the change shows in the output');
    });

    it('records nothing while an input is younger than the racy window', () => {
      const dir = project();
      lint(dir);
      const again = lint(dir);
      assert.equal(again.code, 1);
      assert.ok(!existsSync(records(dir)), 'files written just now could change within their timestamp granularity unseen');
    });
  });

  it('--cache-location without --cache is a usage error', () => {
    const dir = tempWorkspace({ 'migrations/001_drop.sql': DROP }, RULES);
    const run = tidemark(['lint', '--cache-location', 'x'], dir);
    assert.equal(run.code, 2);
    assert.equal(run.stderr, 'tidemark: --cache-location needs --cache\n');
  });
});
