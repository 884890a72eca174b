import assert from 'node:assert/strict';
import { ensureParser, flagged, lintSql } from '../../support/lint';

const RULE = 'transaction-incompatible-statement';

describe(`rule ${RULE}`, () => {
  before(ensureParser);

  it('flags a statement inside an explicit BEGIN ... COMMIT, naming the line of the BEGIN', () => {
    const sql = `-- tidemark:no-transaction
SELECT 1;
BEGIN;
VACUUM (ANALYZE) orders;
COMMIT;`;
    const [finding, ...rest] = lintSql(sql, RULE);
    assert.equal(rest.length, 0);
    assert.equal(flagged(sql, finding), 'VACUUM (ANALYZE) orders;');
    assert.match(finding.message, /VACUUM cannot run inside the transaction opened by BEGIN on line 3/);
  });

  it('flags CONCURRENTLY mixed with other statements: the runner runs them one by one and a failure half-applies', () => {
    const sql = `SET lock_timeout = '5s';
ALTER TABLE audit_log ADD COLUMN IF NOT EXISTS request_id uuid;
CREATE INDEX CONCURRENTLY IF NOT EXISTS audit_log_request_id_idx ON audit_log (request_id);`;
    const [finding, ...rest] = lintSql(sql, RULE);
    assert.equal(rest.length, 0);
    assert.match(flagged(sql, finding), /^CREATE INDEX CONCURRENTLY/);
    assert.match(finding.message, /statement by statement/);
    assert.match(finding.message, /if the other statement fails, what ran before stays applied/);
    assert.match(finding.message, /half-applied/);
  });

  it('counts the other statements when there are several', () => {
    const sql = `ALTER TABLE t ADD COLUMN a int;\nALTER TABLE t ADD COLUMN b int;\nVACUUM t;`;
    assert.match(lintSql(sql, RULE)[0].message, /if one of the 2 other statements fails/);
  });

  it('flags it in a down section as well', () => {
    const sql = `-- migrate:up
CREATE INDEX CONCURRENTLY IF NOT EXISTS i ON t (a);
-- migrate:down
DROP INDEX CONCURRENTLY IF EXISTS i;
ALTER TABLE t DROP COLUMN IF EXISTS a;`;
    const findings = lintSql(sql, RULE);
    assert.deepEqual(
      findings.map((f) => flagged(sql, f)),
      ['DROP INDEX CONCURRENTLY IF EXISTS i;'],
    );
  });

  it('flags CONCURRENTLY or VACUUM inside a DO block, where PL/pgSQL always has a transaction', () => {
    const sql = `DO $$ BEGIN
  EXECUTE 'CREATE INDEX CONCURRENTLY i ON t (a)';
END $$;`;
    const [finding] = lintSql(sql, RULE);
    assert.equal(flagged(sql, finding), 'CREATE INDEX CONCURRENTLY i ON t (a)');
    assert.match(finding.message, /DO block or function/);
  });

  it('does not flag the statement alone (session settings aside), after the COMMIT, or under -- tidemark:no-transaction', () => {
    assert.deepEqual(lintSql(`SET lock_timeout = '5s';\nCREATE INDEX CONCURRENTLY IF NOT EXISTS i ON t (a);`, RULE), []);
    assert.deepEqual(lintSql(`-- migrate:up transaction:false\nBEGIN;\nALTER TABLE t ADD COLUMN b int;\nCOMMIT;\nCREATE INDEX CONCURRENTLY i ON t (b);`, RULE), []);
    assert.deepEqual(lintSql(`-- tidemark:no-transaction\nALTER TABLE t ADD COLUMN b int;\nCREATE INDEX CONCURRENTLY i ON t (b);`, RULE), []);
    assert.deepEqual(lintSql(`ALTER TABLE t ADD COLUMN b int;\nCREATE INDEX i ON t (b);\nANALYZE t;`, RULE), []);
  });

  it('is suppressed by -- tidemark-ignore', () => {
    assert.deepEqual(lintSql(`ALTER TABLE t ADD COLUMN b int;\n-- tidemark-ignore ${RULE}\nCREATE INDEX CONCURRENTLY i ON t (b);`, RULE), []);
  });
});
