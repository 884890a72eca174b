import assert from 'node:assert/strict';
import { ensureParser, flagged, lintSql } from '../../support/lint';
import { runOnScratchDatabase } from '../../support/rule-fixes';

const RULE = 'adding-required-field';

describe(`rule ${RULE}`, () => {
  before(ensureParser);

  it('flags ADD COLUMN NOT NULL without DEFAULT on an existing table, underlining the ADD COLUMN', () => {
    const sql = 'ALTER TABLE orders ADD COLUMN IF NOT EXISTS tenant_id uuid NOT NULL, ADD COLUMN note text;';
    const [finding, ...rest] = lintSql(sql, RULE);
    assert.equal(rest.length, 0);
    assert.equal(finding.severity, 'error');
    assert.equal(flagged(sql, finding), 'ADD COLUMN IF NOT EXISTS tenant_id uuid NOT NULL');
    assert.match(finding.message, /NOT NULL column tenant_id without a DEFAULT to existing table orders fails as soon as the table has a row/);
  });

  it('is right: PostgreSQL refuses that statement on a table with a row', async () => {
    await assert.rejects(
      runOnScratchDatabase('CREATE TABLE orders (id int); INSERT INTO orders VALUES (1);', 'ALTER TABLE orders ADD COLUMN tenant_id uuid NOT NULL;'),
      /contains null values/,
    );
  });

  it('does not flag a DEFAULT, identity, generated or serial column, a nullable column, or a new table', () => {
    for (const column of [
      "status text NOT NULL DEFAULT 'new'",
      'id2 bigint GENERATED ALWAYS AS IDENTITY NOT NULL',
      'total numeric NOT NULL GENERATED ALWAYS AS (a + b) STORED',
      'seq bigserial NOT NULL',
      'note text',
    ])
      assert.deepEqual(lintSql(`ALTER TABLE orders ADD COLUMN ${column};`, RULE), [], column);
    assert.deepEqual(lintSql('CREATE TABLE t (a int);\nALTER TABLE t ADD COLUMN b int NOT NULL;', RULE), []);
  });

  it('flags an added PRIMARY KEY column without a default (it is NOT NULL too), and DEFAULT NULL', () => {
    assert.equal(lintSql('ALTER TABLE orders ADD COLUMN code text PRIMARY KEY;', RULE).length, 1);
    assert.equal(lintSql('ALTER TABLE orders ADD COLUMN code text NOT NULL DEFAULT NULL;', RULE).length, 1);
  });

  it('honours -- tidemark-ignore', () => {
    assert.deepEqual(lintSql(`-- tidemark-ignore ${RULE}\nALTER TABLE t ADD COLUMN b int NOT NULL;`, RULE), []);
  });
});
