import assert from 'node:assert/strict';
import { ensureParser, flagged, lintSql } from '../../support/lint';
import { applyRuleFix, assertParses, runOnScratchDatabase } from '../../support/rule-fixes';

const RULE = 'adding-not-nullable-field';

describe(`rule ${RULE}`, () => {
  before(ensureParser);

  it('flags SET NOT NULL on an existing table, underlining the ALTER COLUMN clause', () => {
    const sql = 'ALTER TABLE orders ALTER COLUMN customer_id SET NOT NULL;\n';
    const [finding, ...rest] = lintSql(sql, RULE);
    assert.equal(rest.length, 0);
    assert.equal(flagged(sql, finding), 'ALTER COLUMN customer_id SET NOT NULL');
    assert.match(finding.message, /customer_id of existing table orders NOT NULL scans every row under an ACCESS EXCLUSIVE lock/);
  });

  it('flags it in a down section too (re-adding NOT NULL on rollback scans the table as well)', () => {
    const sql = '-- migrate:up\nALTER TABLE orders ALTER COLUMN note DROP NOT NULL;\n-- migrate:down\nALTER TABLE orders ALTER COLUMN note SET NOT NULL;\n';
    assert.equal(lintSql(sql, RULE).length, 1);
  });

  it('does not flag a table created earlier in the migration, nor the safe CHECK-first sequence', () => {
    assert.deepEqual(lintSql('CREATE TABLE t (a int);\nALTER TABLE t ALTER COLUMN a SET NOT NULL;', RULE), []);
    const safe = `ALTER TABLE orders ADD CONSTRAINT c_nn CHECK (c IS NOT NULL) NOT VALID;
ALTER TABLE orders VALIDATE CONSTRAINT c_nn;
ALTER TABLE orders ALTER COLUMN c SET NOT NULL;
ALTER TABLE orders DROP CONSTRAINT c_nn;`;
    assert.deepEqual(lintSql(safe, RULE), []);
  });

  it('still flags SET NOT NULL when the CHECK was added NOT VALID but never validated', () => {
    const sql = `ALTER TABLE orders ADD CONSTRAINT c_nn CHECK (c IS NOT NULL) NOT VALID;
ALTER TABLE orders ALTER COLUMN c SET NOT NULL;`;
    assert.equal(lintSql(sql, RULE).length, 1);
  });

  it('honours -- tidemark-ignore', () => {
    assert.deepEqual(lintSql(`-- tidemark-ignore ${RULE}\nALTER TABLE orders ALTER COLUMN c SET NOT NULL;`, RULE), []);
  });

  it('fixes a lone SET NOT NULL into CHECK NOT VALID + VALIDATE + SET NOT NULL + DROP CONSTRAINT, which runs on PostgreSQL', async () => {
    const sql = '-- migrate:up\n  ALTER TABLE public."Orders" ALTER COLUMN customer_id SET NOT NULL;\n-- migrate:down\n';
    const fixed = applyRuleFix(sql, lintSql(sql, RULE)[0]);
    assert.equal(
      fixed,
      `-- migrate:up
  ALTER TABLE public."Orders" ADD CONSTRAINT customer_id_not_null CHECK (customer_id IS NOT NULL) NOT VALID;
  ALTER TABLE public."Orders" VALIDATE CONSTRAINT customer_id_not_null;
  ALTER TABLE public."Orders" ALTER COLUMN customer_id SET NOT NULL;
  ALTER TABLE public."Orders" DROP CONSTRAINT customer_id_not_null;
-- migrate:down
`,
    );
    assertParses(fixed);
    assert.deepEqual(lintSql(fixed, RULE), []);
    const db = await runOnScratchDatabase('CREATE TABLE "Orders" (id int, customer_id int); INSERT INTO "Orders" VALUES (1, 10);', fixed);
    const column = await db.query<{ is_nullable: string }>(`SELECT is_nullable FROM information_schema.columns WHERE table_name = 'Orders' AND column_name = 'customer_id'`);
    assert.equal(column.rows[0].is_nullable, 'NO');
  });

  it('fixes SET NOT NULL inside a multi-command ALTER TABLE by moving it out', () => {
    const sql = 'ALTER TABLE orders ADD COLUMN note text, ALTER COLUMN c SET NOT NULL, ALTER COLUMN d DROP DEFAULT;';
    const fixed = applyRuleFix(sql, lintSql(sql, RULE)[0]);
    assert.equal(
      fixed,
      `ALTER TABLE orders ADD COLUMN note text, ALTER COLUMN d DROP DEFAULT;
ALTER TABLE orders ADD CONSTRAINT c_not_null CHECK (c IS NOT NULL) NOT VALID;
ALTER TABLE orders VALIDATE CONSTRAINT c_not_null;
ALTER TABLE orders ALTER COLUMN c SET NOT NULL;
ALTER TABLE orders DROP CONSTRAINT c_not_null;`,
    );
    assertParses(fixed);
    assert.deepEqual(lintSql(fixed, RULE), []);
  });

  it('fixes the last command of a last statement written without a semicolon', () => {
    const sql = 'ALTER TABLE orders ADD COLUMN note text, ALTER COLUMN c SET NOT NULL';
    const fixed = applyRuleFix(sql, lintSql(sql, RULE)[0]);
    assert.equal(
      fixed,
      `ALTER TABLE orders ADD COLUMN note text;
ALTER TABLE orders ADD CONSTRAINT c_not_null CHECK (c IS NOT NULL) NOT VALID;
ALTER TABLE orders VALIDATE CONSTRAINT c_not_null;
ALTER TABLE orders ALTER COLUMN c SET NOT NULL;
ALTER TABLE orders DROP CONSTRAINT c_not_null;`,
    );
    assertParses(fixed);
  });
});
