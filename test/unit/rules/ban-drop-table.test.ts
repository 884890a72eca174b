import assert from 'node:assert/strict';
import { ensureParser, flagged, lintSql } from '../../support/lint';

const RULE = 'ban-drop-table';

describe(`rule ${RULE}`, () => {
  before(ensureParser);

  it('flags DROP TABLE of an existing table, once per table', () => {
    const sql = 'DROP TABLE IF EXISTS audit_log, public.sessions;';
    const findings = lintSql(sql, RULE);
    assert.equal(findings.length, 2);
    assert.match(findings[0].message, /Dropping table audit_log deletes its rows for good/);
    assert.match(findings[1].message, /Dropping table public\.sessions/);
    assert.deepEqual(
      findings.map((f) => flagged(sql, f)),
      ['audit_log', 'public.sessions'],
    );
    const single = 'DROP TABLE "Audit Log" CASCADE;';
    assert.equal(flagged(single, lintSql(single, RULE)[0]), 'DROP TABLE "Audit Log" CASCADE');
  });

  it('does not flag the down section dropping the table the up created', () => {
    const sql = '-- migrate:up\nCREATE TABLE IF NOT EXISTS tenants (id bigint);\n-- migrate:down\nDROP TABLE IF EXISTS public.tenants;\n';
    assert.deepEqual(lintSql(sql, RULE), []);
  });

  it('flags a down section dropping a table the up did not create', () => {
    const sql = '-- migrate:up\nCREATE TABLE a (id int);\n-- migrate:down\nDROP TABLE a;\nDROP TABLE customers;\nDROP TABLE IF EXISTS a, app."Orders" RESTRICT;\n';
    const findings = lintSql(sql, RULE);
    assert.deepEqual(
      findings.map((f) => flagged(sql, f)),
      ['DROP TABLE customers', 'app."Orders"'],
    );
  });

  it('does not flag a table created earlier in the same section (a scratch table)', () => {
    assert.deepEqual(lintSql('CREATE TABLE scratch AS SELECT 1 AS x;\nDROP TABLE scratch;', RULE), []);
  });

  it('does not flag other DROP statements', () => {
    assert.deepEqual(lintSql('DROP VIEW v; DROP INDEX i; DROP SEQUENCE s;', RULE), []);
  });

  it('honours -- tidemark-ignore', () => {
    assert.deepEqual(lintSql(`-- tidemark-ignore ${RULE}\nDROP TABLE old_stuff;`, RULE), []);
  });
});
