/**
 * Every rule's findings as a user sees them — the CLI's line (message, position, severity), the
 * range it underlines and each fix's edits — compared exactly with the reviewed snapshot in
 * test/unit/lint/__snapshots__/RULE.snap, so a change of wording, range or fix is a diff somebody
 * reviews. The examples are test/unit/lint/snapshot-cases/RULE.sql (format: test/support/rule-snapshots.ts).
 * `UPDATE_SNAPSHOTS=1` rewrites the snapshots (CONTRIBUTING.md); without it a missing or different
 * snapshot fails.
 */
import assert from 'node:assert/strict';
import { existsSync, readdirSync } from 'node:fs';
import { join, relative } from 'node:path';
import { ensureParser } from '../../support/lint';
import { allRules } from '../../../server/src/lint/rules';
import { readSnapshotCases, renderSnapshotCase, snapshotCasesDir, snapshotsDir } from '../../support/rule-snapshots';
import { matchSnapshot, updatingSnapshots } from '../../support/snapshot';
import { repoRoot } from '../../support/paths';

describe('rule snapshots: each rule renders its findings and fixes as reviewed', () => {
  before(ensureParser);

  it('has examples for every rule, and none for a rule that does not exist', () => {
    const ids = new Set(allRules.map((r) => r.id));
    const examples = readdirSync(snapshotCasesDir).filter((f) => f.endsWith('.sql'));
    assert.deepEqual(
      allRules.filter((r) => !existsSync(join(snapshotCasesDir, `${r.id}.sql`))).map((r) => r.id),
      [],
      `rules without ${relative(repoRoot, snapshotCasesDir)}/RULE.sql`,
    );
    assert.deepEqual(
      examples.filter((f) => !ids.has(f.replace(/\.sql$/, ''))),
      [],
      'examples of no rule',
    );
    const snapshots = (existsSync(snapshotsDir) ? readdirSync(snapshotsDir) : []).filter((f) => f.endsWith('.snap'));
    if (!updatingSnapshots)
      assert.deepEqual(
        snapshots.filter((f) => !ids.has(f.replace(/\.snap$/, ''))),
        [],
        'snapshots of no rule',
      );
  });

  for (const rule of allRules) {
    it(rule.id, () => {
      const casesPath = join(snapshotCasesDir, `${rule.id}.sql`);
      if (!existsSync(casesPath)) assert.fail(`${relative(repoRoot, casesPath)} is missing: write the rule's examples there`);
      const rendered = readSnapshotCases(casesPath).map((c) => {
        const { text, findings } = renderSnapshotCase(rule.id, c);
        assert.ok(findings.length > 0, `case "${c.name}" of ${relative(repoRoot, casesPath)} gives no ${rule.id} finding: the snapshots show what the rule says`);
        return text;
      });
      const header = `# ${rule.id}: the findings of snapshot-cases/${rule.id}.sql as \`tidemark lint\` prints them, with each fix's edits.\n# Reviewed output: change it only with UPDATE_SNAPSHOTS=1 (CONTRIBUTING.md).\n\n`;
      matchSnapshot(join(snapshotsDir, `${rule.id}.snap`), header + rendered.join(''));
    });
  }
});
