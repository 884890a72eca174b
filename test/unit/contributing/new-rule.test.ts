/**
 * `npm run new-rule NAME` (scripts/new-rule.mjs) writes a rule that type-checks against the real
 * Rule contract and is listed in the rule table, a docs page with every section a rule page needs,
 * and a test — in a copy of the repository, so this checkout is left alone.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { cpSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import ts from 'typescript';
import { repoRoot } from '../../support/paths';
import { scratchDir } from '../../support/test-cleanup';
import { readSnapshotCases } from '../../support/rule-snapshots';

const script = join(repoRoot, 'scripts', 'new-rule.mjs');

function checkout(): string {
  const root = scratchDir('new-rule-');
  cpSync(join(repoRoot, 'server', 'src'), join(root, 'server', 'src'), { recursive: true });
  return root;
}

const scaffold = (root: string, ...args: string[]) => spawnSync(process.execPath, [script, ...args, '--root', root], { encoding: 'utf8' });

describe('npm run new-rule', function () {
  this.timeout(60_000);

  it('writes the rule, lists it in the rule table, and the rule type-checks against the real Rule contract', () => {
    const root = checkout();
    const result = scaffold(root, 'ban-drop-database');
    assert.equal(result.status, 0, result.stderr);
    assert.match(result.stdout, /wrote server\/src\/lint\/rules\/ban-drop-database\.ts/);
    const index = readFileSync(join(root, 'server', 'src', 'lint', 'rules', 'index.ts'), 'utf8');
    assert.match(index, /^import banDropDatabase from '\.\/ban-drop-database';$/m);
    assert.match(index, /\n {2}banDropDatabase,\n\];/);
    // The rule file alone: it pulls in the Rule contract and the SQL helpers it uses (the table is a plain import list).
    const program = ts.createProgram([join(root, 'server', 'src', 'lint', 'rules', 'ban-drop-database.ts')], {
      strict: true,
      noEmit: true,
      skipLibCheck: true,
      module: ts.ModuleKind.Node16,
      moduleResolution: ts.ModuleResolutionKind.Node16,
      target: ts.ScriptTarget.ES2022,
      esModuleInterop: true,
      types: ['node'],
      typeRoots: [join(repoRoot, 'node_modules', '@types')],
      baseUrl: repoRoot,
      paths: { '*': [join(repoRoot, 'node_modules', '*')] },
    });
    const problems = ts.getPreEmitDiagnostics(program).map((d) => ts.flattenDiagnosticMessageText(d.messageText, '\n'));
    assert.deepEqual(problems, []);
  });

  it('writes a docs page with every section a rule page needs, and a test that fails until the rule is written', () => {
    const root = checkout();
    assert.equal(scaffold(root, 'ban-drop-database').status, 0);
    const page = readFileSync(join(root, 'docs', 'rules', 'ban-drop-database.md'), 'utf8');
    assert.match(page, /^# ban-drop-database$/m);
    for (const heading of [/^## What it flags$/m, /^## Why it hurts in production$/m, /^## Safe alternative$/m, /^## Example\n\n```sql\n/m, /^## Suppress$/m])
      assert.match(page, heading);
    const test = readFileSync(join(root, 'test', 'unit', 'rules', 'ban-drop-database.test.ts'), 'utf8');
    assert.match(test, /const RULE = 'ban-drop-database';/);
    assert.match(test, /Fails until the rule is written/);
    const syntax = ts.transpileModule(test, { reportDiagnostics: true, compilerOptions: { module: ts.ModuleKind.CommonJS } });
    assert.deepEqual(syntax.diagnostics, []);
  });

  it('writes the snapshot cases the rule snapshot test reads, with one case to replace', () => {
    const root = checkout();
    const result = scaffold(root, 'ban-drop-database');
    assert.equal(result.status, 0, result.stderr);
    assert.match(result.stdout, /test\/unit\/lint\/snapshot-cases\/ban-drop-database\.sql/);
    const path = join(root, 'test', 'unit', 'lint', 'snapshot-cases', 'ban-drop-database.sql');
    const cases = readSnapshotCases(path);
    assert.deepEqual(
      cases.map((c) => [c.name, c.files]),
      [['the statement it is about', { '001_test.sql': 'SELECT 1;\n' }]],
    );
    assert.match(readFileSync(path, 'utf8'), /UPDATE_SNAPSHOTS=1/);
  });

  it('refuses a name that is not a rule id, or a rule that exists, naming the problem and changing nothing', () => {
    const root = checkout();
    const before = readFileSync(join(root, 'server', 'src', 'lint', 'rules', 'index.ts'), 'utf8');
    const bad = scaffold(root, 'Ban_Drop');
    assert.equal(bad.status, 2);
    assert.match(bad.stderr, /"Ban_Drop" is not a rule id: lower-case words joined by hyphens/);
    const existing = scaffold(root, 'ban-cascade');
    assert.equal(existing.status, 2);
    assert.match(existing.stderr, /ban-cascade\.ts already exists/);
    const none = scaffold(root);
    assert.equal(none.status, 2);
    assert.match(none.stderr, /usage: npm run new-rule NAME/);
    assert.equal(readFileSync(join(root, 'server', 'src', 'lint', 'rules', 'index.ts'), 'utf8'), before);
  });
});
