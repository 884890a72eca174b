import assert from 'node:assert/strict';
import { ensureParser, flagged, lintSql } from '../../support/lint';
import { applyRuleFix, assertParses, runOnScratchDatabase } from '../../support/rule-fixes';

const RULE = 'security-definer-search-path';

const FUNCTION = `CREATE OR REPLACE FUNCTION purge_tenant_audit_log(p_tenant bigint) RETURNS bigint
LANGUAGE plpgsql
SECURITY DEFINER
AS $$
DECLARE
  deleted bigint;
BEGIN
  DELETE FROM audit_log WHERE tenant_id = p_tenant;
  GET DIAGNOSTICS deleted = ROW_COUNT;
  RETURN deleted;
END;
$$;`;

describe(`rule ${RULE}`, () => {
  before(ensureParser);

  it('flags SECURITY DEFINER functions and procedures without SET search_path, underlining the clause', () => {
    const sql = `${FUNCTION}
CREATE PROCEDURE app.rotate() LANGUAGE sql EXTERNAL SECURITY DEFINER AS 'DELETE FROM keys';
ALTER FUNCTION app.f(int) SECURITY DEFINER;`;
    const findings = lintSql(sql, RULE);
    assert.deepEqual(
      findings.map((f) => flagged(sql, f)),
      ['SECURITY DEFINER', 'EXTERNAL SECURITY DEFINER', 'SECURITY DEFINER'],
    );
    assert.match(findings[0].message, /function purge_tenant_audit_log .*pg_temp/);
    assert.match(findings[1].message, /procedure app.rotate/);
  });

  it('does not flag functions that pin search_path, SECURITY INVOKER, or the down section', () => {
    assert.deepEqual(
      lintSql(
        `-- migrate:up
CREATE FUNCTION a() RETURNS int LANGUAGE sql SECURITY DEFINER SET search_path = pg_catalog, public AS 'SELECT 1';
CREATE FUNCTION b() RETURNS int LANGUAGE sql SECURITY DEFINER SET search_path FROM CURRENT AS 'SELECT 1';
CREATE FUNCTION c() RETURNS int LANGUAGE sql SECURITY INVOKER AS 'SELECT 1';
ALTER FUNCTION d() SECURITY DEFINER SET search_path = '';
-- migrate:down
CREATE FUNCTION old() RETURNS int LANGUAGE sql SECURITY DEFINER AS 'SELECT 1';`,
        RULE,
      ),
      [],
    );
  });

  it('fixes with SET search_path = pg_catalog, <its schema>, pg_temp; PostgreSQL stores the setting on the function', async () => {
    const [finding] = lintSql(FUNCTION, RULE);
    const fixed = applyRuleFix(FUNCTION, finding);
    assert.match(fixed, /SECURITY DEFINER SET search_path = pg_catalog, public, pg_temp\nAS \$\$/);
    assertParses(fixed);
    assert.deepEqual(lintSql(fixed, RULE), []);
    const db = await runOnScratchDatabase('CREATE TABLE audit_log (tenant_id bigint); INSERT INTO audit_log VALUES (1), (1), (2);', fixed);
    const config = await db.query<{ proconfig: string[] }>("SELECT proconfig FROM pg_proc WHERE proname = 'purge_tenant_audit_log'");
    assert.deepEqual(config.rows[0].proconfig, ['search_path=pg_catalog, public, pg_temp']);
    const purged = await db.query<{ n: number }>('SELECT purge_tenant_audit_log(1) AS n');
    assert.equal(Number(purged.rows[0].n), 2);
  });

  it("uses the function's own schema when its name is qualified", () => {
    const sql = 'CREATE FUNCTION billing.charge() RETURNS void LANGUAGE sql SECURITY DEFINER AS $$ SELECT 1 $$;';
    const fixed = applyRuleFix(sql, lintSql(sql, RULE)[0]);
    assert.equal(fixed, 'CREATE FUNCTION billing.charge() RETURNS void LANGUAGE sql SECURITY DEFINER SET search_path = pg_catalog, billing, pg_temp AS $$ SELECT 1 $$;');
  });
});
