import assert from 'node:assert/strict';
import { ensureParser, flagged, lintFiles } from '../../support/lint';

describe('rule unsubstituted-variable', () => {
  before(ensureParser);

  it('notes ${VAR} under goose ENVSUB ON, at the variable', () => {
    const { findings, text } = lintFiles(
      { '001_a.sql': '-- +goose Up\n-- +goose ENVSUB ON\nCREATE SCHEMA IF NOT EXISTS "${TENANT}";\n-- +goose ENVSUB OFF\n' },
      { rule: 'unsubstituted-variable' },
    );
    assert.equal(findings.length, 1);
    assert.equal(findings[0].severity, 'info');
    assert.equal(flagged(text, findings[0]).startsWith('${TENANT}'), true);
  });

  it('is quiet without ENVSUB ON, and in a dbmate file', () => {
    assert.deepEqual(lintFiles({ '001_a.sql': '-- +goose Up\nCREATE SCHEMA IF NOT EXISTS "${TENANT}";\n' }, { rule: 'unsubstituted-variable' }).findings, []);
    assert.deepEqual(lintFiles({ '001_a.sql': 'CREATE SCHEMA IF NOT EXISTS "${TENANT}";\n' }, { rule: 'unsubstituted-variable' }).findings, []);
  });
});
