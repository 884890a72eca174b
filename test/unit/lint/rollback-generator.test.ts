import assert from 'node:assert/strict';
import { PGlite } from '@electric-sql/pglite';
import { ensureParser, parseStatements } from '../../support/parse';
import { buildLintUnit } from '../../../server/src/lint/unit';
import { generateRollback } from '../../../server/src/lint/rollback-generator';

const upOf = (sql: string) => buildLintUnit('/nowhere/001_test.sql', sql).up!;

/** Everything a migration can leave behind in the catalog, outside PostgreSQL's own schemas. */
const CATALOG_QUERIES = {
  relations: `SELECT n.nspname, c.relname, c.relkind, c.relrowsecurity, c.relforcerowsecurity FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
    WHERE n.nspname NOT IN ('pg_catalog', 'information_schema') AND n.nspname NOT LIKE 'pg_toast%' ORDER BY 1, 2`,
  columns: `SELECT table_schema, table_name, column_name, data_type, is_nullable, column_default FROM information_schema.columns
    WHERE table_schema NOT IN ('pg_catalog', 'information_schema') ORDER BY 1, 2, 3`,
  indexes: `SELECT schemaname, indexname, indexdef FROM pg_indexes WHERE schemaname NOT IN ('pg_catalog') ORDER BY 1, 2`,
  constraints: `SELECT conname, conrelid::regclass::text AS rel FROM pg_constraint c JOIN pg_namespace n ON n.oid = c.connamespace
    WHERE n.nspname NOT IN ('pg_catalog', 'information_schema') ORDER BY 1, 2`,
  policies: `SELECT schemaname, tablename, policyname FROM pg_policies ORDER BY 1, 2, 3`,
  triggers: `SELECT tgname, tgrelid::regclass::text AS rel FROM pg_trigger WHERE NOT tgisinternal ORDER BY 1`,
  routines: `SELECT n.nspname, p.proname, pg_get_function_identity_arguments(p.oid) AS args FROM pg_proc p JOIN pg_namespace n ON n.oid = p.pronamespace
    WHERE n.nspname NOT IN ('pg_catalog', 'information_schema') ORDER BY 1, 2`,
  types: `SELECT n.nspname, t.typname, t.typtype FROM pg_type t JOIN pg_namespace n ON n.oid = t.typnamespace
    WHERE n.nspname NOT IN ('pg_catalog', 'information_schema') AND n.nspname NOT LIKE 'pg_toast%' ORDER BY 1, 2`,
  schemas: `SELECT nspname FROM pg_namespace ORDER BY 1`,
  grants: `SELECT grantee, table_name, privilege_type FROM information_schema.role_table_grants WHERE grantee = 'reporting' ORDER BY 2, 3`,
};

async function catalog(db: PGlite): Promise<Record<string, unknown[]>> {
  const snapshot: Record<string, unknown[]> = {};
  for (const [name, query] of Object.entries(CATALOG_QUERIES)) snapshot[name] = (await db.query(query)).rows;
  return snapshot;
}

const EXISTING_SCHEMA = `CREATE ROLE reporting;
CREATE TABLE users (id bigint PRIMARY KEY, name text, email text, created_at timestamptz, updated_at timestamptz);
INSERT INTO users (id, name, email) VALUES (1, 'Ada', 'ada@example.com');`;

const REALISTIC_UP = `-- migrate:up
SET lock_timeout = '5s';
CREATE SCHEMA IF NOT EXISTS billing;
CREATE TYPE billing.invoice_status AS ENUM ('draft', 'sent', 'paid');
CREATE SEQUENCE billing.invoice_number_seq;
CREATE TABLE billing.invoices (
  id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  tenant_id bigint NOT NULL,
  status billing.invoice_status NOT NULL DEFAULT 'draft',
  number bigint NOT NULL DEFAULT nextval('billing.invoice_number_seq')
);
CREATE INDEX invoices_tenant_idx ON billing.invoices (tenant_id);
ALTER TABLE billing.invoices ENABLE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON billing.invoices USING (tenant_id = current_setting('app.tenant_id', true)::bigint);
ALTER TABLE users ADD COLUMN email_verified boolean, ADD CONSTRAINT users_email_key UNIQUE (email);
ALTER TABLE users ADD CHECK (length(email) > 3);
UPDATE users SET email_verified = false;
ALTER TABLE users ALTER COLUMN email SET NOT NULL;
ALTER TABLE users ALTER COLUMN created_at SET DEFAULT now();
ALTER TABLE users RENAME COLUMN name TO full_name;
CREATE INDEX users_lower_email_idx ON users (lower(email));
CREATE INDEX ON users (created_at);
ALTER TABLE users ENABLE ROW LEVEL SECURITY;
CREATE POLICY "Users see themselves" ON users USING (true);
CREATE OR REPLACE FUNCTION touch_updated_at() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  NEW.updated_at = now();
  RETURN NEW;
END $$;
CREATE TRIGGER users_touch BEFORE UPDATE ON users FOR EACH ROW EXECUTE FUNCTION touch_updated_at();
CREATE VIEW active_users AS SELECT id, email FROM users WHERE email_verified;
CREATE MATERIALIZED VIEW user_counts AS SELECT count(*) AS n FROM users;
CREATE FUNCTION billing.total(tenant bigint, since timestamptz DEFAULT now(), OUT amount numeric) LANGUAGE sql AS 'select 0::numeric';
CREATE PROCEDURE billing.close_month(integer[]) LANGUAGE sql AS 'select 1';
DO $$
BEGIN
  IF NOT EXISTS (SELECT 1 FROM pg_type WHERE typname = 'plan') THEN
    CREATE TYPE plan AS ENUM ('free', 'pro');
  END IF;
END $$;
ALTER TABLE users ADD COLUMN plan plan;
ALTER TABLE users ALTER COLUMN plan SET DEFAULT 'free';
GRANT SELECT, UPDATE ON users TO reporting WITH GRANT OPTION;
GRANT SELECT ON billing.invoices TO reporting;
`;

describe('lint/rollback-generator: Generate rollback', () => {
  before(ensureParser);

  it('reverses each up statement newest first, safe to run twice', () => {
    const { sql, skipped } = generateRollback(
      upOf(`CREATE TABLE orders (id bigint);
CREATE INDEX CONCURRENTLY orders_id_idx ON orders (id);
ALTER TABLE users ADD COLUMN nickname text;
CREATE INDEX CONCURRENTLY users_nickname_idx ON users (nickname);
CREATE POLICY p ON users USING (true);
ALTER TABLE users ENABLE ROW LEVEL SECURITY;
CREATE TYPE mood AS ENUM ('ok');
CREATE FUNCTION f(a int, b varchar(10)[]) RETURNS int LANGUAGE sql AS 'select 1';
CREATE TRIGGER t AFTER INSERT ON users EXECUTE FUNCTION g();
CREATE EXTENSION IF NOT EXISTS pgcrypto;
ALTER TABLE events ATTACH PARTITION events_2026 FOR VALUES FROM ('2026-01-01') TO ('2027-01-01');
ALTER TABLE users RENAME TO members;`),
    );
    assert.equal(
      sql,
      `ALTER TABLE members RENAME TO users;
ALTER TABLE events DETACH PARTITION events_2026;
DROP EXTENSION IF EXISTS pgcrypto;
DROP TRIGGER IF EXISTS t ON users;
DROP FUNCTION IF EXISTS f(int4, varchar[]);
DROP TYPE IF EXISTS mood;
ALTER TABLE users DISABLE ROW LEVEL SECURITY;
DROP POLICY IF EXISTS p ON users;
DROP INDEX CONCURRENTLY IF EXISTS users_nickname_idx;
ALTER TABLE users DROP COLUMN IF EXISTS nickname;
DROP TABLE IF EXISTS orders;
`,
    );
    assert.deepEqual(skipped, []);
  });

  it('revokes what the up grants, and leaves alone what goes away with a new table or column', () => {
    const { sql, skipped } = generateRollback(
      upOf(`CREATE TABLE audit (id int);
GRANT SELECT ON audit TO reporting;
ALTER TABLE users ADD COLUMN plan text;
ALTER TABLE users ALTER COLUMN plan SET DEFAULT 'free', ALTER COLUMN plan SET NOT NULL;
GRANT SELECT, INSERT ON TABLE users, orders TO app_user WITH GRANT OPTION;
GRANT app_admin TO "Bob";
ALTER DEFAULT PRIVILEGES IN SCHEMA app GRANT SELECT ON TABLES TO reporting;
REVOKE ALL ON invoices FROM public;
SELECT id INTO TEMP scratch FROM users;`),
    );
    assert.equal(
      sql,
      `DROP TABLE IF EXISTS scratch;
-- TODO: cannot reverse automatically: REVOKE ALL ON invoices FROM public; (whether the privilege existed before this migration is unknown)
ALTER DEFAULT PRIVILEGES IN SCHEMA app REVOKE SELECT ON TABLES FROM reporting;
REVOKE app_admin FROM "Bob";
REVOKE SELECT, INSERT ON TABLE users, orders FROM app_user;
ALTER TABLE users DROP COLUMN IF EXISTS plan;
DROP TABLE IF EXISTS audit;
`,
    );
    assert.equal(skipped.length, 1);
  });

  it('lists what it cannot reverse, as TODO comments where the reversal would go', () => {
    const { sql, skipped } = generateRollback(
      upOf(`CREATE TABLE audit (id int);
DROP TABLE legacy_orders;
UPDATE users SET plan = 'free' WHERE plan IS NULL;
ALTER TYPE mood ADD VALUE 'great';
ALTER TABLE users ALTER COLUMN id TYPE bigint;
ALTER TABLE users ALTER COLUMN plan SET DEFAULT 'free';`),
    );
    assert.deepEqual(
      skipped.map((s) => s.statement),
      ['DROP TABLE legacy_orders;', "UPDATE users SET plan = 'free' WHERE plan IS NULL;", "ALTER TYPE mood ADD VALUE 'great';", 'ALTER TABLE users ALTER COLUMN id TYPE bigint;'],
    );
    const lines = sql.trimEnd().split('\n');
    assert.match(lines[0], /^-- The default of users\.plan before this migration is unknown/);
    assert.equal(lines[1], 'ALTER TABLE users ALTER COLUMN plan DROP DEFAULT;');
    assert.match(lines[2], /^-- TODO: cannot reverse automatically: ALTER TABLE users ALTER COLUMN id TYPE bigint; \(changing the type of users\.id/);
    assert.match(lines[5], /^-- TODO: cannot reverse automatically: DROP TABLE legacy_orders;/);
    assert.equal(lines[6], 'DROP TABLE IF EXISTS audit;');
  });

  it('generates a rollback that parses and returns a real database to where it was (PGlite)', async () => {
    const { sql, skipped } = generateRollback(upOf(REALISTIC_UP));
    assert.deepEqual(
      parseStatements(sql)
        .filter((s) => s.syntaxError)
        .map((s) => s.text),
      [],
      'every generated statement parses',
    );
    assert.deepEqual(
      skipped.map((s) => s.statement),
      ['UPDATE users SET email_verified = false;'],
    );
    assert.match(sql, /DROP TYPE IF EXISTS plan;/, 'DDL inside the DO block is reversed too');
    assert.match(sql, /-- If the up replaced an existing function, restore its previous definition here instead of dropping it.\nDROP FUNCTION IF EXISTS touch_updated_at\(\);/);

    const db = await PGlite.create();
    try {
      await db.exec(EXISTING_SCHEMA);
      const before = await catalog(db);
      await db.exec(REALISTIC_UP);
      assert.notDeepEqual(await catalog(db), before, 'the up section changed the schema');
      await db.exec(sql);
      assert.deepEqual(await catalog(db), before);
      // Running the rollback a second time is harmless: every drop says IF EXISTS.
      await db.exec(
        sql
          .split('\n')
          .filter((l) => /^DROP /.test(l))
          .join('\n'),
      );
      assert.deepEqual((await db.query('SELECT id, name, email FROM users')).rows, [{ id: 1, name: 'Ada', email: 'ada@example.com' }]);
    } finally {
      await db.close();
    }
  });
});
