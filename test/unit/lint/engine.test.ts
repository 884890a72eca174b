/**
 * The engine's side of "the rule decides, the engine reports": fixes a rule hands over as a
 * function run when somebody reads them, once, and a fix that fails there costs only itself.
 */
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { ensureParser } from '../../../server/src/sql/parse';
import { buildLintUnit } from '../../../server/src/lint/unit';
import { lintUnit } from '../../../server/src/lint/engine';
import type { Rule } from '../../../server/src/lint/types';
import { allRules } from '../../../server/src/lint/rules';
import { replayRules } from '../../../server/src/findings/replay-rules';
import { scratchDir } from '../../support/test-cleanup';

function ruleWithFix(fixes: () => Array<{ title: string; edits: [] }>): Rule {
  return {
    id: 'test-rule',
    defaultSeverity: 'warning',
    summary: 'flags every statement',
    lint(unit, report) {
      for (const statement of unit.up?.statements ?? []) report({ section: unit.up!, statement, message: 'flagged', fixes });
    },
  };
}

/** A one-file migration in a folder of its own (the engine looks at the folder for the layout). */
function unitOf(text: string) {
  return buildLintUnit(join(scratchDir('engine-'), '001_a.sql'), text);
}

describe('lint/engine: fixes on findings', () => {
  before(ensureParser);

  it("computes a rule's fixes when they are first read, once, and keeps them", () => {
    let runs = 0;
    const rule = ruleWithFix(() => {
      runs++;
      return [{ title: 'Do the thing', edits: [] }];
    });
    const [finding] = lintUnit(unitOf('CREATE TABLE a (id int);\n'), { rules: [rule] });
    assert.equal(runs, 0, 'not computed while linting');
    assert.deepEqual(
      finding.fixes.map((f) => f.title),
      ['Do the thing', 'Ignore test-rule for this statement', 'Ignore test-rule in this file'],
    );
    assert.equal(finding.fixes, finding.fixes);
    assert.equal(runs, 1);
  });

  it("a fix that fails when read is reported as the rule's error and leaves the ignore actions", () => {
    const errors: string[] = [];
    const rule = ruleWithFix(() => {
      throw new Error('no place for it');
    });
    const [finding] = lintUnit(unitOf('CREATE TABLE a (id int);\n'), { rules: [rule], onRuleError: (id, error) => errors.push(`${id}: ${(error as Error).message}`) });
    assert.equal(finding.message, 'flagged');
    assert.deepEqual(
      finding.fixes.map((f) => f.title),
      ['Ignore test-rule for this statement', 'Ignore test-rule in this file'],
    );
    assert.deepEqual(errors, ['test-rule: no place for it']);
  });
});

describe('lint/engine: the order of findings', () => {
  it('every rule id is lower-case ASCII letters, digits and hyphens, which the engine sorts by code unit', () => {
    const ids = [...allRules, ...replayRules].map((rule) => rule.id);
    assert.deepEqual(
      ids.filter((id) => !/^[a-z0-9-]+$/.test(id)),
      [],
    );
    // Code-unit order is then the order localeCompare gave, which findings were sorted by.
    assert.deepEqual(
      [...ids].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0)),
      [...ids].sort((a, b) => a.localeCompare(b)),
    );
  });
});
