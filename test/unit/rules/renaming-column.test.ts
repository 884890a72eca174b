import assert from 'node:assert/strict';
import { ensureParser, flagged, lintSql } from '../../support/lint';

const RULE = 'renaming-column';

describe(`rule ${RULE}`, () => {
  before(ensureParser);

  it('flags RENAME COLUMN on an existing table, underlining the RENAME clause', () => {
    const sql = 'ALTER TABLE public.users RENAME COLUMN name TO full_name;';
    const [finding] = lintSql(sql, RULE);
    assert.equal(flagged(sql, finding), 'RENAME COLUMN name TO full_name');
    assert.match(finding.message, /Renaming column name of public\.users to full_name breaks every running app instance/);
  });

  it('does not flag the down section renaming it back', () => {
    const sql = '-- migrate:up\nALTER TABLE users RENAME COLUMN name TO full_name;\n-- migrate:down\nALTER TABLE users RENAME COLUMN full_name TO name;\n';
    assert.equal(lintSql(sql, RULE).length, 1, 'only the up rename is a finding');
  });

  it('does not flag a column of a table created in the same section, nor other renames', () => {
    assert.deepEqual(lintSql('CREATE TABLE t (a int);\nALTER TABLE t RENAME COLUMN a TO b;', RULE), []);
    assert.deepEqual(lintSql('ALTER TABLE t RENAME TO u; ALTER INDEX i RENAME TO j; ALTER TABLE t RENAME CONSTRAINT c TO d;', RULE), []);
  });

  it('honours -- tidemark-ignore', () => {
    assert.deepEqual(lintSql(`-- tidemark-ignore ${RULE}\nALTER TABLE users RENAME name TO full_name;`, RULE), []);
  });
});
