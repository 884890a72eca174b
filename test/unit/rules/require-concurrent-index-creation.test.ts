import assert from 'node:assert/strict';
import { ensureParser, flagged, lintSql } from '../../support/lint';
import { applyRuleFix, assertParses, runOnScratchDatabase } from '../../support/rule-fixes';

const RULE = 'require-concurrent-index-creation';

describe(`rule ${RULE}`, () => {
  before(ensureParser);

  it('counts materialized views, CREATE TABLE ... AS and TEMP tables created earlier in the migration as new', () => {
    const sql = `CREATE MATERIALIZED VIEW daily_totals AS SELECT 1 AS day;
CREATE UNIQUE INDEX daily_totals_day_idx ON daily_totals (day);
CREATE TABLE archive AS SELECT * FROM orders WHERE false;
CREATE INDEX archive_id_idx ON archive (id);
CREATE TEMP TABLE staging (id bigint);
CREATE INDEX staging_id_idx ON staging (id);
CREATE INDEX orders_id_idx ON orders (id);`;
    assert.deepEqual(
      lintSql(sql, 'require-concurrent-index-creation').map((f) => flagged(sql, f)),
      ['CREATE INDEX orders_id_idx ON orders'],
    );
  });

  it('flags CREATE INDEX on an existing table, underlining up to the table name', () => {
    const sql = 'CREATE UNIQUE INDEX IF NOT EXISTS users_email_idx ON public.users (lower(email));';
    const [finding] = lintSql(sql, RULE);
    assert.equal(flagged(sql, finding), 'CREATE UNIQUE INDEX IF NOT EXISTS users_email_idx ON public.users');
    assert.match(finding.message, /index users_email_idx on existing table public\.users without CONCURRENTLY holds a SHARE lock .* blocking every INSERT, UPDATE and DELETE/);
  });

  it('does not flag CONCURRENTLY, a table created earlier in the section, or ON ONLY a partitioned parent', () => {
    assert.deepEqual(lintSql('CREATE INDEX CONCURRENTLY i ON users (a);', RULE), []);
    assert.deepEqual(lintSql('CREATE TABLE IF NOT EXISTS t (a int);\nCREATE INDEX IF NOT EXISTS t_a_idx ON t (a);', RULE), []);
    assert.deepEqual(lintSql('CREATE INDEX measurements_at_idx ON ONLY measurements (at);', RULE), []);
  });

  it('flags an index created inside a DO block, without a fix (CONCURRENTLY cannot run there)', () => {
    const sql = 'DO $$\nBEGIN\n  CREATE INDEX i ON users (a);\nEND\n$$;';
    const [finding] = lintSql(sql, RULE);
    assert.ok(finding);
    assert.equal(finding.fixes.filter((f) => !f.title.startsWith('Ignore ')).length, 0);
  });

  it('fixes by inserting CONCURRENTLY; the result runs on PostgreSQL', async () => {
    const sql = 'create unique index if not exists users_email_idx on users (email);';
    const fixed = applyRuleFix(sql, lintSql(sql, RULE)[0]);
    assert.equal(fixed, 'create unique index CONCURRENTLY if not exists users_email_idx on users (email);');
    assertParses(fixed);
    assert.deepEqual(lintSql(fixed, RULE), []);
    const db = await runOnScratchDatabase("CREATE TABLE users (email text); INSERT INTO users VALUES ('a');", fixed);
    const index = await db.query(`SELECT indisvalid FROM pg_index WHERE indexrelid = 'users_email_idx'::regclass`);
    assert.deepEqual(index.rows, [{ indisvalid: true }]);
  });

  it('honours -- tidemark-ignore', () => {
    assert.deepEqual(lintSql(`-- tidemark-ignore ${RULE}\nCREATE INDEX i ON users (a);`, RULE), []);
  });
});
