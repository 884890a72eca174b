/**
 * The rule tests' helper refuses SQL that does not parse: "no finding of rule X" on a typo would
 * pass without any rule having looked at the statement.
 */
import assert from 'node:assert/strict';
import { ensureParser, lintFiles, lintSql } from '../../support/lint';

describe('test/support/lint: the SQL under test must parse', () => {
  before(ensureParser);

  it('throws on a typo, naming the file, the line and the statement', () => {
    assert.throws(
      () => lintSql('CREATE TABLE a (id int);\nCREAT INDEX i ON a (id);\n', 'require-concurrent-index-creation'),
      (error: Error) => {
        assert.match(error.message, /does not parse/);
        assert.match(error.message, /001_test\.sql:2: syntax error at or near "CREAT": CREAT INDEX i ON a \(id\);/);
        return true;
      },
    );
  });

  it('checks every file of the migration, not only the one linted', () => {
    assert.throws(
      () => lintFiles({ '001_a.up.sql': 'CREATE TABLE a (id int);', '001_a.down.sql': 'DROP TABLEE a;' }, { rule: 'require-rollback' }),
      /001_a\.down\.sql:1: syntax error/,
    );
  });

  it('lets a test about broken SQL say so, and the syntax-error rule see it', () => {
    assert.deepEqual(lintFiles({ '001_test.sql': 'SELEC 1;' }, { rule: 'require-rollback', allowSyntaxErrors: true }).findings, []);
    assert.deepEqual(
      lintSql('SELEC 1;', 'syntax-error').map((f) => f.rule),
      ['syntax-error'],
    );
  });
});
