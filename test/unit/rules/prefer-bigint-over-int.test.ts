import assert from 'node:assert/strict';
import { applyEdits, ensureParser, flagged, lintSql } from '../../support/lint';

const RULE = 'prefer-bigint-over-int';

describe(`rule ${RULE}`, () => {
  before(ensureParser);

  it('flags int and smallint in new columns, saying when the column is a key', () => {
    const sql = `CREATE TABLE orders (
  id integer PRIMARY KEY,
  number serial,
  seq int GENERATED ALWAYS AS IDENTITY,
  customer int REFERENCES customers (id),
  tenant_id INT4 NOT NULL,
  quantity integer NOT NULL,
  code smallint
);
CREATE TABLE lines (order_no int, line_no smallint, PRIMARY KEY (order_no, line_no));
ALTER TABLE orders ADD COLUMN region_id smallint;`;
    const findings = lintSql(sql, RULE);
    assert.deepEqual(findings.map((f) => flagged(sql, f)), ['integer', 'serial', 'int', 'int', 'INT4', 'integer', 'smallint', 'int', 'smallint', 'smallint']);
    assert.match(findings[0].message, /primary key.*2,147,483,647/);
    assert.match(findings[1].message, /generated key/);
    assert.match(findings[3].message, /foreign key/);
    assert.match(findings[4].message, /id column/);
    assert.doesNotMatch(findings[5].message, /key|id column/);
    assert.match(findings[6].message, /32,767/);
    assert.match(findings[7].message, /primary key/);
  });

  it('leaves bigint, numeric, type changes and the down section alone', () => {
    assert.deepEqual(lintSql(`-- migrate:up
CREATE TABLE t (id bigint PRIMARY KEY, n bigserial, amount numeric(12, 2), ratio real, user_ids bigint[]);
ALTER TABLE t ALTER COLUMN quantity TYPE integer;
-- migrate:down
ALTER TABLE t ADD COLUMN legacy_id int;`, RULE), []);
  });

  it('fixes to bigint / bigserial; the result parses and no longer fires', () => {
    const sql = 'CREATE TABLE t (id serial PRIMARY KEY, parent_id integer REFERENCES t (id));';
    let text = sql;
    for (const _ of [1, 2, 3]) {
      const [finding] = lintSql(text, RULE);
      if (!finding) break;
      text = applyEdits(text, finding.fixes[0].edits);
    }
    assert.equal(text, 'CREATE TABLE t (id bigserial PRIMARY KEY, parent_id bigint REFERENCES t (id));');
    assert.deepEqual(lintSql(text, RULE), []);
    assert.deepEqual(lintSql(text, 'syntax-error'), []);
  });
});
