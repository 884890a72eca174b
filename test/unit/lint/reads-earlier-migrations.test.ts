/**
 * `tidemark lint --cache` keys a file on its earlier migrations only while a rule declaring
 * readsEarlierMigrations is enabled: a rule reading them without saying so would be served stale
 * findings after an earlier migration changed.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { allRules } from '../../../server/src/lint/rules';
import { repoRoot } from '../../support/paths';

describe('lint rules: readsEarlierMigrations', () => {
  it('is declared by exactly the rules that read earlier migrations', () => {
    const reading = allRules
      .filter((rule) => /from '\.\.\/earlier-migrations'/.test(readFileSync(join(repoRoot, 'server', 'src', 'lint', 'rules', `${rule.id}.ts`), 'utf8')))
      .map((rule) => rule.id);
    assert.ok(reading.includes('fk-missing-index'), 'fk-missing-index reads earlier migrations');
    assert.deepEqual(
      allRules.filter((rule) => rule.readsEarlierMigrations).map((rule) => rule.id),
      reading,
    );
  });
});
