import assert from 'node:assert/strict';
import { ensureParser, flagged, lintSql } from '../../support/lint';
import { applyRuleFix, assertParses, runOnScratchDatabase } from '../../support/rule-fixes';

const RULE = 'require-concurrent-index-deletion';

describe(`rule ${RULE}`, () => {
  before(ensureParser);

  it('flags DROP INDEX without CONCURRENTLY', () => {
    const sql = 'DROP INDEX IF EXISTS users_email_idx;';
    const [finding] = lintSql(sql, RULE);
    assert.equal(flagged(sql, finding), 'DROP INDEX IF EXISTS users_email_idx');
    assert.match(finding.message, /Dropping index users_email_idx without CONCURRENTLY takes an ACCESS EXCLUSIVE lock on its table/);
  });

  it('does not flag the down section dropping the index the up created, or an index created earlier in the section', () => {
    const sql = '-- migrate:up\nCREATE INDEX CONCURRENTLY IF NOT EXISTS users_email_idx ON users (email);\n-- migrate:down\nDROP INDEX IF EXISTS users_email_idx;\n';
    assert.deepEqual(lintSql(sql, RULE), []);
    assert.deepEqual(lintSql('CREATE INDEX CONCURRENTLY tmp_idx ON users (a);\nDROP INDEX tmp_idx;', RULE), []);
  });

  it('flags a down section dropping an index the up did not create', () => {
    const sql = '-- migrate:up\nDROP INDEX CONCURRENTLY old_idx;\n-- migrate:down\nDROP INDEX other_idx;\n';
    assert.equal(lintSql(sql, RULE).length, 1);
  });

  it('fixes by inserting CONCURRENTLY; the result runs on PostgreSQL', async () => {
    const sql = 'DROP INDEX IF EXISTS users_email_idx;';
    const fixed = applyRuleFix(sql, lintSql(sql, RULE)[0]);
    assert.equal(fixed, 'DROP INDEX CONCURRENTLY IF EXISTS users_email_idx;');
    assertParses(fixed);
    assert.deepEqual(lintSql(fixed, RULE), []);
    const db = await runOnScratchDatabase('CREATE TABLE users (email text); CREATE INDEX users_email_idx ON users (email);', fixed);
    assert.deepEqual((await db.query(`SELECT to_regclass('users_email_idx') AS idx`)).rows, [{ idx: null }]);
  });

  it('splits a multi-index DROP into one CONCURRENTLY statement each; no fix with CASCADE', () => {
    const sql = 'DROP INDEX a_idx, app.b_idx;';
    const fixed = applyRuleFix(sql, lintSql(sql, RULE)[0]);
    assert.equal(fixed, 'DROP INDEX CONCURRENTLY a_idx;\nDROP INDEX CONCURRENTLY app.b_idx;');
    assertParses(fixed);
    assert.deepEqual(lintSql(fixed, RULE), []);
    const [cascade] = lintSql('DROP INDEX a_idx CASCADE;', RULE);
    assert.equal(cascade.fixes.filter((f) => !f.title.startsWith('Ignore ')).length, 0);
  });

  it('honours -- tidemark-ignore', () => {
    assert.deepEqual(lintSql(`-- tidemark-ignore ${RULE}\nDROP INDEX i;`, RULE), []);
  });
});
