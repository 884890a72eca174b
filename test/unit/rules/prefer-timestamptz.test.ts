import assert from 'node:assert/strict';
import { applyEdits, ensureParser, flagged, lintSql } from '../../support/lint';
import { runOnScratchDatabase } from '../../support/rule-fixes';

const RULE = 'prefer-timestamptz';

describe(`rule ${RULE}`, () => {
  before(ensureParser);

  it('flags timestamp columns in CREATE TABLE, ADD COLUMN and ALTER COLUMN TYPE, underlining the type', () => {
    const sql = `CREATE TABLE events (id bigint, happened_at timestamp NOT NULL, seen TIMESTAMP(3) WITHOUT TIME ZONE);
ALTER TABLE events ADD COLUMN archived_at pg_catalog.timestamp;
ALTER TABLE events ALTER COLUMN happened_at TYPE timestamp without time zone[];`;
    const findings = lintSql(sql, RULE);
    assert.deepEqual(findings.map((f) => flagged(sql, f)), [
      'timestamp',
      'TIMESTAMP(3) WITHOUT TIME ZONE',
      'pg_catalog.timestamp',
      'timestamp without time zone',
    ]);
    assert.match(findings[0].message, /"happened_at".*timestamptz/);
  });

  it('flags DDL inside a DO block at its exact place', () => {
    const sql = `DO $$ BEGIN
  IF NOT EXISTS (SELECT 1 FROM information_schema.columns WHERE column_name = 'at') THEN
    ALTER TABLE t ADD COLUMN at timestamp;
  END IF;
END $$;`;
    const [finding] = lintSql(sql, RULE);
    assert.equal(flagged(sql, finding), 'timestamp');
  });

  it('does not flag timestamptz, time zones spelt out, other types, or the down section', () => {
    const sql = `-- migrate:up
CREATE TABLE t (a timestamptz, b timestamp with time zone, c TIMESTAMP(6) WITH TIME ZONE, d date, e time);
SELECT now()::timestamp;
-- migrate:down
ALTER TABLE t ADD COLUMN old_at timestamp;`;
    assert.deepEqual(lintSql(sql, RULE), []);
  });

  it('fixes to timestamptz keeping the precision and array brackets; the result parses and is clean', async () => {
    const sql = `CREATE TABLE events (seen TIMESTAMP(3) WITHOUT TIME ZONE NOT NULL, log timestamp[]);`;
    let text = sql;
    for (let round = 0; round < 3; round++) {
      const [finding] = lintSql(text, RULE);
      if (!finding) break;
      text = applyEdits(text, finding.fixes[0].edits);
    }
    assert.equal(text, 'CREATE TABLE events (seen timestamptz(3) NOT NULL, log timestamptz[]);');
    const db = await runOnScratchDatabase('', text);
    const columns = await db.query<{ column_name: string; data_type: string; datetime_precision: number | null }>(
      "SELECT column_name, data_type, datetime_precision FROM information_schema.columns WHERE table_name = 'events' ORDER BY ordinal_position",
    );
    assert.deepEqual(columns.rows[0], { column_name: 'seen', data_type: 'timestamp with time zone', datetime_precision: 3 });
    assert.equal(columns.rows[1].data_type, 'ARRAY');
    assert.deepEqual(lintSql(text, RULE), []);
    assert.deepEqual(lintSql(text, 'syntax-error'), []);
  });

  it('is suppressed by -- tidemark-ignore on the statement', () => {
    assert.deepEqual(lintSql(`-- tidemark-ignore ${RULE}\nCREATE TABLE t (a timestamp);`, RULE), []);
  });
});
