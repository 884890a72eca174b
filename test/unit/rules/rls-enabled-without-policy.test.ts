import assert from 'node:assert/strict';
import { ensureParser, flagged, lintFiles, lintSql } from '../../support/lint';

const RULE = 'rls-enabled-without-policy';

describe(`rule ${RULE}`, () => {
  before(ensureParser);

  it('flags ENABLE ROW LEVEL SECURITY when the migration creates no policy for the table', () => {
    const sql = `ALTER TABLE app_users ENABLE ROW LEVEL SECURITY;
ALTER TABLE api_keys ENABLE ROW LEVEL SECURITY, FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON other_table USING (tenant_id = 1);`;
    const findings = lintSql(sql, RULE);
    assert.deepEqual(
      findings.map((f) => flagged(sql, f)),
      ['ENABLE ROW LEVEL SECURITY', 'ENABLE ROW LEVEL SECURITY'],
    );
    assert.match(findings[0].message, /app_users.*sees no rows/);
  });

  it('flags it inside a DO block too', () => {
    const sql = `DO $$ BEGIN EXECUTE 'ALTER TABLE t ENABLE ROW LEVEL SECURITY'; END $$;`;
    const [finding] = lintSql(sql, RULE);
    assert.equal(flagged(sql, finding), 'ENABLE ROW LEVEL SECURITY');
  });

  it('is satisfied by a policy anywhere in the migration, also a guarded one in a DO block, schema written or not', () => {
    assert.deepEqual(
      lintSql(
        `ALTER TABLE public.t ENABLE ROW LEVEL SECURITY;
DO $$ BEGIN
  IF NOT EXISTS (SELECT 1 FROM pg_policies WHERE policyname = 'p') THEN
    CREATE POLICY p ON t USING (owner = current_user);
  END IF;
END $$;`,
        RULE,
      ),
      [],
    );
    assert.deepEqual(lintSql(`CREATE POLICY p ON t USING (true);\nALTER TABLE t ENABLE ROW LEVEL SECURITY;`, RULE), []);
  });

  it('counts policies created by an earlier migration in the folder, not by a later one', () => {
    const files = {
      '004_policies.sql': 'CREATE POLICY tenant_isolation ON api_keys USING (tenant_id = 1);',
      '005_enable.sql': 'ALTER TABLE api_keys ENABLE ROW LEVEL SECURITY;',
      '006_enable.sql': 'ALTER TABLE audit_log ENABLE ROW LEVEL SECURITY;',
      '007_policies.sql': 'CREATE POLICY tenant_isolation ON audit_log USING (tenant_id = 1);',
    };
    assert.deepEqual(lintFiles(files, { linted: '005_enable.sql', rule: RULE }).findings, []);
    assert.equal(lintFiles(files, { linted: '006_enable.sql', rule: RULE }).findings.length, 1);
  });

  it('does not judge the down section (re-enabling on rollback restores the old state) nor DISABLE', () => {
    assert.deepEqual(
      lintSql(
        `-- migrate:up
ALTER TABLE t DISABLE ROW LEVEL SECURITY;
-- migrate:down
ALTER TABLE t ENABLE ROW LEVEL SECURITY;`,
        RULE,
      ),
      [],
    );
  });
});
