import assert from 'node:assert/strict';
import { join } from 'node:path';
import { applyEdits, ensureParser, flagged, lintFiles, lintSql } from '../../support/lint';
import { parseStatements } from '../../../server/src/sql/statements';
import { buildLintUnit } from '../../../server/src/lint/unit';
import { lintUnit } from '../../../server/src/lint/engine';
import { rulesById } from '../../../server/src/lint/rules';

const RULE = 'require-rollback';

describe('rule require-rollback', () => {
  before(ensureParser);

  it('is quiet where downs do not exist by design (Prisma, Drizzle...: execution.downsByDesign false)', () => {
    const sql = `-- migrate:up\nCREATE TABLE orders (id bigint);\n`;
    const unit = buildLintUnit('/nowhere/001_orders.sql', sql);
    const rules = [rulesById.get(RULE)!];
    assert.deepEqual(lintUnit({ ...unit, execution: { ...unit.execution, downsByDesign: false } }, { rules }), []);
    // lint.rollbacks "require" asks for one anyway.
    assert.equal(lintUnit({ ...unit, execution: { ...unit.execution, downsByDesign: false } }, { rules, policy: { rollbacks: 'require' } }).length, 1);
  });

  describe('fires', () => {
    it('on a one-file migration with no down section, once, on the first line of its first statement', () => {
      const sql = `-- migrate:up\nCREATE TABLE orders (\n  id bigint\n);\nCREATE INDEX orders_id_idx ON orders (id);\n`;
      const findings = lintSql(sql, RULE);
      assert.equal(findings.length, 1);
      assert.equal(flagged(sql, findings[0]), 'CREATE TABLE orders (');
      assert.match(findings[0].message, /no down section or rollback file/);
    });

    it('on an empty down section', () => {
      const findings = lintSql(`-- migrate:up\nCREATE TABLE t (id int);\n-- migrate:down\n-- nothing yet\n`, RULE);
      assert.equal(findings.length, 1);
      assert.match(findings[0].message, /down section is empty/);
    });

    it('on a paired .up.sql without its .down.sql', () => {
      const { findings } = lintFiles({ '002_orders.up.sql': 'CREATE TABLE orders (id int);' }, { rule: RULE });
      assert.equal(findings.length, 1);
    });
  });

  describe('does not fire', () => {
    it('when a down section has statements', () => {
      assert.deepEqual(lintSql(`CREATE TABLE t (id int);\n-- migrate:down\nDROP TABLE IF EXISTS t;\n`, RULE), []);
    });

    it('when the paired down file or the rollback/ folder file exists', () => {
      assert.deepEqual(lintFiles({ '002_a.up.sql': 'CREATE TABLE a (id int);', '002_a.down.sql': 'DROP TABLE IF EXISTS a;' }, { rule: RULE }).findings, []);
      assert.deepEqual(lintFiles({ '003_b.sql': 'CREATE TABLE b (id int);', 'rollback/003_b.sql': 'DROP TABLE IF EXISTS b;' }, { rule: RULE }).findings, []);
    });

    it('when the up changes nothing a rollback could restore: queries, settings, text that does not parse', () => {
      assert.deepEqual(lintSql(`SET lock_timeout = '1s';\nSELECT count(*) FROM users;\nANALYZE users;\n`, RULE), []);
      assert.deepEqual(lintFiles({ '001_test.sql': '\u0000\u0001garbage ;; \uffff SELEC 1;' }, { rule: RULE, allowSyntaxErrors: true }).findings, []);
    });

    it('on an empty file, on the down file itself, or when suppressed', () => {
      assert.deepEqual(lintSql('-- just a comment\n', RULE), []);
      assert.deepEqual(lintFiles({ '002_a.down.sql': '', '002_a.up.sql': 'CREATE TABLE a (id int);' }, { rule: RULE, linted: '002_a.down.sql' }).findings, []);
      assert.deepEqual(lintSql('-- tidemark-ignore require-rollback\nCREATE TABLE a (id int);', RULE), []);
    });
  });

  describe('fix: Generate rollback', () => {
    it('appends a down section that undoes the up, before a verify section', () => {
      const sql = `-- migrate:up\nCREATE TABLE orders (id bigint);\nALTER TABLE users ADD COLUMN nickname text;\n-- migrate:verify\nSELECT count(*) = 0 FROM orders;\n`;
      const fix = lintSql(sql, RULE)[0].fixes[0];
      assert.equal(fix.title, 'Generate rollback');
      const fixed = applyEdits(sql, fix.edits);
      assert.equal(
        fixed,
        `-- migrate:up\nCREATE TABLE orders (id bigint);\nALTER TABLE users ADD COLUMN nickname text;\n\n-- migrate:down\nALTER TABLE users DROP COLUMN IF EXISTS nickname;\nDROP TABLE IF EXISTS orders;\n\n-- migrate:verify\nSELECT count(*) = 0 FROM orders;\n`,
      );
      assert.deepEqual(lintSql(fixed, RULE), []);
      assert.ok(parseStatements(fixed).every((s) => !s.syntaxError));
    });

    it('works on a file without markers and without a trailing newline', () => {
      const sql = 'CREATE INDEX CONCURRENTLY i ON t (a)';
      const fixed = applyEdits(sql, lintSql(sql, RULE)[0].fixes[0].edits);
      assert.equal(fixed, 'CREATE INDEX CONCURRENTLY i ON t (a)\n\n-- migrate:down\nDROP INDEX CONCURRENTLY IF EXISTS i;\n');
      assert.deepEqual(lintSql(fixed, RULE), []);
    });

    it('creates the down file where the layout keeps it', () => {
      for (const [upName, downName] of [
        ['004_x.up.sql', '004_x.down.sql'],
        ['V4__x.sql', 'U4__x.sql'],
      ]) {
        const { findings, dir } = lintFiles({ [upName]: 'CREATE TABLE x (id int);' }, { rule: RULE });
        const fix = findings[0].fixes[0];
        assert.deepEqual(fix.edits, []);
        assert.deepEqual(fix.createFiles, [{ path: join(dir, downName), text: 'DROP TABLE IF EXISTS x;\n' }]);
      }
      const { findings, dir } = lintFiles({ '005_y.sql': 'CREATE TABLE y (id int);', 'rollback/001_old.sql': 'SELECT 1;' }, { rule: RULE });
      assert.deepEqual(findings[0].fixes[0].createFiles, [{ path: join(dir, 'rollback', '005_y.sql'), text: 'DROP TABLE IF EXISTS y;\n' }]);
      assert.equal(findings[0].fixes[1].title, 'Generate rollback as a down section');
    });

    it('fills an empty paired down file in place', () => {
      const { findings, dir } = lintFiles({ '006_z.up.sql': "CREATE TYPE z AS ENUM ('a');", '006_z.down.sql': '-- todo\n' }, { rule: RULE });
      const fix = findings[0].fixes[0];
      assert.deepEqual(fix.otherFileEdits, [{ path: join(dir, '006_z.down.sql'), edits: [{ start: 8, end: 8, newText: 'DROP TYPE IF EXISTS z;\n' }] }]);
    });
  });
});
