import assert from 'node:assert/strict';
import { ensureParser, lintFiles } from '../../support/lint';

describe('rule empty-migration', () => {
  before(ensureParser);

  it('flags a file with only a down section, and one of comments only', () => {
    const down = lintFiles({ '001_a.sql': '-- migrate:down\nDROP TABLE a;\n' }, { rule: 'empty-migration' }).findings;
    assert.deepEqual(
      down.map((f) => f.message),
      ['the up section is empty: the file has only a down section'],
    );
    const comments = lintFiles({ '001_a.sql': '-- migrate:up\n-- TODO\n' }, { rule: 'empty-migration' }).findings;
    assert.deepEqual(
      comments.map((f) => f.message),
      ['the up section is empty: there is no SQL to apply'],
    );
  });

  it('reads lone carriage returns as line ends: the up after `-- migrate:up\\r` is not empty', () => {
    const { findings } = lintFiles({ '001_a.sql': '-- migrate:up\rCREATE TABLE t4 (id int);\rSELECT 1;\r' });
    assert.deepEqual(
      findings.filter((f) => f.rule === 'empty-migration' || f.rule === 'syntax-error'),
      [],
    );
  });

  it('is quiet on a migration with SQL in its up, and on a file that is no migration', () => {
    assert.deepEqual(lintFiles({ '001_a.sql': 'CREATE TABLE a (id int);\n' }, { rule: 'empty-migration' }).findings, []);
    assert.deepEqual(lintFiles({ 'notes.sql': '-- just notes\n' }, { rule: 'empty-migration' }).findings, []);
  });
});
