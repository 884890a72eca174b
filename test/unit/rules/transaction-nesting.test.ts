import assert from 'node:assert/strict';
import { ensureParser, flagged, lintSql } from '../../support/lint';
import { buildLintUnit } from '../../../server/src/lint/unit';
import { lintUnit } from '../../../server/src/lint/engine';
import { rulesById } from '../../../server/src/lint/rules';
import { applyRuleFix, assertParses } from '../../support/rule-fixes';

const RULE = 'transaction-nesting';

const WRAPPED = `-- migrate:up
BEGIN;
SET LOCAL lock_timeout = '5s';
ALTER TABLE tenants ADD COLUMN IF NOT EXISTS support_tier text;
COMMIT;

-- migrate:down
ALTER TABLE tenants DROP COLUMN IF EXISTS support_tier;
`;

describe(`rule ${RULE}`, () => {
  before(ensureParser);

  it('does not flag a file that opens and commits its own transaction: the runner runs it as written', () => {
    assert.deepEqual(lintSql(WRAPPED, RULE), []);
    assert.deepEqual(lintSql('BEGIN;\nCREATE TABLE a (id int);\nCOMMIT;\nBEGIN;\nCREATE TABLE b (id int);\nCOMMIT;', RULE), []);
  });

  it('flags a BEGIN that opens the section without a COMMIT, which the runner skips, as redundant', () => {
    const sql = 'BEGIN;\nALTER TABLE t ADD COLUMN a int;';
    const findings = lintSql(sql, RULE);
    assert.deepEqual(
      findings.map((f) => flagged(sql, f)),
      ['BEGIN;'],
    );
    assert.match(findings[0].message, /skips a BEGIN that opens the section/);
  });

  it('flags transaction control in the middle, which makes the runner refuse the migration', () => {
    const sql = `ALTER TABLE t ADD COLUMN a int;\nCOMMIT;\nALTER TABLE t ADD COLUMN b int;`;
    const [finding] = lintSql(sql, RULE);
    assert.equal(flagged(sql, finding), 'COMMIT;');
    assert.match(
      finding.message,
      /^The dbmate runner runs this migration in a transaction \(Tidemark's runner refuses to apply it with COMMIT in the middle\): a COMMIT here would end that transaction early/,
    );
    assert.match(finding.message, /tidemark:no-transaction/);
  });

  it('flags ROLLBACK, START TRANSACTION and END, in down sections too', () => {
    const sql = `-- migrate:up
START TRANSACTION;
-- migrate:down
DROP TABLE IF EXISTS t;
ROLLBACK;
END;`;
    const findings = lintSql(sql, RULE);
    assert.deepEqual(
      findings.map((f) => flagged(sql, f)),
      ['START TRANSACTION;', 'ROLLBACK;', 'END;'],
    );
    assert.match(findings[1].message, /throw away everything/);
  });

  it("is quiet where the runner does not wrap the file: the file's own BEGIN/COMMIT is what makes it atomic", () => {
    const unit = buildLintUnit('/nowhere/001_own.sql', WRAPPED);
    for (const transaction of ['own', 'none'] as const) {
      assert.deepEqual(lintUnit({ ...unit, execution: { ...unit.execution, transaction } }, { rules: [rulesById.get(RULE)!] }), []);
    }
    // The file runs as written (its own BEGIN ... COMMIT); a runner that wrapped it would make both statements wrong.
    assert.equal(unit.execution.transaction, 'own');
    assert.equal(lintUnit({ ...unit, execution: { ...unit.execution, transaction: 'wrapped' } }, { rules: [rulesById.get(RULE)!] }).length, 2);
  });

  it('does not flag savepoints, migrations marked no-transaction, or migrations run statement by statement', () => {
    assert.deepEqual(lintSql('SAVEPOINT a;\nALTER TABLE t ADD COLUMN b int;\nRELEASE SAVEPOINT a;', RULE), []);
    assert.deepEqual(lintSql(`-- tidemark:no-transaction\n${WRAPPED}`, RULE), []);
    assert.deepEqual(lintSql('BEGIN;\nALTER TABLE t ADD COLUMN b int;\nCOMMIT;\nCREATE INDEX CONCURRENTLY i ON t (b);', RULE), []);
  });

  it('fixes by deleting the statement and its line; the result parses and no longer fires', () => {
    const mid = `-- migrate:up
ALTER TABLE tenants ADD COLUMN IF NOT EXISTS support_tier text;
COMMIT;
ALTER TABLE tenants ADD COLUMN IF NOT EXISTS region text;

-- migrate:down
ALTER TABLE tenants DROP COLUMN IF EXISTS support_tier;
`;
    const [finding] = lintSql(mid, RULE);
    const text = applyRuleFix(mid, finding);
    assert.equal(text, mid.replace('COMMIT;\n', ''));
    assertParses(text);
    assert.deepEqual(lintSql(text, RULE), []);
  });

  it('deletes only the statement when other SQL shares its line', () => {
    const sql = 'ALTER TABLE t ADD COLUMN b int; COMMIT; ALTER TABLE t ADD COLUMN c int;';
    const [commit] = lintSql(sql, RULE);
    assert.equal(applyRuleFix(sql, commit), 'ALTER TABLE t ADD COLUMN b int;  ALTER TABLE t ADD COLUMN c int;');
  });
});
