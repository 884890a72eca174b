import assert from 'node:assert/strict';
import { ensureParser, flagged, lintSql } from '../../support/lint';
import { applyRuleFix, assertParses } from '../../support/rule-fixes';

const RULE = 'ban-cascade';

describe(`rule ${RULE}`, () => {
  before(ensureParser);

  it('flags DROP ... CASCADE and TRUNCATE ... CASCADE, underlining the keyword', () => {
    const sql = 'DROP TYPE order_status CASCADE;\nTRUNCATE sessions CASCADE;';
    const findings = lintSql(sql, RULE);
    assert.deepEqual(
      findings.map((f) => flagged(sql, f)),
      ['CASCADE', 'CASCADE'],
    );
    assert.match(findings[0].message, /drops every view, foreign key/);
    assert.match(findings[1].message, /empties every table with a foreign key/);
  });

  it('flags ALTER TABLE ... DROP COLUMN ... CASCADE', () => {
    const sql = 'ALTER TABLE users DROP COLUMN legacy CASCADE;';
    const [finding] = lintSql(sql, RULE);
    assert.match(finding.message, /dropping column legacy with CASCADE/);
  });

  it('does not flag RESTRICT or no behaviour, nor ON DELETE CASCADE in a foreign key', () => {
    assert.deepEqual(lintSql('DROP TABLE a RESTRICT; DROP VIEW v; TRUNCATE t;', RULE), []);
    assert.deepEqual(lintSql('ALTER TABLE o ADD FOREIGN KEY (c) REFERENCES c (id) ON DELETE CASCADE NOT VALID;', RULE), []);
  });

  it('does not flag the down section dropping with CASCADE what the up created', () => {
    const sql = '-- migrate:up\nCREATE TABLE t (id int);\n-- migrate:down\nDROP TABLE IF EXISTS t CASCADE;\n';
    assert.deepEqual(lintSql(sql, RULE), []);
  });

  it('fixes by removing CASCADE', () => {
    const sql = 'DROP SCHEMA reporting CASCADE;';
    const fixed = applyRuleFix(sql, lintSql(sql, RULE)[0]);
    assert.equal(fixed, 'DROP SCHEMA reporting;');
    assertParses(fixed);
    assert.deepEqual(lintSql(fixed, RULE), []);
  });

  it('honours -- tidemark-ignore', () => {
    assert.deepEqual(lintSql(`-- tidemark-ignore ${RULE}\nDROP VIEW v CASCADE;`, RULE), []);
  });
});
