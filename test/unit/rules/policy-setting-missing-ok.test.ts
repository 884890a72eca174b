import assert from 'node:assert/strict';
import { ensureParser, flagged, lintSql } from '../../support/lint';
import type { PGlite } from '@electric-sql/pglite';
import { applyRuleFix, assertParses, runOnScratchDatabase } from '../../support/rule-fixes';

const RULE = 'policy-setting-missing-ok';

const POLICY = `CREATE POLICY tenant_isolation ON api_keys
  USING (tenant_id = current_setting('app.tenant_id')::bigint)
  WITH CHECK (tenant_id = current_setting( 'app.tenant_id' /* set by the pool */ )::bigint);`;

describe(`rule ${RULE}`, () => {
  before(ensureParser);

  it('flags current_setting without missing_ok in USING and WITH CHECK, underlining the call', () => {
    const findings = lintSql(POLICY, RULE);
    assert.deepEqual(
      findings.map((f) => flagged(POLICY, f)),
      ["current_setting('app.tenant_id')", "current_setting( 'app.tenant_id' /* set by the pool */ )"],
    );
    assert.match(findings[0].message, /unrecognized configuration parameter/);
  });

  it('flags ALTER POLICY and policies created inside DO blocks, through doubled quotes', () => {
    const sql = `DO $$ BEGIN
  EXECUTE 'CREATE POLICY p ON t USING (owner = pg_catalog.current_setting(''app.user''))';
END $$;
ALTER POLICY q ON t USING (owner = current_setting('app.user'));`;
    const findings = lintSql(sql, RULE);
    assert.deepEqual(
      findings.map((f) => flagged(sql, f)),
      ["pg_catalog.current_setting(''app.user'')", "current_setting('app.user')"],
    );
    const fixed = applyRuleFix(sql, findings[0]);
    assert.match(fixed, /current_setting\(''app\.user'', true\)\)';/);
    assert.equal(lintSql(fixed, RULE).length, 1);
  });

  it('does not flag calls with missing_ok, nor current_setting outside policies or in the down section', () => {
    assert.deepEqual(
      lintSql(
        `-- migrate:up
CREATE POLICY p ON t USING (tenant_id = NULLIF(current_setting('app.tenant_id', true), '')::uuid);
SELECT current_setting('app.tenant_id');
-- migrate:down
CREATE POLICY old ON t USING (tenant_id = current_setting('app.tenant_id')::uuid);`,
        RULE,
      ),
      [],
    );
  });

  it('fixes with ", true": a session that never set app.tenant_id then sees no rows instead of an error', async () => {
    const setup = `CREATE TABLE api_keys (id bigint, tenant_id bigint);
INSERT INTO api_keys VALUES (1, 1), (2, 2);
ALTER TABLE api_keys ENABLE ROW LEVEL SECURITY;
CREATE ROLE app_user_rls_test;
GRANT USAGE ON SCHEMA public TO app_user_rls_test;
GRANT ALL ON api_keys TO app_user_rls_test;`;
    const asAppUser = async <T>(db: PGlite, run: () => Promise<T>): Promise<T> => {
      await db.exec('SET ROLE app_user_rls_test');
      try {
        return await run();
      } finally {
        await db.exec('RESET ROLE');
      }
    };
    const dropRole = (db: PGlite) => db.exec('DROP OWNED BY app_user_rls_test; DROP ROLE app_user_rls_test;');
    // The unfixed policy makes any query by a role subject to RLS fail.
    const broken = await runOnScratchDatabase(`DROP ROLE IF EXISTS app_user_rls_test; ${setup}`, POLICY);
    await asAppUser(broken, () => assert.rejects(broken.query('SELECT * FROM api_keys'), /unrecognized configuration parameter "app.tenant_id"/));
    await dropRole(broken);

    let fixed = POLICY;
    for (let round = 0; round < 3; round++) {
      const [finding] = lintSql(fixed, RULE);
      if (!finding) break;
      fixed = applyRuleFix(fixed, finding);
    }
    assert.match(fixed, /current_setting\('app\.tenant_id', true\)::bigint\)/);
    assert.match(fixed, /current_setting\( 'app\.tenant_id', true \/\* set by the pool \*\/ \)::bigint\)/);
    assertParses(fixed);
    assert.deepEqual(lintSql(fixed, RULE), []);

    const db = await runOnScratchDatabase(setup, fixed);
    await asAppUser(db, async () => {
      assert.deepEqual((await db.query('SELECT * FROM api_keys')).rows, []);
      await db.exec("SET app.tenant_id = '2'");
      assert.deepEqual(
        (await db.query<{ id: number }>('SELECT id FROM api_keys')).rows.map((r) => Number(r.id)),
        [2],
      );
    });
    await dropRole(db);
  });
});
