import assert from 'node:assert/strict';
import { join } from 'node:path';
import { applyEdits, ensureParser, flagged, lintFiles, lintSql } from '../../support/lint';
import { parseStatements } from '../../../server/src/sql/statements';

const RULE = 'rollback-incomplete';

const UP = `-- migrate:up
CREATE TABLE invoices (id bigint, tenant_id bigint);
CREATE INDEX invoices_tenant_idx ON invoices (tenant_id);
ALTER TABLE users ADD COLUMN plan text;
CREATE INDEX users_plan_idx ON users (plan);
ALTER TABLE users ENABLE ROW LEVEL SECURITY;
CREATE POLICY users_tenant ON users USING (true);
CREATE FUNCTION touch() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN RETURN NEW; END $$;
CREATE TRIGGER users_touch BEFORE UPDATE ON users FOR EACH ROW EXECUTE FUNCTION touch();
CREATE TYPE mood AS ENUM ('ok');
CREATE SEQUENCE counter_seq;
CREATE VIEW v AS SELECT 1;
`;

describe('rule rollback-incomplete', () => {
  before(ensureParser);

  describe('knows what a rollback removes without naming it', () => {
    it('an enum swapped by rename in the up and swapped back in the down', () => {
      const sql = `-- migrate:up
ALTER TYPE status RENAME TO status_old;
CREATE TYPE status AS ENUM ('new', 'done', 'archived');
ALTER TABLE tasks ALTER COLUMN status TYPE status USING status::text::status;
DROP TYPE status_old;
-- migrate:down
ALTER TYPE status RENAME TO status_new;
CREATE TYPE status AS ENUM ('new', 'done');
ALTER TABLE tasks ALTER COLUMN status TYPE status USING status::text::status;
DROP TYPE status_new;
`;
      assert.deepEqual(lintSql(sql, RULE), []);
    });

    it('an index and a constraint on a column the down drops, and a TEMP table', () => {
      const sql = `-- migrate:up
ALTER TABLE users ADD COLUMN org_id bigint;
CREATE INDEX users_org_email_idx ON users (email, org_id);
ALTER TABLE users ADD CONSTRAINT users_org_fk FOREIGN KEY (org_id) REFERENCES orgs (id);
CREATE TEMP TABLE staging AS SELECT id FROM users;
CREATE TEMPORARY TABLE staging2 (id bigint);
-- migrate:down
ALTER TABLE users DROP COLUMN org_id;
`;
      assert.deepEqual(lintSql(sql, RULE), []);
    });

    it('still flags a new type the down never removes', () => {
      const sql = `-- migrate:up
CREATE TYPE mood AS ENUM ('ok');
CREATE TABLE t (id bigint);
-- migrate:down
DROP TABLE t;
`;
      assert.deepEqual(
        lintSql(sql, RULE).map((f) => flagged(sql, f)),
        ["CREATE TYPE mood AS ENUM ('ok');"],
      );
    });
  });

  it('is quiet where the layout has no downs by design, and with lint.rollbacks "off"', () => {
    const sql = `${UP}-- migrate:down\nDROP TABLE IF EXISTS invoices;\n`;
    assert.deepEqual(lintFiles({ '001_test.sql': sql }, { rule: RULE, policy: { rollbacks: 'off' } }).findings, []);
  });

  describe('fires', () => {
    it('on each up statement whose object the down leaves behind, naming it', () => {
      const sql = `${UP}-- migrate:down\nDROP TABLE IF EXISTS invoices;\n`;
      const findings = lintSql(sql, RULE);
      assert.deepEqual(
        findings.map((f) => flagged(sql, f).split(' ').slice(0, 3).join(' ')),
        [
          'ALTER TABLE users',
          'CREATE INDEX users_plan_idx',
          'ALTER TABLE users',
          'CREATE POLICY users_tenant',
          'CREATE FUNCTION touch()',
          'CREATE TRIGGER users_touch',
          'CREATE TYPE mood',
          'CREATE SEQUENCE counter_seq;',
          'CREATE VIEW v',
        ],
      );
      assert.match(findings[0].message, /creates column users\.plan, but the down section does not undo it.*ALTER TABLE users DROP COLUMN IF EXISTS plan;/);
      assert.match(findings[2].message, /enables row level security on users/);
    });

    it('when the down drops the wrong function overload', () => {
      const sql = `CREATE FUNCTION f(a int) RETURNS int LANGUAGE sql AS 'select 1';\n-- migrate:down\nDROP FUNCTION IF EXISTS f(bigint);\n`;
      assert.equal(lintSql(sql, RULE).length, 1);
    });

    it('on a rename the down does not rename back, with the rename-back as the fix', () => {
      const sql = `ALTER TABLE users RENAME COLUMN name TO full_name;\nALTER TABLE users ADD COLUMN nickname text;\n-- migrate:down\nALTER TABLE users DROP COLUMN IF EXISTS nickname;\n`;
      const findings = lintSql(sql, RULE);
      assert.equal(findings.length, 1);
      assert.equal(flagged(sql, findings[0]), 'ALTER TABLE users RENAME COLUMN name TO full_name;');
      assert.match(findings[0].message, /renames column users\.name to full_name, but the down section does not rename it back/);
      const fixed = applyEdits(sql, findings[0].fixes[0].edits);
      assert.ok(fixed.endsWith('ALTER TABLE users DROP COLUMN IF EXISTS nickname;\nALTER TABLE users RENAME COLUMN full_name TO name;\n'));
      assert.deepEqual(lintSql(fixed, RULE), []);
    });

    it('on the up file of a paired migration whose down file forgets the index', () => {
      const { findings } = lintFiles(
        {
          '007_a.up.sql': 'ALTER TABLE users ADD COLUMN a int;\nCREATE INDEX CONCURRENTLY users_a_idx ON users (a);\n',
          '007_a.down.sql': 'ALTER TABLE users DROP COLUMN IF EXISTS b;\n',
        },
        { rule: RULE },
      );
      assert.equal(findings.length, 2);
    });
  });

  describe('does not fire', () => {
    it('when the down reverses everything, counting what goes away with a dropped table or column', () => {
      const sql = `${UP}-- migrate:down
DROP VIEW IF EXISTS v;
DROP SEQUENCE IF EXISTS counter_seq;
DROP TYPE IF EXISTS mood;
DROP FUNCTION IF EXISTS touch() CASCADE;
DROP POLICY IF EXISTS users_tenant ON users;
ALTER TABLE users DISABLE ROW LEVEL SECURITY;
ALTER TABLE users DROP COLUMN IF EXISTS plan;
DROP TABLE IF EXISTS invoices;
`;
      assert.deepEqual(lintSql(sql, RULE), []);
    });

    it('without a down (require-rollback says that), for objects the up drops again, or for renamed objects dropped by their new name', () => {
      assert.deepEqual(lintSql(UP, RULE), []);
      assert.deepEqual(lintSql(`CREATE TABLE tmp (id int);\nDROP TABLE tmp;\nCREATE TABLE a (id int);\nALTER TABLE a RENAME TO b;\n-- migrate:down\nDROP TABLE b;\n`, RULE), []);
    });

    it('when the up replaces an existing function and the down restores the previous definition', () => {
      const sql = `CREATE OR REPLACE FUNCTION has_role(u uuid) RETURNS boolean LANGUAGE sql AS 'select true';
-- migrate:down
CREATE OR REPLACE FUNCTION has_role(u uuid) RETURNS boolean LANGUAGE sql AS 'select false';
`;
      assert.deepEqual(lintSql(sql, RULE), []);
    });

    it('while the down section has a statement that does not parse (syntax-error reports it)', () => {
      const sql = `CREATE TABLE a (id int);\nCREATE INDEX i ON b (x);\n-- migrate:down\nDROP INDX i;\nDROP TABLE a;\n`;
      assert.deepEqual(lintFiles({ '001_test.sql': sql }, { rule: RULE, allowSyntaxErrors: true }).findings, []);
    });

    it('for DDL in the down section reversed by a DO block', () => {
      const sql = `CREATE TYPE mood AS ENUM ('ok');\n-- migrate:down\nDO $$ BEGIN\n  DROP TYPE IF EXISTS mood;\nEND $$;\n`;
      assert.deepEqual(lintSql(sql, RULE), []);
    });
  });

  describe('fix: add the missing reversal', () => {
    it('inserts it before the reversal of older up statements, so the rollback still runs newest first', () => {
      const sql = `CREATE TYPE mood AS ENUM ('ok');\nALTER TABLE users ADD COLUMN mood mood;\nCREATE INDEX users_mood_idx ON users (id);\n-- migrate:down\nDROP TYPE IF EXISTS mood;\n`;
      const findings = lintSql(sql, RULE);
      assert.equal(findings.length, 2);
      const all = findings[0].fixes.find((f) => f.title.startsWith('Add all'))!;
      const fixed = applyEdits(sql, all.edits);
      assert.equal(
        fixed.slice(fixed.indexOf('-- migrate:down')),
        `-- migrate:down\nDROP INDEX IF EXISTS users_mood_idx;\nALTER TABLE users DROP COLUMN IF EXISTS mood;\nDROP TYPE IF EXISTS mood;\n`,
      );
      assert.deepEqual(lintSql(fixed, RULE), []);
      assert.ok(parseStatements(fixed).every((s) => !s.syntaxError));
      const one = applyEdits(sql, findings[1].fixes[0].edits);
      assert.equal(lintSql(one, RULE).length, 1);
    });

    it('edits a separate rollback file', () => {
      const { findings, dir } = lintFiles(
        { '008_p.sql': 'CREATE TABLE p (id int);\nCREATE POLICY p_all ON q USING (true);\n', 'rollback/008_p.sql': 'DROP TABLE IF EXISTS p;' },
        { rule: RULE },
      );
      assert.equal(findings.length, 1);
      assert.deepEqual(findings[0].fixes[0].otherFileEdits, [
        { path: join(dir, 'rollback', '008_p.sql'), edits: [{ start: 0, end: 0, newText: 'DROP POLICY IF EXISTS p_all ON q;\n' }] },
      ]);
    });
  });
});
