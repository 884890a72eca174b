import assert from 'node:assert/strict';
import { ensureParser, flagged, lintSql } from '../../support/lint';

const RULE = 'adding-stored-generated-column';

describe(`rule ${RULE}`, () => {
  before(ensureParser);

  it('flags a stored generated column added to an existing table', () => {
    const sql = `ALTER TABLE docs ADD COLUMN search tsvector GENERATED ALWAYS AS (to_tsvector('english', body)) STORED;`;
    const [finding] = lintSql(sql, RULE);
    assert.equal(flagged(sql, finding).slice(0, 17), 'ADD COLUMN search');
    assert.match(finding.message, /stored generated column search to existing table docs .*rewriting the whole table under ACCESS EXCLUSIVE/);
  });

  it('leaves generated columns of a table created in the migration alone', () => {
    const sql = `CREATE TABLE docs (body text);
ALTER TABLE docs ADD COLUMN search tsvector GENERATED ALWAYS AS (to_tsvector('english', body)) STORED;`;
    assert.deepEqual(lintSql(sql, RULE), []);
  });
});
