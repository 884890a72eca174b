/**
 * The engine's side of "the rule decides, the engine reports": fixes a rule hands over as a
 * function run when somebody reads them, once, and a fix that fails there costs only itself.
 */
import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { ensureParser } from '../../../server/src/sql/parse';
import { buildLintUnit } from '../../../server/src/lint/unit';
import { lintUnit } from '../../../server/src/lint/engine';
import type { Rule } from '../../../server/src/lint/types';
import { allRules } from '../../../server/src/lint/rules';
import { replayRules } from '../../../server/src/findings/replay-rules';
import { scratchDir } from '../../support/test-cleanup';
import { steadyDisk } from '../../../server/src/migrations/steady-disk';

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

describe('lint/engine: a migration split over files is judged once per batch', () => {
  before(ensureParser);

  /** A golang-migrate pair in a folder of its own; returns the paths and a builder of each file's unit. */
  function pairedMigration(up: string, down: string) {
    const dir = scratchDir('engine-pair-');
    const upPath = join(dir, '000001_a.up.sql');
    const downPath = join(dir, '000001_a.down.sql');
    writeFileSync(upPath, up);
    writeFileSync(downPath, down);
    return { upPath, downPath, unit: (path: string, text = readFileSync(path, 'utf8')) => buildLintUnit(path, text) };
  }

  /** Flags every statement of both sections, counting its runs. */
  function countingRule(runs: { count: number }): Rule {
    return {
      id: 'test-rule',
      defaultSeverity: 'warning',
      summary: 'flags every statement',
      lint(unit, report) {
        runs.count++;
        for (const section of [unit.up, unit.down])
          for (const statement of section?.statements ?? []) report({ section: section!, statement, message: `flagged in ${section!.kind}` });
      },
    };
  }

  const shown = (findings: ReturnType<typeof lintUnit>) => findings.map((f) => `${f.rule} ${f.start}-${f.end} ${f.message}`);

  it('runs a rule once for the up and the down file, each file getting its own findings; an edit of either file runs it again', async () => {
    const m = pairedMigration('CREATE TABLE a (id int);\nCREATE TABLE b (id int);\n', 'DROP TABLE b;\n');
    const runs = { count: 0 };
    const rules = [countingRule(runs)];
    const [up, down, edited] = await steadyDisk(async () => [
      lintUnit(m.unit(m.upPath), { rules }),
      lintUnit(m.unit(m.downPath), { rules }),
      lintUnit(m.unit(m.downPath, 'DROP TABLE b;\nDROP TABLE a;\n'), { rules }),
    ]);
    assert.equal(runs.count, 2);
    assert.deepEqual(shown(up), ['test-rule 0-24 flagged in up', 'test-rule 25-49 flagged in up']);
    assert.deepEqual(shown(down), ['test-rule 0-13 flagged in down']);
    assert.deepEqual(shown(edited), ['test-rule 0-13 flagged in down', 'test-rule 14-27 flagged in down']);
    // Outside a batch nothing is kept: the same findings, from a run per file.
    assert.deepEqual(shown(lintUnit(m.unit(m.downPath), { rules })), shown(down));
    assert.equal(runs.count, 3);
  });

  it("runs a rule that reads the linted file's own fields again for each file", async () => {
    const m = pairedMigration('CREATE TABLE a (id int);\n', 'DROP TABLE a;\n');
    let runs = 0;
    const rule: Rule = {
      id: 'test-rule',
      defaultSeverity: 'warning',
      summary: 'names the linted file',
      lint(unit, report) {
        runs++;
        report({ section: unit.up!, start: 0, end: 1, message: `linted as ${unit.fileSection}` });
        report({ section: unit.down!, start: 0, end: 1, message: `linted as ${unit.fileSection}` });
      },
    };
    const [up, down] = await steadyDisk(async () => [lintUnit(m.unit(m.upPath), { rules: [rule] }), lintUnit(m.unit(m.downPath), { rules: [rule] })]);
    assert.equal(runs, 2);
    assert.deepEqual(shown(up), ['test-rule 0-1 linted as up']);
    assert.deepEqual(shown(down), ['test-rule 0-1 linted as down']);
  });

  it("builds the down file's unit from the migration the up file assembled only while the files read the same", async () => {
    const m = pairedMigration('-- tidemark:environments prod\nCREATE TABLE a (id int);\n', 'DROP TABLE a;\n');
    const editedUp = 'CREATE TABLE a (id int);\nCREATE TABLE b (id int);\n';
    // An editor's reader with the up file's unsaved copy, the down file from disk.
    const unsaved = { read: (path: string) => (path === m.upPath ? editedUp : readFileSync(path, 'utf8')) };
    const units = await steadyDisk(async () => {
      buildLintUnit(m.upPath, readFileSync(m.upPath, 'utf8'));
      const reused = buildLintUnit(m.downPath, readFileSync(m.downPath, 'utf8'));
      buildLintUnit(m.upPath, readFileSync(m.upPath, 'utf8'));
      const edited = buildLintUnit(m.downPath, readFileSync(m.downPath, 'utf8'), unsaved);
      buildLintUnit(m.upPath, readFileSync(m.upPath, 'utf8'));
      const downEdited = buildLintUnit(m.downPath, 'DROP TABLE b;\n');
      return { reused, edited, downEdited };
    });
    const summary = (unit: ReturnType<typeof buildLintUnit>) => ({
      file: unit.file.path,
      fileSection: unit.fileSection,
      up: unit.up?.statements.map((s) => s.text),
      down: unit.down?.statements.map((s) => s.text),
      execution: unit.execution,
      noTransactionDirective: unit.noTransactionDirective,
      downFilePath: unit.downFilePath,
      problems: unit.problems,
    });
    // Each is what building it outside a batch gives.
    assert.deepEqual(summary(units.reused), summary(buildLintUnit(m.downPath, readFileSync(m.downPath, 'utf8'))));
    assert.deepEqual(summary(units.edited), summary(buildLintUnit(m.downPath, readFileSync(m.downPath, 'utf8'), unsaved)));
    assert.deepEqual(summary(units.downEdited), summary(buildLintUnit(m.downPath, 'DROP TABLE b;\n')));
    assert.deepEqual(summary(units.edited).up, ['CREATE TABLE a (id int);', 'CREATE TABLE b (id int);']);
    assert.deepEqual(summary(units.downEdited).down, ['DROP TABLE b;']);
    assert.equal(units.reused.fileSection, 'down');
  });

  it("reports a rule's failure for each file of the migration, after the findings it made", async () => {
    const m = pairedMigration('CREATE TABLE a (id int);\n', 'DROP TABLE a;\n');
    const rule: Rule = {
      id: 'test-rule',
      defaultSeverity: 'warning',
      summary: 'fails halfway',
      lint(unit, report) {
        report({ section: unit.down!, start: 0, end: 4, message: 'before failing' });
        throw new Error('broken');
      },
    };
    const errors: string[] = [];
    const [, down] = await steadyDisk(async () => [
      lintUnit(m.unit(m.upPath), { rules: [rule], onRuleError: (id) => errors.push(`${id} on up`) }),
      lintUnit(m.unit(m.downPath), { rules: [rule], onRuleError: (id) => errors.push(`${id} on down`) }),
    ]);
    assert.deepEqual(errors, ['test-rule on up', 'test-rule on down']);
    assert.deepEqual(shown(down), ['test-rule 0-4 before failing']);
  });
});
