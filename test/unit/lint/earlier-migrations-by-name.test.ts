/**
 * `tidemark lint FILE` of one migration among many answers "does an earlier migration define
 * this name?" from the earlier files' texts before it reads the folder's migrations (a name no
 * earlier file contains cannot be defined there). These tests lint as the CLI does, in one
 * steady-disk batch, and check the answers are the ones the full reading gives — also for names
 * an earlier file spells without writing them (Unicode escapes, E'' escapes, other letter case).
 */
import assert from 'node:assert/strict';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { ensureParser } from '../../support/lint';
import { buildLintUnit } from '../../../server/src/lint/unit';
import { lintUnit } from '../../../server/src/lint/engine';
import { rulesById } from '../../../server/src/lint/rules';
import { discoveryKey } from '../../../server/src/migrations/discovery';
import { SteadyDisk, steadyFact, withSteadyDisk } from '../../../server/src/migrations/steady-disk';
import { scratchDir } from '../../support/test-cleanup';

/** Earlier migrations declaring stamp() STABLE, each spelling the name differently. */
const STAMP_DECLARED = {
  'in another case': `CREATE FUNCTION Public.STAMP() RETURNS bigint LANGUAGE sql STABLE AS $$ SELECT 1 $$;\n`,
  'with Unicode escapes': `CREATE FUNCTION U&"\\0073tamp"() RETURNS bigint LANGUAGE sql IMMUTABLE AS $$ SELECT 1 $$;\n`,
  'in an E string run by a DO block': `DO E'BEGIN EXECUTE ''CREATE FUNCTION st\\x61mp() RETURNS bigint LANGUAGE sql STABLE AS $f$ SELECT 1 $f$''; END';\n`,
};

const POLICY = `CREATE TABLE "Accounts" (id bigint PRIMARY KEY);\nCREATE POLICY own ON "Accounts" USING (true);\n`;

function folder(files: Record<string, string>): string {
  const dir = join(scratchDir('earlier-by-name-'), 'migrations');
  mkdirSync(dir, { recursive: true });
  // Unrelated earlier migrations that mention functions, so the name itself decides.
  for (let i = 1; i <= 3; i++) writeFileSync(join(dir, `00${i}_other.up.sql`), `CREATE FUNCTION other_${i}() RETURNS int LANGUAGE sql AS $$ SELECT 1 $$;\n`);
  for (const [name, text] of Object.entries(files)) writeFileSync(join(dir, name), text);
  return dir;
}

/** The rule's messages for `file`, linted as in one CLI run (a batch) and outside one (the editor's full reading). */
function lintBothWays(dir: string, file: string, rule: string, text: string): { batch: string[]; full: string[]; discovered: boolean } {
  const messages = () => lintUnit(buildLintUnit(join(dir, file), text), { rules: [rulesById.get(rule)!] }).map((f) => f.message);
  let discovered = false;
  const batch = withSteadyDisk(new SteadyDisk(), () => {
    const found = messages();
    discovered = steadyFact(discoveryKey(dir)) !== undefined;
    return found;
  });
  return { batch, full: messages(), discovered };
}

describe('earlier migrations looked up by name in one lint run', () => {
  before(ensureParser);

  for (const [how, declaration] of Object.entries(STAMP_DECLARED)) {
    it(`finds a function an earlier file declares ${how}, as the full reading does`, () => {
      const text = 'ALTER TABLE t ADD COLUMN c bigint DEFAULT stamp();\nALTER TABLE t ADD COLUMN d bigint DEFAULT nowhere();\n';
      const dir = folder({ '004_stamp.up.sql': declaration, '005_use.up.sql': text });
      const { batch, full } = lintBothWays(dir, '005_use.up.sql', 'adding-volatile-default', text);
      assert.deepEqual(batch, full);
      assert.equal(batch.length, 1, batch.join('\n'));
      assert.match(batch[0], /^Adding column d .*DEFAULT nowhere\(\) calls a function Tidemark cannot see/);
    });
  }

  it('finds a policy an earlier file creates on a quoted table name', () => {
    const text = 'ALTER TABLE "Accounts" ENABLE ROW LEVEL SECURITY;\nALTER TABLE accounts ENABLE ROW LEVEL SECURITY;\n';
    const dir = folder({ '004_policy.up.sql': POLICY, '005_rls.up.sql': text });
    const { batch, full } = lintBothWays(dir, '005_rls.up.sql', 'rls-enabled-without-policy', text);
    assert.deepEqual(batch, full);
    assert.equal(batch.length, 1, batch.join('\n'));
    assert.match(batch[0], /^Row level security is enabled on accounts but neither/);
  });

  it('does not read the earlier migrations when no earlier file holds the name', () => {
    const text = 'ALTER TABLE t ADD COLUMN d bigint DEFAULT nowhere();\n';
    const dir = folder({ '004_stamp.up.sql': STAMP_DECLARED['in another case'], '005_use.up.sql': text });
    const { batch, full, discovered } = lintBothWays(dir, '005_use.up.sql', 'adding-volatile-default', text);
    assert.deepEqual(batch, full);
    assert.equal(batch.length, 1);
    assert.equal(discovered, false, 'the folder was discovered although no earlier file mentions nowhere');
  });
});
