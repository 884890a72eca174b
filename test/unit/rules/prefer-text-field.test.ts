import assert from 'node:assert/strict';
import { applyEdits, ensureParser, flagged, lintSql } from '../../support/lint';
import { runOnScratchDatabase } from '../../support/rule-fixes';

const RULE = 'prefer-text-field';

describe(`rule ${RULE}`, () => {
  before(ensureParser);

  it('flags varchar(n) in every spelling, underlining the type', () => {
    const sql = `CREATE TABLE users (email varchar(255) NOT NULL, name CHARACTER VARYING (100), tags varchar(20)[]);
ALTER TABLE users ADD COLUMN nick pg_catalog.varchar(30);
ALTER TABLE users ALTER COLUMN email TYPE varchar(320);`;
    const findings = lintSql(sql, RULE);
    assert.deepEqual(
      findings.map((f) => flagged(sql, f)),
      ['varchar(255)', 'CHARACTER VARYING (100)', 'varchar(20)', 'pg_catalog.varchar(30)', 'varchar(320)'],
    );
    assert.match(findings[0].message, /ACCESS EXCLUSIVE/);
    assert.match(findings[0].message, /CHECK \(char_length\(email\) <= 255\)/);
  });

  it('does not flag text, unbounded varchar, char(n) or the down section', () => {
    assert.deepEqual(
      lintSql(
        `-- migrate:up
CREATE TABLE t (a text, b varchar, c char(2));
-- migrate:down
ALTER TABLE t ADD COLUMN d varchar(10);`,
        RULE,
      ),
      [],
    );
  });

  it('fixes to text with a CHECK keeping the limit (preferred), or plain text; results parse and are clean', async () => {
    const sql = 'CREATE TABLE users (email varchar(255) NOT NULL);';
    const [finding] = lintSql(sql, RULE);
    assert.equal(finding.fixes[0].preferred, true);
    const withCheck = applyEdits(sql, finding.fixes[0].edits);
    assert.equal(withCheck, 'CREATE TABLE users (email text CHECK (char_length(email) <= 255) NOT NULL);');
    assert.deepEqual(lintSql(withCheck, RULE), []);
    assert.deepEqual(lintSql(withCheck, 'syntax-error'), []);
    // On a real database the column is text and the limit still holds.
    const db = await runOnScratchDatabase('', withCheck);
    const type = await db.query<{ data_type: string }>("SELECT data_type FROM information_schema.columns WHERE table_name = 'users' AND column_name = 'email'");
    assert.equal(type.rows[0].data_type, 'text');
    await db.query(`INSERT INTO users VALUES ('${'a'.repeat(255)}')`);
    await assert.rejects(db.query(`INSERT INTO users VALUES ('${'a'.repeat(256)}')`), /check constraint/);
    const plain = applyEdits(sql, finding.fixes[1].edits);
    assert.equal(plain, 'CREATE TABLE users (email text NOT NULL);');
    assert.deepEqual(lintSql(plain, RULE), []);
    assert.deepEqual(lintSql(plain, 'syntax-error'), []);
  });

  it('offers only plain text for ALTER COLUMN TYPE, where a column constraint cannot go', () => {
    const sql = 'ALTER TABLE users ALTER COLUMN "Name" TYPE varchar(50);';
    const [finding] = lintSql(sql, RULE);
    const own = finding.fixes.filter((f) => !f.title.startsWith('Ignore'));
    assert.equal(own.length, 1);
    assert.equal(applyEdits(sql, own[0].edits), 'ALTER TABLE users ALTER COLUMN "Name" TYPE text;');
  });

  it('offers only text[] for an array column, keeping the brackets', () => {
    const sql = 'CREATE TABLE t (tags varchar(20)[] NOT NULL);';
    const [finding] = lintSql(sql, RULE);
    const own = finding.fixes.filter((f) => !f.title.startsWith('Ignore'));
    assert.equal(own.length, 1);
    assert.equal(applyEdits(sql, own[0].edits), 'CREATE TABLE t (tags text[] NOT NULL);');
  });

  it('quotes the column name in the CHECK when needed', () => {
    const sql = 'CREATE TABLE t ("User Name" varchar(40));';
    const [finding] = lintSql(sql, RULE);
    assert.equal(applyEdits(sql, finding.fixes[0].edits), 'CREATE TABLE t ("User Name" text CHECK (char_length("User Name") <= 40));');
  });
});
