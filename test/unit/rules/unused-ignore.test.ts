import assert from 'node:assert/strict';
import { applyEdits, ensureParser, flagged, lintFiles } from '../../support/lint';
import type { Finding } from '../../../server/src/lint/types';

const RULE = 'unused-ignore';

/** Lints with every rule (what each suppression suppressed depends on the others), keeping this rule's findings. */
function unused(sql: string): Finding[] {
  return lintFiles({ '001_test.sql': sql }).findings.filter((f) => f.rule === RULE);
}

const fix = (sql: string, finding: Finding) => applyEdits(sql, finding.fixes[0].edits);

describe(`rule ${RULE}`, () => {
  before(ensureParser);

  it('flags a rule id that suppresses nothing on the statement below, and removes the comment', () => {
    const sql =
      "SET lock_timeout = '5s';\n-- tidemark-ignore require-concurrent-index-creation\nCREATE INDEX CONCURRENTLY IF NOT EXISTS i ON t (x);\n-- migrate:down\nDROP INDEX CONCURRENTLY IF EXISTS i;\n";
    const [finding, ...rest] = unused(sql);
    assert.deepEqual(rest, []);
    assert.equal(flagged(sql, finding), 'require-concurrent-index-creation');
    assert.match(finding.message, /^require-concurrent-index-creation reports nothing for the statement below it: this suppression is unused/);
    assert.equal(finding.fixes[0].title, 'Remove the unused suppression');
    assert.equal(fix(sql, finding), "SET lock_timeout = '5s';\nCREATE INDEX CONCURRENTLY IF NOT EXISTS i ON t (x);\n-- migrate:down\nDROP INDEX CONCURRENTLY IF EXISTS i;\n");
  });

  it('does not flag a suppression that suppresses a finding, in the statement, a DO block or the file', () => {
    const indexWithoutConcurrently =
      "SET lock_timeout = '5s';\n-- tidemark-ignore require-concurrent-index-creation\nCREATE INDEX IF NOT EXISTS i ON t (x);\n-- migrate:down\nDROP INDEX IF EXISTS i;\n";
    assert.deepEqual(unused(indexWithoutConcurrently), []);
    const inDo = "SET lock_timeout = '5s';\n-- tidemark-ignore ban-drop-table\nDO $$ BEGIN\n  DROP TABLE IF EXISTS old_t;\nEND $$;\n-- migrate:down\nSELECT 1;\n";
    assert.deepEqual(unused(inDo), []);
    const file = "-- tidemark-ignore-file ban-drop-table\nSET lock_timeout = '5s';\nDROP TABLE IF EXISTS old_t;\n-- migrate:down\nSELECT 1;\n";
    assert.deepEqual(unused(file), []);
  });

  it('flags only the unused id of a list, and removes only it', () => {
    const sql = "SET lock_timeout = '5s';\n-- tidemark-ignore ban-drop-table, ban-cascade\nDROP TABLE IF EXISTS old_t;\n-- migrate:down\nSELECT 1;\n";
    const [finding, ...rest] = unused(sql);
    assert.deepEqual(rest, []);
    assert.equal(flagged(sql, finding), 'ban-cascade');
    assert.equal(finding.fixes[0].title, 'Remove ban-cascade from the suppression');
    const fixed = fix(sql, finding);
    assert.equal(fixed, "SET lock_timeout = '5s';\n-- tidemark-ignore ban-drop-table\nDROP TABLE IF EXISTS old_t;\n-- migrate:down\nSELECT 1;\n");
    assert.deepEqual(unused(fixed), []);
  });

  it('flags a misspelt rule id, an unused -ignore-file, a bare ignore with nothing to hide, and one above no statement', () => {
    const sql = [
      '-- tidemark-ignore-file prefer-text-field',
      "SET lock_timeout = '5s';",
      '-- tidemark-ignore ban-drop-tabel',
      'DROP TABLE IF EXISTS old_t;',
      '-- tidemark-ignore',
      'SELECT 1;',
      '-- tidemark-ignore ban-drop-table',
      '-- migrate:down',
      'SELECT 1;',
      '',
    ].join('\n');
    const findings = unused(sql);
    assert.deepEqual(
      findings.map((f) => [flagged(sql, f), f.message.replace(/:.*/s, '')]),
      [
        ['prefer-text-field', 'prefer-text-field reports nothing in this file'],
        ['ban-drop-tabel', '"ban-drop-tabel" is not a rule id, so this comment suppresses nothing for it; rule ids are listed in docs/rules.'],
        ['-- tidemark-ignore', 'This -- tidemark-ignore suppresses nothing'],
        ['-- tidemark-ignore ban-drop-table', 'This -- tidemark-ignore applies to no statement'],
      ],
    );
  });

  it("does not judge rules that did not run (turned off, or left out of the run), nor the replay check's rules", () => {
    const sql = "SET lock_timeout = '5s';\n-- tidemark-ignore replay-error, ban-drop-table\nCREATE TABLE t (id bigint);\n-- migrate:down\nDROP TABLE t;\n";
    const off = lintFiles({ '001_test.sql': sql }).findings.filter((f) => f.rule === RULE);
    assert.deepEqual(
      off.map((f) => flagged(sql, f)),
      ['ban-drop-table'],
      'replay-error is left alone; ban-drop-table ran and found nothing',
    );
    const onlyThisRule = lintFiles({ '001_test.sql': sql }, { rule: RULE }).findings;
    assert.deepEqual(onlyThisRule, [], 'with no other rule run, nothing can be judged unused');
  });

  it('is itself suppressed for a file by -- tidemark-ignore-file unused-ignore', () => {
    assert.deepEqual(unused('-- tidemark-ignore-file unused-ignore\n-- tidemark-ignore ban-cascade\nSELECT 1;\n'), []);
  });
});
