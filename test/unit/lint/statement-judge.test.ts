/**
 * A rule that judges each statement by itself (Rule.eachStatement) is not asked again about a
 * statement an edit did not touch: the engine reports what it reported before, moved with the
 * statement. Findings and their fixes must be those of a fresh lint of the new text.
 */
import assert from 'node:assert/strict';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { ensureParser } from '../../support/parse';
import { scratchDir } from '../../support/test-cleanup';
import { buildLintUnit } from '../../../server/src/lint/unit';
import { lintUnit } from '../../../server/src/lint/engine';
import { allRules } from '../../../server/src/lint/rules';
import type { Finding, Rule } from '../../../server/src/lint/types';

const TEXT = [
  'CREATE TABLE events (id bigint PRIMARY KEY, at timestamp, label varchar(40));',
  "CREATE POLICY own ON events USING (id = current_setting('app.id')::bigint);",
  'CREATE POLICY everyone ON events USING (true);',
  'ALTER TABLE events ADD COLUMN seen timestamp(3);',
].join('\n');

/** The rules judging statements one by one, each counting the statements it was asked about. */
function counted(): { rules: Rule[]; asked: () => number } {
  let asked = 0;
  const rules = allRules
    .filter((rule) => rule.eachStatement)
    .map((rule) => {
      const judge = rule.eachStatement!;
      return { ...rule, eachStatement: { ...judge, lint: (...args: Parameters<typeof judge.lint>) => (asked++, judge.lint(...args)) } };
    });
  return { rules, asked: () => asked };
}

/** TEXT as the only migration of a fresh folder. */
function migrationFile(): string {
  const dir = scratchDir('judge-');
  mkdirSync(join(dir, 'migrations'));
  const path = join(dir, 'migrations', '001_events.sql');
  writeFileSync(path, TEXT);
  return path;
}

const shown = (findings: Finding[]) => findings.map((f) => ({ rule: f.rule, start: f.start, end: f.end, message: f.message, severity: f.severity, fixes: f.fixes }));

describe('rules judging each statement alone', () => {
  before(ensureParser);

  it('are asked only about the statement an edit changed, and report as a fresh lint does', () => {
    const path = migrationFile();
    const { rules, asked } = counted();
    assert.ok(rules.length >= 4, rules.map((r) => r.id).join(', '));

    const first = lintUnit(buildLintUnit(path, TEXT), { rules });
    const askedFirst = asked();
    assert.ok(askedFirst >= 4 * rules.length, `asked ${askedFirst} times`);
    // Every rule has a finding here, and the first statement's are moved by the edit before them.
    assert.deepEqual([...new Set(first.map((f) => f.rule))].sort(), rules.map((r) => r.id).sort());

    // A longer name in the first statement: the others move, unchanged.
    const edited = TEXT.replace('events (id', 'events_log (id');
    const after = lintUnit(buildLintUnit(path, edited), { rules });
    assert.equal(asked() - askedFirst, rules.length, 'only the edited statement is judged again');

    // What judging every statement of the new text gives (the rules' own lint, nothing kept),
    // fixes included: their offsets moved too. Parse trees are shared by statement text, so a lint
    // of the same text elsewhere would find the kept reports too.
    const judgingAll = allRules.filter((rule) => rule.eachStatement).map((rule) => ({ ...rule, eachStatement: undefined }));
    const expected = lintUnit(buildLintUnit(path, edited), { rules: judgingAll });
    assert.deepEqual(shown(after), shown(expected));
    assert.ok(
      after.some((f) => f.fixes.some((fix) => fix.edits.some((e) => e.start > 40))),
      'a fix of a moved statement',
    );
  });

  it('are asked again when the migration runs differently (its execution is part of the context)', () => {
    const path = migrationFile();
    const { rules, asked } = counted();
    lintUnit(buildLintUnit(path, TEXT), { rules });
    const before = asked();
    lintUnit(buildLintUnit(path, TEXT), { rules, policy: { idempotency: 'require' } });
    assert.ok(asked() - before >= 4 * rules.length, `asked ${asked() - before} times`);
  });
});
