/**
 * The tree's context menus name migration states in their `when` clauses (`viewItem =~ /^migration
 * (pending|out-of-order|failed)\b/`): each list must be exactly the states the states table
 * (server/src/migration-states.ts) gives the command, so a new state or a changed flag cannot
 * leave a menu offering the wrong action.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { ALL_MIGRATION_STATES, stateDefinition, type MigrationState } from '../../../server/src/migration-states';
import { repoRoot } from '../../support/paths';

const manifest = JSON.parse(readFileSync(join(repoRoot, 'package.json'), 'utf8'));
const itemMenu: Array<{ command: string; when?: string }> = manifest.contributes.menus['view/item/context'];

/** The states a when clause lists for a migration row, or undefined when it lists none. */
function statesIn(when: string): string[] | undefined {
  const m = /\^migration \(([a-z|-]+)\)\\b/.exec(when) ?? /\^migration ([a-z-]+)\\b/.exec(when);
  return m ? m[1].split('|').sort() : undefined;
}

const has = (s: MigrationState) => stateDefinition(s);
/** Which states each command acts on, from the states table's own flags. */
const STATES_OF: Record<string, (s: MigrationState) => boolean> = {
  'tidemark.applyTo': (s) => has(s).applyActsOn,
  'tidemark.plan': (s) => has(s).applyActsOn,
  // Its file is there to verify or roll back from.
  'tidemark.verify': (s) => has(s).hasRun && s !== 'missing',
  'tidemark.rollbackTo': (s) => has(s).hasRun && s !== 'missing',
  // A history row exists to remove: what ran, and a half-run (failed) migration.
  'tidemark.markPending': (s) => has(s).hasRun || s === 'failed',
  // Not yet recorded here, and meant for this environment.
  'tidemark.markApplied': (s) => (!has(s).hasRun || s === 'failed') && s !== 'not-for-this-environment',
  'tidemark.showDiff': (s) => s === 'drifted',
  // An approval is for a migration not yet run here and meant for this environment.
  'tidemark.approve': (s) => !has(s).hasRun && s !== 'failed' && s !== 'not-for-this-environment',
};

describe('package.json menus: migration states match the states table', () => {
  const listing = itemMenu.filter((e) => e.when && statesIn(e.when));

  it('finds the menus that list states (the parser reads the clauses)', () => {
    assert.ok(listing.length >= 8, `${listing.length} menu entries list migration states`);
  });

  it('names only states that exist', () => {
    for (const entry of listing)
      for (const s of statesIn(entry.when!)!) assert.ok((ALL_MIGRATION_STATES as string[]).includes(s), `${entry.command}: "${s}" is not a migration state`);
  });

  for (const entry of listing) {
    it(`${entry.command} lists exactly the states it acts on`, () => {
      const rule = STATES_OF[entry.command];
      assert.ok(rule, `${entry.command} lists migration states in its when clause: say here which states it acts on`);
      assert.deepEqual(statesIn(entry.when!), ALL_MIGRATION_STATES.filter(rule).sort(), entry.when);
    });
  }
});
