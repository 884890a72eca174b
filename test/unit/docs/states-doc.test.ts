/**
 * The states tables of docs/runner.md and docs/architecture.md are what users read to understand `tidemark status` and the tree:
 * it must list exactly the states the engine reports, each with the meaning the tools show.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { ALL_MIGRATION_STATES, stateDefinition } from '../../../server/src/migration-states';
import { repoRoot } from '../../support/paths';

for (const page of ['docs/runner.md', 'docs/architecture.md'])
  describe(`${page} states table`, () => {
    it('lists every migration state with the meaning status and the tree show', () => {
      const doc = readFileSync(join(repoRoot, page), 'utf8');
      const start = doc.indexOf('## States');
      assert.ok(start >= 0, `${page} has a "## States" section`);
      const section = doc.slice(start, doc.indexOf('\n## ', start + 3));
      const rows = [...section.matchAll(/^\| ([a-z-]+) \| (.+) \|$/gm)].filter((m) => m[1] !== 'state').map((m) => [m[1], m[2]]);
      assert.deepEqual(
        rows,
        ALL_MIGRATION_STATES.map((s) => [s, stateDefinition(s).meaning]),
      );
    });
  });
