import assert from 'node:assert/strict';
import { ensureParser, flagged, lintSql } from '../../support/lint';

const RULE = 'permissive-policy';

describe(`rule ${RULE}`, () => {
  before(ensureParser);

  it('flags USING (true) and WITH CHECK (true), underlining the constant', () => {
    const sql = `CREATE POLICY debug_all_access ON api_keys USING (true) WITH CHECK (TRUE);
CREATE POLICY p2 ON t FOR SELECT TO app_user USING ('t'::boolean);
ALTER POLICY p3 ON t WITH CHECK (true);`;
    const findings = lintSql(sql, RULE);
    assert.deepEqual(
      findings.map((f) => flagged(sql, f)),
      ['true', 'TRUE', "'t'", 'true'],
    );
    assert.match(findings[0].message, /public can read .* every row/);
    assert.match(findings[1].message, /write any row/);
    assert.match(findings[2].message, /app_user can .* for SELECT/);
  });

  it('flags a policy created in a DO block', () => {
    const sql = `DO $$ BEGIN CREATE POLICY p ON t USING (true); END $$;`;
    assert.equal(flagged(sql, lintSql(sql, RULE)[0]), 'true');
  });

  it('does not flag real conditions, RESTRICTIVE policies or the down section', () => {
    assert.deepEqual(
      lintSql(
        `-- migrate:up
CREATE POLICY p ON t USING (tenant_id = current_setting('app.tenant_id', true)::uuid) WITH CHECK (owner = current_user);
CREATE POLICY r ON t AS RESTRICTIVE USING (true);
CREATE POLICY f ON t USING (false);
-- migrate:down
CREATE POLICY old_open ON t USING (true);`,
        RULE,
      ),
      [],
    );
  });
});
