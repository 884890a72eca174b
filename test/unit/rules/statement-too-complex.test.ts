import assert from 'node:assert/strict';
import { ensureParser, flagged, lintSql } from '../../support/lint';
import { longSum } from '../../support/hostile-sql';

const RULE = 'statement-too-complex';

describe(`rule ${RULE}`, () => {
  before(ensureParser);

  it('flags a valid statement too deep for the parser, not as a syntax error, and parses the rest', () => {
    // lintSql refuses SQL with a syntax error: reporting this one as a syntax error fails the test.
    const sql = `${longSum(20_000)}ALTER TABLE orders DROP COLUMN note;\n`;
    const findings = lintSql(sql, RULE);
    assert.equal(findings.length, 1);
    assert.match(findings[0].message, /nested too deeply for Tidemark to analyse/);
    assert.ok(flagged(sql, findings[0]).startsWith('SELECT 0 + 1 + 2'));
    assert.equal(lintSql(sql, 'ban-drop-column').length, 1);
  });

  it('does not flag ordinary statements', () => {
    assert.deepEqual(lintSql(`${longSum(50)}CREATE TABLE t (id int);`, RULE), []);
  });

  it('honours -- tidemark-ignore', () => {
    assert.deepEqual(lintSql(`-- tidemark-ignore ${RULE}\n${longSum(20_000)}`, RULE), []);
  });
});
