import assert from 'node:assert/strict';
import { applyEdits, ensureParser, flagged, lintFiles, lintSql as lintAuto } from '../../support/lint';
import { parseStatements } from '../../../server/src/sql/statements';
import type { Finding } from '../../../server/src/lint/types';

const RULE = 'non-idempotent-ddl';

/** As a project that re-runs files by hand (lint.idempotency "require", like migrations-sample). */
function lintSql(sql: string, rule: string): Finding[] {
  return lintFiles({ '001_test.sql': sql }, { rule, policy: { idempotency: 'require' } }).findings;
}

/** Applies the first (rule) fix of every finding, then checks the text parses and is clean. */
function fixAll(sql: string): string {
  let text = sql;
  // Fixes are computed on the original text: apply them one finding at a time, re-linting in between.
  for (let round = 0; round < 50; round++) {
    const finding = lintSql(text, RULE).find((f: Finding) => f.fixes[0] && !f.fixes[0].title.startsWith('Ignore'));
    if (!finding) break;
    text = applyEdits(text, finding.fixes[0].edits);
  }
  return text;
}

function assertParses(sql: string): void {
  assert.deepEqual(
    parseStatements(sql)
      .filter((s) => s.syntaxError)
      .map((s) => `${s.text}: ${s.syntaxError!.message}`),
    [],
  );
}

describe('rule non-idempotent-ddl', () => {
  before(ensureParser);

  describe('where a statement can run twice', () => {
    const sql = `CREATE TABLE orders (id bigint);\nCREATE INDEX orders_id_idx ON orders (id);`;
    it('is quiet by default in a migration the runner wraps in a transaction and records: it never runs twice', () => {
      assert.deepEqual(lintAuto(sql, RULE), []);
    });
    it('fires by default in a no-transaction migration, which a resume re-runs from the failed statement', () => {
      assert.equal(lintAuto(`-- tidemark:no-transaction\n${sql}`, RULE).length, 2);
    });
    it('fires everywhere with lint.idempotency "require", and nowhere with "off"', () => {
      assert.equal(lintSql(sql, RULE).length, 2);
      const off = lintFiles({ '001_test.sql': `-- tidemark:no-transaction\n${sql}` }, { rule: RULE, policy: { idempotency: 'off' } }).findings;
      assert.deepEqual(off, []);
    });
  });

  describe('fires', () => {
    it('on CREATE TABLE/INDEX/SEQUENCE/SCHEMA/EXTENSION/MATERIALIZED VIEW and ADD COLUMN without IF NOT EXISTS', () => {
      const sql = `CREATE TABLE orders (id int);
CREATE INDEX orders_id_idx ON orders (id);
CREATE SEQUENCE s;
CREATE SCHEMA billing;
CREATE EXTENSION pgcrypto;
CREATE MATERIALIZED VIEW mv AS SELECT 1;
ALTER TABLE users ADD COLUMN plan text, ADD COLUMN IF NOT EXISTS ok int;`;
      const findings = lintSql(sql, RULE);
      assert.deepEqual(
        findings.map((f) => flagged(sql, f)),
        [
          'CREATE TABLE orders (id int);',
          'CREATE INDEX orders_id_idx ON orders (id);',
          'CREATE SEQUENCE s;',
          'CREATE SCHEMA billing;',
          'CREATE EXTENSION pgcrypto;',
          'CREATE MATERIALIZED VIEW mv AS SELECT 1;',
          'ADD COLUMN plan text',
        ],
      );
      assert.match(findings[1].message, /CREATE INDEX orders_id_idx fails when the migration runs again.*IF NOT EXISTS/);
    });

    it('on ADD COLUMN of a foreign table and ADD ATTRIBUTE of a type, which PostgreSQL parses as ALTER TABLE too', () => {
      const sql = `ALTER FOREIGN TABLE remote_orders ADD COLUMN note text;
ALTER TYPE address ADD ATTRIBUTE zip text;`;
      assert.deepEqual(
        lintSql(sql, RULE).map((f) => flagged(sql, f)),
        ['ADD COLUMN note text', 'ADD ATTRIBUTE zip text'],
      );
    });

    it('on any DROP without IF EXISTS, in the down section too (DROP POLICY in a rollback)', () => {
      const sql = `CREATE POLICY IF_GUARDED_BELOW ON t USING (true);
-- migrate:down
DROP POLICY if_guarded_below ON t;
ALTER TABLE t DROP COLUMN a, DROP CONSTRAINT c;
DROP INDEX CONCURRENTLY i;
DROP FUNCTION f(int);
DROP ROLE reporting;`;
      const findings = lintSql(sql, RULE).filter((f) => f.start > sql.indexOf('-- migrate:down'));
      assert.deepEqual(
        findings.map((f) => flagged(sql, f)),
        ['DROP POLICY if_guarded_below ON t;', 'DROP COLUMN a', 'DROP CONSTRAINT c', 'DROP INDEX CONCURRENTLY i;', 'DROP FUNCTION f(int);', 'DROP ROLE reporting;'],
      );
      assert.match(findings[0].message, /DROP POLICY if_guarded_below ON t fails .*rollback runs after a half-applied up.*DROP POLICY IF EXISTS/);
      assert.match(findings[5].message, /^DROP ROLE reporting fails/);
    });

    it('on CREATE FUNCTION/PROCEDURE/VIEW without OR REPLACE', () => {
      const sql = `CREATE FUNCTION f() RETURNS int LANGUAGE sql AS 'select 1';
CREATE PROCEDURE p() LANGUAGE sql AS 'select 1';
CREATE VIEW v AS SELECT 1;`;
      assert.equal(lintSql(sql, RULE).length, 3);
    });

    it('on CREATE TRIGGER/POLICY, ADD CONSTRAINT and CREATE TYPE without a preceding drop or guard', () => {
      const sql = `CREATE TRIGGER t AFTER INSERT ON orders EXECUTE FUNCTION g();
CREATE POLICY p ON orders USING (true);
ALTER TABLE orders ADD CONSTRAINT amount_positive CHECK (amount > 0);
CREATE TYPE mood AS ENUM ('ok');
CREATE DOMAIN positive AS int CHECK (VALUE > 0);`;
      const findings = lintSql(sql, RULE);
      assert.equal(findings.length, 5);
      assert.match(findings[0].message, /CREATE TRIGGER t ON orders .*DROP TRIGGER IF EXISTS t ON orders.*CREATE OR REPLACE TRIGGER \(PostgreSQL 14\+\)/);
    });

    it('on unguarded DDL inside a DO block', () => {
      const sql = `DO $$\nBEGIN\n  CREATE INDEX i ON t (a);\nEND $$;`;
      const findings = lintSql(sql, RULE);
      assert.equal(findings.length, 1);
      assert.equal(flagged(sql, findings[0]), 'CREATE INDEX i ON t (a)');
    });
  });

  describe('does not fire', () => {
    it('on idempotent forms', () => {
      const sql = `CREATE TABLE IF NOT EXISTS orders (id int);
CREATE INDEX CONCURRENTLY IF NOT EXISTS orders_id_idx ON orders (id);
CREATE SEQUENCE IF NOT EXISTS s;
CREATE SCHEMA IF NOT EXISTS billing;
CREATE EXTENSION IF NOT EXISTS pgcrypto;
CREATE MATERIALIZED VIEW IF NOT EXISTS mv AS SELECT 1;
ALTER TABLE users ADD COLUMN IF NOT EXISTS plan text, DROP COLUMN IF EXISTS legacy, DROP CONSTRAINT IF EXISTS c;
CREATE OR REPLACE FUNCTION f() RETURNS int LANGUAGE sql AS 'select 1';
CREATE OR REPLACE VIEW v AS SELECT 1;
CREATE OR REPLACE TRIGGER t0 AFTER INSERT ON orders EXECUTE FUNCTION g();
DROP TRIGGER IF EXISTS t ON orders;
CREATE TRIGGER t AFTER INSERT ON orders EXECUTE FUNCTION g();
DROP POLICY IF EXISTS p ON orders;
CREATE POLICY p ON orders USING (true);
ALTER TABLE orders DROP CONSTRAINT IF EXISTS amount_positive;
ALTER TABLE orders ADD CONSTRAINT amount_positive CHECK (amount > 0);
DROP TYPE IF EXISTS mood;
CREATE TYPE mood AS ENUM ('ok');
-- migrate:down
DROP POLICY IF EXISTS p ON orders;
DROP TABLE IF EXISTS orders;
DROP INDEX CONCURRENTLY IF EXISTS orders_id_idx;`;
      assert.deepEqual(lintSql(sql, RULE), []);
    });

    it('on DDL under a DO-block existence guard or exception handler', () => {
      const sql = `DO $$
BEGIN
  IF NOT EXISTS (SELECT 1 FROM pg_policies WHERE policyname = 'tenant_isolation') THEN
    CREATE POLICY tenant_isolation ON orders USING (tenant_id = current_setting('app.tenant', true)::int);
  END IF;
END $$;
DO $$
BEGIN
  CREATE TYPE mood AS ENUM ('ok');
EXCEPTION WHEN duplicate_object THEN NULL;
END $$;`;
      assert.deepEqual(lintSql(sql, RULE), []);
    });

    it('on DDL in a function body (it runs when the function is called) or when suppressed', () => {
      assert.deepEqual(lintSql(`CREATE OR REPLACE FUNCTION mk() RETURNS void LANGUAGE plpgsql AS $$ BEGIN CREATE TABLE t (id int); END $$;`, RULE), []);
      assert.deepEqual(lintSql(`-- tidemark-ignore non-idempotent-ddl\nCREATE TABLE t (id int);`, RULE), []);
    });
  });

  describe('fixes', () => {
    it('insert the missing clause at its exact place', () => {
      const cases: Array<[string, string]> = [
        ['CREATE TABLE orders (id int);', 'CREATE TABLE IF NOT EXISTS orders (id int);'],
        ['CREATE UNLOGGED TABLE cache (k text);', 'CREATE UNLOGGED TABLE IF NOT EXISTS cache (k text);'],
        ['CREATE UNIQUE INDEX CONCURRENTLY i ON t (a);', 'CREATE UNIQUE INDEX CONCURRENTLY IF NOT EXISTS i ON t (a);'],
        ['CREATE INDEX ON orders (tenant_id, created_at);', 'CREATE INDEX IF NOT EXISTS orders_tenant_id_created_at_idx ON orders (tenant_id, created_at);'],
        ['create   materialized view mv as select 1;', 'create   materialized view IF NOT EXISTS mv as select 1;'],
        ['ALTER TABLE users ADD COLUMN plan text;', 'ALTER TABLE users ADD COLUMN IF NOT EXISTS plan text;'],
        ['ALTER TABLE users ADD plan text;', 'ALTER TABLE users ADD IF NOT EXISTS plan text;'],
        ['CREATE FUNCTION f() RETURNS int LANGUAGE sql AS $$select 1$$;', 'CREATE OR REPLACE FUNCTION f() RETURNS int LANGUAGE sql AS $$select 1$$;'],
        ['CREATE VIEW v AS SELECT 1;', 'CREATE OR REPLACE VIEW v AS SELECT 1;'],
        ['DROP TABLE a, b;', 'DROP TABLE IF EXISTS a, b;'],
        ['DROP INDEX CONCURRENTLY i;', 'DROP INDEX CONCURRENTLY IF EXISTS i;'],
        ['DROP MATERIALIZED VIEW /* old */ mv;', 'DROP MATERIALIZED VIEW IF EXISTS /* old */ mv;'],
        [
          'ALTER TABLE t DROP COLUMN a, DROP b, ALTER COLUMN c DROP DEFAULT, DROP CONSTRAINT k;',
          'ALTER TABLE t DROP COLUMN IF EXISTS a, DROP IF EXISTS b, ALTER COLUMN c DROP DEFAULT, DROP CONSTRAINT IF EXISTS k;',
        ],
        [
          '  CREATE TRIGGER t AFTER INSERT ON app.orders EXECUTE FUNCTION g();',
          '  DROP TRIGGER IF EXISTS t ON app.orders;\n  CREATE TRIGGER t AFTER INSERT ON app.orders EXECUTE FUNCTION g();',
        ],
        ['CREATE POLICY "Tenant" ON orders USING (true);', 'DROP POLICY IF EXISTS "Tenant" ON orders;\nCREATE POLICY "Tenant" ON orders USING (true);'],
        ['ALTER TABLE orders ADD CHECK (amount > 0);', 'ALTER TABLE orders DROP CONSTRAINT IF EXISTS orders_amount_check;\nALTER TABLE orders ADD CHECK (amount > 0);'],
        ["CREATE TYPE mood AS ENUM ('ok')", "DO $$\nBEGIN\n  CREATE TYPE mood AS ENUM ('ok');\nEXCEPTION WHEN duplicate_object THEN NULL;\nEND $$;"],
        ['DO $$ BEGIN CREATE INDEX i ON t (a); END $$;', 'DO $$ BEGIN CREATE INDEX IF NOT EXISTS i ON t (a); END $$;'],
      ];
      for (const [before, after] of cases) {
        const fixed = fixAll(before);
        assert.equal(fixed, after, before);
        assertParses(fixed);
        assert.deepEqual(lintSql(fixed, RULE), [], `still flagged after the fix: ${fixed}`);
      }
    });

    it('turn a runbook-style migration into one that runs twice on a real database', async () => {
      const { PGlite } = await import('@electric-sql/pglite');
      const sql = `CREATE TABLE orders (id int, amount int);
CREATE INDEX ON orders (id);
ALTER TABLE orders ADD COLUMN note text;
ALTER TABLE orders ADD CONSTRAINT amount_positive CHECK (amount > 0);
CREATE FUNCTION touch() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN RETURN NEW; END $$;
CREATE TRIGGER orders_touch BEFORE UPDATE ON orders FOR EACH ROW EXECUTE FUNCTION touch();
ALTER TABLE orders ENABLE ROW LEVEL SECURITY;
CREATE POLICY orders_all ON orders USING (true);
CREATE TYPE mood AS ENUM ('ok');
CREATE VIEW v AS SELECT id FROM orders;
DROP TABLE legacy;`;
      const fixed = fixAll(sql);
      assertParses(fixed);
      assert.deepEqual(lintSql(fixed, RULE), []);
      const db = await PGlite.create();
      try {
        await db.exec(fixed);
        await db.exec(fixed);
        const { rows } = await db.query<{ n: number }>("SELECT count(*)::int AS n FROM pg_indexes WHERE tablename = 'orders'");
        assert.deepEqual(rows, [{ n: 1 }]);
      } finally {
        await db.close();
      }
    });
  });
});
