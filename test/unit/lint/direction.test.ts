/**
 * "Rules judge the direction they are in": a down section that only reverses its up section is
 * the rollback doing its job. Lints a realistic migration whose down is exactly what Generate
 * rollback writes, with every rule, and expects nothing in the down section.
 */
import assert from 'node:assert/strict';
import { ensureParser, lintSql } from '../../support/lint';
import { buildLintUnit } from '../../../server/src/lint/unit';
import { generateRollback } from '../../../server/src/lint/rollback-generator';

// CONCURRENTLY runs outside a transaction: the author says so once, for both directions.
const UP = `-- tidemark:no-transaction
-- migrate:up
SET lock_timeout = '3s';
CREATE TABLE IF NOT EXISTS invoices (
  id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  tenant_id bigint NOT NULL,
  total numeric NOT NULL DEFAULT 0,
  created_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX IF NOT EXISTS invoices_tenant_idx ON invoices (tenant_id);
ALTER TABLE invoices ENABLE ROW LEVEL SECURITY;
DROP POLICY IF EXISTS invoices_tenant ON invoices;
CREATE POLICY invoices_tenant ON invoices USING (tenant_id = current_setting('app.tenant_id', true)::bigint);
ALTER TABLE users ADD COLUMN IF NOT EXISTS nickname text;
CREATE INDEX CONCURRENTLY IF NOT EXISTS users_nickname_idx ON users (nickname);
CREATE OR REPLACE FUNCTION touch_updated_at() RETURNS trigger LANGUAGE plpgsql SET search_path = public AS $$
BEGIN
  NEW.updated_at = now();
  RETURN NEW;
END $$;
DROP TRIGGER IF EXISTS users_touch ON users;
CREATE TRIGGER users_touch BEFORE UPDATE ON users FOR EACH ROW EXECUTE FUNCTION touch_updated_at();
ALTER TABLE users RENAME COLUMN name TO full_name;
`;

describe('lint: rules judge the direction they are in', () => {
  before(ensureParser);

  it('finds nothing in a down section that reverses the up (the generated rollback)', () => {
    const down = generateRollback(buildLintUnit('/nowhere/001_x.sql', UP).up!).sql;
    assert.match(down, /DROP TABLE IF EXISTS invoices;/);
    assert.match(down, /DROP INDEX CONCURRENTLY IF EXISTS users_nickname_idx;/);
    assert.match(down, /ALTER TABLE users DROP COLUMN IF EXISTS nickname;/);
    const sql = `${UP}-- migrate:down\n${down}`;
    const inDown = lintSql(sql).filter((f) => f.start > sql.indexOf('-- migrate:down'));
    assert.deepEqual(
      inDown.map((f) => `${f.rule}: ${sql.slice(f.start, f.end)}`),
      [],
    );
  });

  it('still flags a down section that drops what the up did not create', () => {
    const sql = `${UP}-- migrate:down\nDROP TABLE IF EXISTS invoices;\nDROP TABLE accounts;\nALTER TABLE users DROP COLUMN email;\n`;
    const rules = new Set(
      lintSql(sql)
        .filter((f) => f.start > sql.indexOf('-- migrate:down'))
        .map((f) => f.rule),
    );
    for (const rule of ['ban-drop-table', 'ban-drop-column', 'non-idempotent-ddl']) assert.ok(rules.has(rule), `${rule} fires in the down section`);
  });
});
