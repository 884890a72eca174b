import assert from 'node:assert/strict';
import { ensureParser, flagged, lintSql } from '../../support/lint';
import { applyRuleFix, assertParses, runOnScratchDatabase } from '../../support/rule-fixes';

const RULE = 'disallowed-unique-constraint';

describe(`rule ${RULE}`, () => {
  before(ensureParser);

  it('flags ADD UNIQUE / PRIMARY KEY on an existing table, underlining the constraint clause', () => {
    const sql = 'ALTER TABLE users ADD CONSTRAINT users_email_key UNIQUE (email);';
    const [finding] = lintSql(sql, RULE);
    assert.equal(flagged(sql, finding), 'ADD CONSTRAINT users_email_key UNIQUE (email)');
    assert.match(finding.message, /UNIQUE constraint to existing table users builds its index under an ACCESS EXCLUSIVE lock/);
    assert.match(lintSql('ALTER TABLE users ADD PRIMARY KEY (id);', RULE)[0].message, /PRIMARY KEY constraint/);
  });

  it('flags a column added as UNIQUE (no fix: the column must exist before its index)', () => {
    const [finding] = lintSql('ALTER TABLE users ADD COLUMN handle text UNIQUE;', RULE);
    assert.match(finding.message, /Adding column handle as UNIQUE to existing table users/);
    assert.equal(finding.fixes.filter((f) => !f.title.startsWith('Ignore ')).length, 0);
  });

  it('does not flag USING INDEX, a new table, or other constraints', () => {
    assert.deepEqual(lintSql('ALTER TABLE users ADD CONSTRAINT users_email_key UNIQUE USING INDEX users_email_idx;', RULE), []);
    assert.deepEqual(lintSql('CREATE TABLE t (a int);\nALTER TABLE t ADD PRIMARY KEY (a);', RULE), []);
    assert.deepEqual(lintSql('ALTER TABLE users ADD CHECK (a > 0) NOT VALID;', RULE), []);
  });

  it('fixes into CREATE UNIQUE INDEX CONCURRENTLY + ADD CONSTRAINT ... USING INDEX, which runs on PostgreSQL', async () => {
    const sql = '-- migrate:up\nALTER TABLE users ADD CONSTRAINT users_email_key UNIQUE NULLS NOT DISTINCT (email) INCLUDE (id) DEFERRABLE;\n';
    const fixed = applyRuleFix(sql, lintSql(sql, RULE)[0]);
    assert.equal(
      fixed,
      '-- migrate:up\nCREATE UNIQUE INDEX CONCURRENTLY IF NOT EXISTS users_email_key ON users (email) INCLUDE (id) NULLS NOT DISTINCT;\nALTER TABLE users ADD CONSTRAINT users_email_key UNIQUE USING INDEX users_email_key DEFERRABLE;\n',
    );
    assertParses(fixed);
    assert.deepEqual(lintSql(fixed, RULE), []);
    const db = await runOnScratchDatabase("CREATE TABLE users (id int, email text); INSERT INTO users VALUES (1, 'a@x');", fixed);
    const con = await db.query<{ conname: string; contype: string; condeferrable: boolean }>(
      `SELECT conname, contype, condeferrable FROM pg_constraint WHERE conrelid = 'users'::regclass`,
    );
    assert.deepEqual(con.rows, [{ conname: 'users_email_key', contype: 'u', condeferrable: true }]);
  });

  it("fixes an unnamed PRIMARY KEY in a multi-command ALTER TABLE with PostgreSQL's default name", async () => {
    const sql = 'ALTER TABLE public.users ALTER COLUMN id SET DEFAULT 0, ADD PRIMARY KEY (id);';
    const fixed = applyRuleFix(sql, lintSql(sql, RULE)[0]);
    assert.equal(
      fixed,
      'CREATE UNIQUE INDEX CONCURRENTLY IF NOT EXISTS users_pkey ON public.users (id);\nALTER TABLE public.users ALTER COLUMN id SET DEFAULT 0, ADD CONSTRAINT users_pkey PRIMARY KEY USING INDEX users_pkey;',
    );
    assertParses(fixed);
    assert.deepEqual(lintSql(fixed, RULE), []);
    const db = await runOnScratchDatabase('CREATE TABLE users (id int NOT NULL); INSERT INTO users VALUES (1);', fixed);
    const con = await db.query(`SELECT conname FROM pg_constraint WHERE conrelid = 'users'::regclass AND contype = 'p'`);
    assert.deepEqual(con.rows, [{ conname: 'users_pkey' }]);
  });

  it('puts the new index above the comments over the statement, so a suppression there stays with it', () => {
    const sql = '-- migrate:up\n  -- one account per address\n  -- tidemark-ignore require-lock-timeout\n  ALTER TABLE users ADD UNIQUE (email);\n';
    const fixed = applyRuleFix(sql, lintSql(sql, RULE)[0]);
    assert.equal(
      fixed,
      '-- migrate:up\n  CREATE UNIQUE INDEX CONCURRENTLY IF NOT EXISTS users_email_key ON users (email);\n  -- one account per address\n  -- tidemark-ignore require-lock-timeout\n  ALTER TABLE users ADD CONSTRAINT users_email_key UNIQUE USING INDEX users_email_key;\n',
    );
    assert.deepEqual(lintSql(fixed, 'require-lock-timeout'), [], 'the suppression still applies to the ALTER TABLE');
  });

  it('offers no fix when storage options would have to move to the index', () => {
    const [finding] = lintSql('ALTER TABLE users ADD PRIMARY KEY (id) WITH (fillfactor = 70);', RULE);
    assert.equal(finding.fixes.filter((f) => !f.title.startsWith('Ignore ')).length, 0);
  });

  it('honours -- tidemark-ignore', () => {
    assert.deepEqual(lintSql(`-- tidemark-ignore ${RULE}\nALTER TABLE users ADD UNIQUE (email);`, RULE), []);
  });
});
