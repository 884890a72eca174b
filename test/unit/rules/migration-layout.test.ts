import assert from 'node:assert/strict';
import { ensureParser, flagged, lintFiles } from '../../support/lint';

describe('rule migration-layout', () => {
  before(ensureParser);

  it("flags another tool's marker in a file, on the marker's line", () => {
    const files = {
      '001_a.sql': '-- migrate:up\nCREATE TABLE a (id int);\n-- migrate:down\nDROP TABLE a;\n',
      '002_b.sql': '-- migrate:up\nCREATE TABLE b (id int);\n-- migrate:down\nDROP TABLE b;\n',
      '003_c.sql': 'CREATE TABLE c (id int);\n-- +goose Down\nDROP TABLE c;\n',
    };
    const { findings, text } = lintFiles(files, { linted: '003_c.sql', rule: 'migration-layout' });
    assert.equal(findings.length, 1);
    assert.equal(flagged(text, findings[0]), '-- +goose Down');
    assert.match(findings[0].message, /line 2 is `-- \+goose Down`, a goose marker, but this folder is read as dbmate/);
    assert.deepEqual(lintFiles(files, { linted: '001_a.sql', rule: 'migration-layout' }).findings, []);
  });

  it('flags what goose refuses, at the line', () => {
    const { findings, text } = lintFiles({ '001_a.sql': '-- +goose Up\nCREATE TABLE a (id int);\n-- +goose StatementBegin\nSELECT 1;\n' }, { rule: 'migration-layout' });
    assert.equal(findings.length, 1);
    assert.match(findings[0].message, /never closed by '-- \+goose StatementEnd'/);
    assert.equal(findings[0].severity, 'error');
    assert.equal(findings[0].start, text.length);
  });

  it('is quiet on a well-formed goose file', () => {
    assert.deepEqual(lintFiles({ '001_a.sql': '-- +goose Up\nCREATE TABLE a (id int);\n-- +goose Down\nDROP TABLE a;\n' }, { rule: 'migration-layout' }).findings, []);
  });
});
