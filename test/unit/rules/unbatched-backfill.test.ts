import assert from 'node:assert/strict';
import { ensureParser, flagged, lintSql } from '../../support/lint';

const RULE = 'unbatched-backfill';

describe(`rule ${RULE}`, () => {
  before(ensureParser);

  it('flags UPDATE and DELETE without WHERE on an existing table', () => {
    const sql = "UPDATE public.orders SET status = 'new';\nDELETE FROM sessions;";
    const findings = lintSql(sql, RULE);
    assert.deepEqual(
      findings.map((f) => flagged(sql, f)),
      ['UPDATE public.orders', 'DELETE FROM sessions'],
    );
    assert.match(findings[0].message, /^Updating every row of existing table public\.orders in one statement locks all its rows/);
    assert.match(findings[1].message, /^Deleting every row of existing table sessions/);
  });

  it('flags an unbatched UPDATE inside a DO block', () => {
    assert.equal(lintSql("DO $$\nBEGIN\n  UPDATE orders SET status = 'new';\nEND\n$$;", RULE).length, 1);
  });

  it('does not flag a WHERE clause, or a table created earlier in the migration', () => {
    assert.deepEqual(lintSql("UPDATE orders SET status = 'new' WHERE id BETWEEN 1 AND 10000;", RULE), []);
    assert.deepEqual(lintSql('CREATE TABLE t AS SELECT 1 AS a;\nUPDATE t SET a = 2;\nDELETE FROM t;', RULE), []);
  });

  it('honours -- tidemark-ignore', () => {
    assert.deepEqual(lintSql(`-- tidemark-ignore ${RULE}\nUPDATE small_lookup SET flag = true;`, RULE), []);
  });
});
