import assert from 'node:assert/strict';
import { applyEdits, ensureParser, flagged, lintSql } from '../../support/lint';

const RULE = 'require-concurrent-reindex';

describe(`rule ${RULE}`, () => {
  before(ensureParser);

  it('flags REINDEX INDEX/TABLE/SCHEMA without CONCURRENTLY, with a fix that adds it', () => {
    const sql = `REINDEX INDEX users_email_idx;
REINDEX TABLE users;
REINDEX SCHEMA app;`;
    const findings = lintSql(sql, RULE);
    assert.deepEqual(
      findings.map((f) => flagged(sql, f)),
      ['REINDEX INDEX users_email_idx;', 'REINDEX TABLE users;', 'REINDEX SCHEMA app;'],
    );
    assert.match(findings[0].message, /REINDEX index users_email_idx without CONCURRENTLY blocks writes/);
    assert.equal(applyEdits(sql, findings[1].fixes[0].edits).split('\n')[1], 'REINDEX TABLE CONCURRENTLY users;');
    assert.equal(applyEdits(sql, findings[0].fixes[0].edits).split('\n')[0], 'REINDEX INDEX CONCURRENTLY users_email_idx;');
  });

  it('leaves REINDEX CONCURRENTLY, REINDEX SYSTEM and tables created in the migration alone', () => {
    const sql = `REINDEX INDEX CONCURRENTLY users_email_idx;
REINDEX (CONCURRENTLY) TABLE users;
CREATE TABLE fresh (id bigint);
REINDEX TABLE fresh;`;
    assert.deepEqual(lintSql(sql, RULE), []);
  });
});
