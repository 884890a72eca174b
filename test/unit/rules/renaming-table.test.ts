import assert from 'node:assert/strict';
import { ensureParser, flagged, lintSql } from '../../support/lint';
import { applyRuleFix, assertParses, runOnScratchDatabase } from '../../support/rule-fixes';

const RULE = 'renaming-table';

describe(`rule ${RULE}`, () => {
  before(ensureParser);

  it('flags ALTER TABLE ... RENAME TO on an existing table', () => {
    const sql = 'ALTER TABLE IF EXISTS app.customers RENAME TO clients;';
    const [finding] = lintSql(sql, RULE);
    assert.equal(flagged(sql, finding), 'RENAME TO clients');
    assert.match(finding.message, /Renaming table app\.customers to clients breaks every running app instance/);
  });

  it('does not flag a table created in the same section, the rename back in the down, or a rename that keeps a view', () => {
    assert.deepEqual(lintSql('CREATE TABLE t (a int);\nALTER TABLE t RENAME TO u;', RULE), []);
    const sql = '-- migrate:up\nALTER TABLE customers RENAME TO clients;\n-- migrate:down\nALTER TABLE clients RENAME TO customers;\n';
    assert.equal(lintSql(sql, RULE).length, 1, 'only the up rename is a finding');
    assert.deepEqual(lintSql('ALTER TABLE customers RENAME TO clients;\nCREATE VIEW customers AS SELECT * FROM clients;', RULE), []);
  });

  it('does not flag renames of columns, indexes or views', () => {
    assert.deepEqual(lintSql('ALTER TABLE t RENAME COLUMN a TO b; ALTER INDEX i RENAME TO j; ALTER VIEW v RENAME TO w;', RULE), []);
  });

  it('fixes by keeping the old name as an updatable view, which old code can still write through', async () => {
    const sql = 'ALTER TABLE customers RENAME TO clients;\n';
    const fixed = applyRuleFix(sql, lintSql(sql, RULE)[0]);
    assert.equal(fixed, 'ALTER TABLE customers RENAME TO clients;\nCREATE VIEW customers AS SELECT * FROM clients;\n');
    assertParses(fixed);
    assert.deepEqual(lintSql(fixed, RULE), []);
    const db = await runOnScratchDatabase('CREATE TABLE customers (id int, name text);', fixed);
    await db.exec(`INSERT INTO customers VALUES (1, 'old code')`);
    assert.deepEqual((await db.query('SELECT name FROM clients')).rows, [{ name: 'old code' }]);
  });

  it('honours -- tidemark-ignore', () => {
    assert.deepEqual(lintSql(`-- tidemark-ignore ${RULE}\nALTER TABLE a RENAME TO b;`, RULE), []);
  });
});
