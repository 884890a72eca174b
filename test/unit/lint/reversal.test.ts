import assert from 'node:assert/strict';
import { ensureParser } from '../../support/parse';
import { buildLintUnit } from '../../../server/src/lint/unit';
import { reversesUp, upOutcome } from '../../../server/src/lint/reversal';
import { describeObject } from '../../../server/src/sql/objects';

/** For each statement of the down section: does it reverse the up? */
function judgeDown(sql: string): boolean[] {
  const unit = buildLintUnit('/nowhere/001_test.sql', sql);
  return unit.down!.statements.map((s) => reversesUp(unit, s));
}

describe('lint/reversal: a down section that undoes its up section', () => {
  before(ensureParser);

  it('recognises drops of what the up created, including what hangs off a created table', () => {
    assert.deepEqual(
      judgeDown(`-- migrate:up
CREATE TABLE orders (id bigint);
CREATE INDEX orders_id_idx ON orders (id);
ALTER TABLE users ADD COLUMN nickname text;
CREATE POLICY p ON users USING (true);
ALTER TABLE users ENABLE ROW LEVEL SECURITY;
ALTER TABLE users RENAME COLUMN mail TO email;
-- migrate:down
ALTER TABLE users RENAME COLUMN email TO mail;
ALTER TABLE users DISABLE ROW LEVEL SECURITY;
DROP POLICY IF EXISTS p ON users;
ALTER TABLE users DROP COLUMN nickname;
DROP INDEX orders_id_idx;
ALTER TABLE orders DROP COLUMN id;
DROP TABLE orders;`),
      [true, true, true, true, true, true, true],
    );
  });

  it('does not excuse drops of objects the migration did not create', () => {
    assert.deepEqual(
      judgeDown(`-- migrate:up
CREATE TABLE orders (id bigint);
ALTER TABLE users ADD COLUMN nickname text;
-- migrate:down
DROP TABLE orders, invoices;
ALTER TABLE users DROP COLUMN email;
DROP POLICY p ON users;
ALTER TABLE users RENAME COLUMN a TO b;
SELECT 1;`),
      [false, false, false, false, false],
    );
  });

  it('follows renames and drops within the up section', () => {
    const unit = buildLintUnit('/nowhere/001_test.sql', `CREATE TABLE tmp (id int); CREATE TABLE a (id int); ALTER TABLE a RENAME TO b; CREATE INDEX ON b (id); DROP TABLE tmp;`);
    assert.deepEqual(
      upOutcome(unit.up!).changes.map((c) => describeObject(c.object)),
      ['table b', 'index b_id_idx on b'],
    );
  });
});
