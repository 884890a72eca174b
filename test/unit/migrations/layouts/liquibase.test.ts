/**
 * Liquibase formatted SQL changelogs: each `--changeset author:id` one migration, `--rollback`
 * lines and blocks its down, `--precondition-sql-check` its pre-check, and the changeset
 * attributes that change how it runs. The fixture (test/fixtures/layouts/liquibase) follows
 * Liquibase's "SQL format" documentation.
 */
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { discoverMigrations } from '../../../../server/src/migrations/discovery';
import { parseFormattedSql } from '../../../../server/src/migrations/layouts/liquibase';
import { SourceFile } from '../../../../server/src/sql/source';
import { parseStatements } from '../../../../server/src/sql/statements';
import { writeFiles } from '../../../support/databases';
import { buildLintUnit } from '../../../../server/src/lint/unit';
import { lintUnit } from '../../../../server/src/lint/engine';
import { ensureParser } from '../../../support/lint';
import { repoRoot } from '../../../support/paths';
import { scratchDir } from '../../../support/test-cleanup';

const fixture = join(repoRoot, 'test', 'fixtures', 'layouts', 'liquibase', 'changelog');
const statements = (s: { text: string; offset: number; breaks?: number[] } | undefined) =>
  s ? parseStatements(s.text, s.offset, s.breaks).map((st) => st.text.replace(/\s+/g, ' ').trim()) : [];

describe('migrations/layouts/liquibase: formatted SQL changesets as Liquibase reads them', () => {
  before(() => ensureParser());

  it('reads every changeset of the fixture as one migration, in file and changeset order', () => {
    const found = discoverMigrations(fixture);
    assert.equal(found.layout, 'liquibase');
    assert.match(found.layoutEvidence!, /--liquibase formatted sql in 2 files/);
    assert.deepEqual(
      found.migrations.map((m) => [m.version, m.execution.transaction, m.execution.canRunTwice]),
      [
        ['alice:1', 'wrapped', false],
        ['alice:2', 'wrapped', false],
        ['bob:3', 'none', true],
        ['carol:touch-function', 'wrapped', false],
        ['carol:seed', 'wrapped', true],
      ],
    );
    // dbms:mysql is skipped by Liquibase on PostgreSQL: listed, not run.
    assert.deepEqual(
      found.unused.map((u) => u.why),
      ['changeset bob:4 (changes/001-accounts.sql:24) is for dbms mysql: Liquibase skips it on PostgreSQL'],
    );
    assert.deepEqual(
      found.problems.filter((p) => p.severity !== 'info'),
      [],
    );
    assert.deepEqual(
      found.problems.map((p) => p.message),
      [
        'changeset alice:2: context prod (Liquibase runs it only for that context; Tidemark runs it in every environment)',
        'changeset alice:2: labels billing (Liquibase runs it only when they are selected; Tidemark always does)',
      ],
    );
  });

  it("takes --rollback lines and /* liquibase rollback */ blocks as the down, every offset the file's own", () => {
    const [one, two, three, fn, seed] = discoverMigrations(fixture).migrations;
    assert.deepEqual(statements(one.up), ['CREATE TABLE accounts ( id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY, name text NOT NULL );']);
    assert.deepEqual(statements(one.down), ['DROP TABLE accounts;']);
    assert.deepEqual(statements(two.down), ['ALTER TABLE accounts DROP COLUMN plan;']);
    assert.deepEqual(statements(three.down), ['DROP INDEX CONCURRENTLY IF EXISTS accounts_name_idx;']);
    assert.deepEqual(statements(fn.down), ['ALTER TABLE accounts DROP COLUMN updated_at;', 'DROP FUNCTION touch_updated_at();']);
    // `--rollback not required`: a down that runs nothing.
    assert.deepEqual(statements(seed.down), []);
    assert.match(seed.down!.text, /--rollback not required/);
    for (const m of [one, two, three, fn, seed]) {
      for (const s of [m.up, m.down, m.precheck]) {
        if (!s) continue;
        assert.equal(s.file.path, join(fixture, m.version.startsWith('carol') ? 'changes/002-functions.sql' : 'changes/001-accounts.sql'));
        for (const st of parseStatements(s.text, s.offset, s.breaks)) assert.equal(s.file.text.slice(st.start, st.end).trim(), st.text.trim(), `${m.version} ${s.kind}`);
      }
    }
  });

  it('turns --precondition-sql-check expectedResult:N into a pre-check whose query must return N', () => {
    const three = discoverMigrations(fixture).migrations[2];
    const checks = parseStatements(three.precheck!.text, three.precheck!.offset);
    assert.deepEqual(
      checks.map((s) => [s.text, s.leadingComments]),
      [["SELECT count(*) FROM pg_indexes WHERE indexname = 'accounts_name_idx'", ['-- expect: 0']]],
    );
    assert.deepEqual(statements(three.up), ['CREATE INDEX CONCURRENTLY accounts_name_idx ON accounts (name);']);
  });

  it('ends statements at endDelimiter (a "/" line), blanked out of the SQL the server receives', () => {
    const fn = discoverMigrations(fixture).migrations[3];
    const sql = statements(fn.up);
    assert.equal(sql.length, 2);
    assert.match(sql[0], /^CREATE FUNCTION touch_updated_at\(\).*\$\$$/);
    assert.equal(sql[1], 'ALTER TABLE accounts ADD COLUMN updated_at timestamptz NOT NULL DEFAULT now()');
    assert.ok(!fn.up.text.includes('/\n'), 'the delimiter lines are blanked');
  });

  it('reports what Liquibase refuses, and SQL Liquibase would never run, naming the line', () => {
    const file = new SourceFile(
      '/x/changelog.sql',
      [
        '--liquibase formatted sql',
        'CREATE TABLE before_any_changeset (id int);',
        '--changeset nobody',
        '--changeset a:1',
        '--changeset a:2',
        'SELECT 1;',
        '--precondition-table-exists table:t',
        "--precondition-sql-check 'x SELECT 1",
        '/* liquibase rollback',
        'DROP TABLE x;',
      ].join('\n'),
    );
    const parsed = parseFormattedSql(file);
    assert.deepEqual(
      parsed.problems.map((p) => `${file.positionAt(p.offset).line + 1} ${p.severity ?? 'error'}: ${p.message}`),
      [
        '2 warning: SQL before the first --changeset: Liquibase never runs it',
        '3 error: a --changeset line must be "--changeset author:id [attributes]"',
        '4 error: changeset a:1 has no SQL: Liquibase refuses the changelog ("No SQL for changeset")',
        '7 warning: --precondition-table-exists is not checked by Tidemark: write it as --precondition-sql-check (expectedResult:1 SELECT count(*) FROM pg_class WHERE ...) to have it checked',
        '8 error: cannot read a sql-check precondition from "\'x SELECT 1": write --precondition-sql-check expectedResult:VALUE SQL',
        '9 error: the Liquibase rollback comment is not closed (*/)',
      ],
    );
  });

  it('identifies changesets by author:id: the same pair twice is reported; ignore:true and other dbms are listed, not run', () => {
    const dir = scratchDir('liquibase-');
    writeFiles(dir, {
      'a.sql': '--liquibase formatted sql\n--changeset ann:1\nCREATE TABLE a (id int);\n--changeset ann:2 ignore:true\nCREATE TABLE ignored (id int);\n',
      'b.sql': '--liquibase formatted sql\n--changeset ann:1 dbms:postgresql,h2\nCREATE TABLE b (id int);\n--changeset ann:3 dbms:!postgresql\nCREATE TABLE c (id int);\n',
      'notes.sql': 'SELECT 1;\n',
    });
    const found = discoverMigrations(dir);
    assert.deepEqual(
      found.migrations.map((m) => m.version),
      ['ann:1', 'ann:1'],
    );
    assert.deepEqual(
      found.problems.map((p) => [p.code, p.message]),
      [['duplicate-version', 'changeset ann:1 at b.sql:2 is also at a.sql:2: Tidemark identifies a changeset by author:id, so each needs its own']],
    );
    assert.deepEqual(
      found.unused.map((u) => u.why),
      ['changeset ann:2 (a.sql:4) has ignore:true: Liquibase skips it', 'changeset ann:3 (b.sql:4) is for dbms !postgresql: Liquibase skips it on PostgreSQL'],
    );
  });
});

describe('migrations/layouts/liquibase: a changelog linted changeset by changeset', () => {
  before(() => ensureParser());

  it('lints each changeset with its own way of running: CONCURRENTLY is fine in the runInTransaction:false one only', () => {
    const dir = scratchDir('liquibase-lint-');
    const text = [
      '--liquibase formatted sql',
      '--changeset ann:1',
      'CREATE TABLE t (id bigint PRIMARY KEY);',
      'CREATE INDEX CONCURRENTLY t_a ON t (id);',
      '--rollback DROP TABLE t;',
      '--changeset ann:2 runInTransaction:false',
      'CREATE INDEX CONCURRENTLY IF NOT EXISTS t_b ON t (id);',
      '--rollback DROP INDEX CONCURRENTLY IF EXISTS t_b;',
      '',
    ].join('\n');
    writeFiles(dir, { 'changelog.sql': text });
    const unit = buildLintUnit(join(dir, 'changelog.sql'), text);
    assert.deepEqual([unit.version, ...(unit.siblings ?? []).map((s) => s.version)], ['ann:1', 'ann:2']);
    assert.deepEqual([unit.execution.transaction, unit.siblings![0].execution.transaction], ['wrapped', 'none']);
    const findings = lintUnit(unit).filter((f) => f.rule === 'transaction-incompatible-statement');
    // Only the first changeset mixes CONCURRENTLY with other statements; the second is on its own.
    assert.deepEqual(
      findings.map((f) => unit.file.positionAt(f.start).line + 1),
      [4],
    );
  });
});
