import assert from 'node:assert/strict';
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { discoverMigrations } from '../../../../server/src/migrations/discovery';
import { gooseVersion, parseGooseFile } from '../../../../server/src/migrations/layouts/goose';
import { parseStatements } from '../../../../server/src/sql/statements';
import { scratchDir } from '../../../support/test-cleanup';
import { ensureParser, lintFiles } from '../../../support/lint';

function folder(files: Record<string, string>): string {
  const dir = scratchDir('goose-');
  for (const [rel, text] of Object.entries(files)) {
    mkdirSync(dirname(join(dir, rel)), { recursive: true });
    writeFileSync(join(dir, rel), text);
  }
  return dir;
}

const MINIMAL = '-- +goose Up\nCREATE TABLE t (id int);\n-- +goose Down\nDROP TABLE t;\n';

const FUNCTION = `-- +goose Up
-- +goose StatementBegin
CREATE FUNCTION touch() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  NEW.updated_at := now();
  RETURN NEW;
END;
$$
-- +goose StatementEnd
CREATE TABLE t (id int, updated_at timestamptz);

-- +goose Down
DROP TABLE t;
DROP FUNCTION touch();
`;

describe('migrations/layouts/goose: files read as goose reads them', () => {
  before(() => ensureParser());

  it("reads -- +goose Up and -- +goose Down as the up and down sections (the issue's minimal case)", () => {
    const dir = folder({ '20240101000000_create_t.sql': MINIMAL });
    const found = discoverMigrations(dir);
    assert.equal(found.layout, 'goose');
    assert.match(found.layoutEvidence!, /\+goose Up in 1 of 1/);
    assert.deepEqual(found.problems, []);
    const [m] = found.migrations;
    assert.deepEqual([m.version, m.name], ['20240101000000', 'create_t']);
    assert.equal(m.up.text, 'CREATE TABLE t (id int);\n');
    assert.equal(m.down?.text, 'DROP TABLE t;\n');
    assert.equal(m.execution.layout, 'goose');
    assert.equal(m.execution.transaction, 'wrapped');
    assert.deepEqual(m.blockedReasons, []);
  });

  it('numbers files as goose does: the digits before the first "_" are the version, the rest the name', () => {
    assert.deepEqual(gooseVersion('20240821170947_0_42_3.sql'), { version: '20240821170947', name: '0_42_3' });
    assert.deepEqual(gooseVersion('00001_create_users_table.sql'), { version: '00001', name: 'create_users_table' });
    assert.ok('error' in gooseVersion('0_zero.sql'));
    assert.ok('error' in gooseVersion('create.sql'));
    assert.ok('error' in gooseVersion('v1_x.sql'));
    const dir = folder({ '20240821170947_0_42_3.sql': MINIMAL, '20240821170948_1_0.sql': '-- +goose Up\nSELECT 1;\n' });
    assert.deepEqual(
      discoverMigrations(dir).migrations.map((m) => [m.version, m.name]),
      [
        ['20240821170947', '0_42_3'],
        ['20240821170948', '1_0'],
      ],
    );
  });

  it('StatementBegin/End is a statement boundary even without a semicolon: no false syntax error on a function body', () => {
    const parsed = parseGooseFile(FUNCTION);
    assert.equal(parsed.error, undefined);
    const dir = folder({ '001_touch.sql': FUNCTION });
    const [m] = discoverMigrations(dir).migrations;
    const statements = parseStatements(m.up.text, m.up.offset, m.up.breaks);
    assert.deepEqual(
      statements.map((s) => [s.text.split(/\s+/).slice(0, 3).join(' '), s.syntaxError?.message]),
      [
        ['CREATE FUNCTION touch()', undefined],
        ['CREATE TABLE t', undefined],
      ],
    );
    const { findings } = lintFiles({ '001_touch.sql': FUNCTION });
    assert.deepEqual(
      findings.filter((f) => f.rule === 'syntax-error'),
      [],
    );
    // Without goose's boundary the two statements run together: the same text in a dbmate file is one broken statement.
    const asDbmate = lintFiles({ '001_touch.sql': FUNCTION.replace(/-- \+goose (Up|Down|StatementBegin|StatementEnd)\n/g, '') }, { allowSyntaxErrors: true });
    assert.equal(asDbmate.findings.filter((f) => f.rule === 'syntax-error').length, 1);
  });

  it('-- +goose NO TRANSACTION anywhere in the file: runs without a transaction', () => {
    const text = '-- +goose NO TRANSACTION\n-- +goose Up\nCREATE INDEX CONCURRENTLY i ON t (id);\n-- +goose Down\nDROP INDEX CONCURRENTLY i;\n';
    const [m] = discoverMigrations(folder({ '002_index.sql': text })).migrations;
    assert.equal(m.execution.transaction, 'none');
    assert.equal(m.execution.canRunTwice, true);
    assert.equal(m.noTransactionDirective, true);
    // Annotations are case-insensitive in goose.
    const [lower] = discoverMigrations(folder({ '002_index.sql': text.replace('NO TRANSACTION', 'no transaction') })).migrations;
    assert.equal(lower.execution.transaction, 'none');
  });

  it('ENVSUB ON: ${VAR} stays as written, with an info note where it appears; OFF stops noting', () => {
    const text = "-- +goose Up\n-- +goose ENVSUB ON\nCREATE ROLE ${APP_ROLE};\n-- +goose ENVSUB OFF\nSELECT '${NOT_SUBSTITUTED}';\n-- +goose Down\nSELECT 1;\n";
    const found = discoverMigrations(folder({ '003_role.sql': text }));
    assert.match(found.migrations[0].up.text, /CREATE ROLE \$\{APP_ROLE\};/);
    const notes = found.problems.filter((p) => p.code === 'layout-note');
    assert.equal(notes.length, 1);
    assert.equal(notes[0].severity, 'info');
    assert.match(notes[0].message, /\$\{APP_ROLE\} is left as written/);
    assert.equal(notes[0].offset, text.indexOf('${APP_ROLE}'));
  });

  it('a Go migration is a hole in the chain: listed, blocked as "cannot run here (Go migration)"; _test.go and helpers are not migrations', () => {
    const found = discoverMigrations(
      folder({
        '001_a.sql': MINIMAL,
        '002_backfill.go': 'package migrations\n',
        '002_backfill_test.go': 'package migrations\n',
        'main.go': 'package main\n',
        '003_c.sql': '-- +goose Up\nSELECT 1;\n',
      }),
    );
    assert.deepEqual(
      found.migrations.map((m) => [m.version, m.hole, m.blockedReasons]),
      [
        ['001', undefined, []],
        ['002', 'cannot run here (Go migration)', ['cannot run here (Go migration)']],
        ['003', undefined, []],
      ],
    );
    assert.ok(found.unused.some((u) => u.path.endsWith('002_backfill.go')));
    assert.ok(found.unused.some((u) => u.path.endsWith('main.go')));
    assert.ok(!found.migrations.some((m) => m.name.includes('test')));
  });

  it('what goose refuses is a problem with its line, and blocks apply: SQL before Up, an unclosed StatementBegin, a missing semicolon, an unknown annotation', () => {
    const cases: Record<string, [string, RegExp]> = {
      '001_a.sql': ['SELECT 1;\n-- +goose Up\nSELECT 2;\n', /line 1\): SQL before '-- \+goose Up'/],
      '002_b.sql': ['-- +goose Up\n-- +goose StatementBegin\nSELECT 1;\n', /never closed by '-- \+goose StatementEnd'/],
      '003_c.sql': ['-- +goose Up\nSELECT 1\n-- +goose Down\nSELECT 2;\n', /line 2\): the last up statement has no semicolon/],
      '004_d.sql': ['-- +goose Up\n-- +goose Upp\nSELECT 1;\n', /line 2\): "Upp" is not a goose annotation/],
      '005_e.sql': ['-- +goose Up\n  -- +goose Down\nSELECT 1;\n', /line 2\): an annotation must start at the beginning of its line/],
    };
    const files = Object.fromEntries(Object.entries(cases).map(([k, [t]]) => [k, t]));
    const found = discoverMigrations(folder(files));
    assert.equal(found.layout, 'goose');
    for (const [name, [, expected]] of Object.entries(cases)) {
      const problem = found.problems.find((p) => p.path.endsWith(name) && p.code === 'layout-error');
      assert.ok(problem, `${name}: ${JSON.stringify(found.problems)}`);
      assert.match(problem.message, expected);
      const m = found.migrations.find((x) => x.up.file.path.endsWith(name))!;
      assert.ok(
        m.blockedReasons.some((r) => expected.test(r)),
        `${name} is blocked: ${m.blockedReasons}`,
      );
    }
  });

  it('lint reads the Down section as a down: require-rollback is quiet, and DROP TABLE in the down is not judged as an up', () => {
    const { findings } = lintFiles({ '20240101000000_create_t.sql': MINIMAL });
    assert.deepEqual(
      findings.map((f) => f.rule).filter((r) => r === 'require-rollback' || r === 'ban-drop-table'),
      [],
    );
    const noDown = lintFiles({ '20240101000000_create_t.sql': '-- +goose Up\nCREATE TABLE t (id int);\n' });
    const rollback = noDown.findings.find((f) => f.rule === 'require-rollback');
    assert.ok(rollback, 'a goose file without a Down still needs one');
    const generated = rollback.fixes.find((f) => /Generate rollback/.test(f.title));
    assert.match(generated?.edits[0]?.newText ?? '', /^\n?-- \+goose Down\nDROP TABLE IF EXISTS t;/m, 'the generated rollback is a goose Down section');
  });
});
