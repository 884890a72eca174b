import assert from 'node:assert/strict';
import { ensureParser, flagged, lintFiles, lintSql } from '../../support/lint';

const RULE = 'ban-drop-column';

describe(`rule ${RULE}`, () => {
  before(ensureParser);

  it('flags DROP COLUMN on an existing table, underlining that command', () => {
    const sql = 'ALTER TABLE users ADD COLUMN email_verified boolean, DROP COLUMN legacy_email;';
    const [finding, ...rest] = lintSql(sql, RULE);
    assert.equal(rest.length, 0);
    assert.equal(flagged(sql, finding), 'DROP COLUMN legacy_email');
    assert.match(finding.message, /Dropping column legacy_email from users breaks application code/);
  });

  it('flags a down section that drops a column the up did not add', () => {
    const sql = '-- migrate:up\nALTER TABLE users ADD COLUMN a int;\n-- migrate:down\nALTER TABLE users DROP COLUMN a, DROP COLUMN b;\n';
    const findings = lintSql(sql, RULE);
    assert.deepEqual(
      findings.map((f) => flagged(sql, f)),
      ['DROP COLUMN b'],
    );
  });

  it('does not flag the down section reversing a column the up added (paired files too)', () => {
    assert.deepEqual(lintSql('-- migrate:up\nALTER TABLE users ADD COLUMN a int;\n-- migrate:down\nALTER TABLE users DROP COLUMN IF EXISTS a;\n', RULE), []);
    const { findings } = lintFiles({ '002_add.down.sql': 'ALTER TABLE public.users DROP COLUMN a;\n', '002_add.up.sql': 'ALTER TABLE users ADD COLUMN a int;\n' }, { rule: RULE });
    assert.deepEqual(findings, []);
  });

  it('does not flag a column of a table created earlier in the same section', () => {
    assert.deepEqual(lintSql('CREATE TABLE t (a int, b int);\nALTER TABLE t DROP COLUMN b;', RULE), []);
  });

  it('judges DDL inside DO blocks', () => {
    const sql = 'DO $$\nBEGIN\n  ALTER TABLE users DROP COLUMN legacy;\nEND\n$$;\n';
    const [finding] = lintSql(sql, RULE);
    assert.ok(finding, 'expected a finding inside the DO block');
    assert.match(flagged(sql, finding), /DROP COLUMN legacy/);
  });

  it('honours -- tidemark-ignore', () => {
    assert.deepEqual(lintSql(`-- tidemark-ignore ${RULE}\nALTER TABLE users DROP COLUMN legacy;`, RULE), []);
  });
});
