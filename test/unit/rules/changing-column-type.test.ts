import assert from 'node:assert/strict';
import { ensureParser, flagged, lintFiles, lintSql } from '../../support/lint';

const RULE = 'changing-column-type';

describe(`rule ${RULE}`, () => {
  before(ensureParser);

  it('reads the old type from earlier migrations, through table and column renames: widening a varchar is metadata-only', () => {
    const files = {
      'migrations/002_registry.sql': `ALTER TABLE replication_target RENAME TO registry;
ALTER TABLE registry RENAME COLUMN password TO access_secret;
ALTER TABLE registry ALTER COLUMN url TYPE varchar(256);
ALTER TABLE registry ALTER COLUMN access_secret TYPE text;
ALTER TABLE registry ALTER COLUMN name TYPE varchar(16);
ALTER TABLE registry ALTER COLUMN port TYPE bigint;`,
      'migrations/001_targets.sql': 'CREATE TABLE replication_target (id bigint, name varchar(64), url varchar(64), password varchar(128), port int);',
    };
    const { findings, text } = lintFiles(files, { rule: RULE });
    // Shrinking name and widening port to bigint still rewrite; the two widenings are gone.
    assert.deepEqual(
      findings.map((f) => flagged(text, f)),
      ['ALTER COLUMN name TYPE varchar(16)', 'ALTER COLUMN port TYPE bigint'],
    );
  });

  it('says when timestamp to timestamptz skips the rewrite (PostgreSQL 12+, session TimeZone UTC)', () => {
    const [finding] = lintSql('ALTER TABLE events ALTER COLUMN at TYPE timestamptz;', RULE);
    assert.match(finding.message, /PostgreSQL 12\+ skips the rewrite only when the session's TimeZone is UTC/);
  });

  it('flags ALTER COLUMN ... TYPE on an existing table, underlining that command', () => {
    const sql = 'ALTER TABLE orders ALTER COLUMN total TYPE numeric(12,2) USING total::numeric, ADD COLUMN note text;';
    const [finding, ...rest] = lintSql(sql, RULE);
    assert.equal(rest.length, 0);
    assert.equal(flagged(sql, finding), 'ALTER COLUMN total TYPE numeric(12,2) USING total::numeric');
    assert.match(finding.message, /type of column total of orders to numeric\(12,2\) rewrites the whole table .* ACCESS EXCLUSIVE/);
  });

  it('says when a change to text may be metadata-only, since the old type is not in the migration', () => {
    const [finding] = lintSql('ALTER TABLE users ALTER COLUMN bio TYPE text;', RULE);
    assert.match(finding.message, /if the column is varchar or text today the change is metadata-only/);
    const [intChange] = lintSql('ALTER TABLE users ALTER COLUMN id TYPE bigint;', RULE);
    assert.doesNotMatch(intChange.message, /metadata-only/);
  });

  it('does not flag a widening the down section proves binary-compatible (varchar(n) → text, longer varchar, more numeric precision)', () => {
    const widen = (up: string, down: string) =>
      `-- migrate:up\nALTER TABLE users ALTER COLUMN bio TYPE ${up};\n-- migrate:down\nALTER TABLE users ALTER COLUMN bio TYPE ${down};\n`;
    assert.equal(lintSql(widen('text', 'varchar(200)'), RULE).length, 1, 'only the narrowing down is flagged');
    assert.deepEqual(
      lintSql(widen('varchar(500)', 'varchar(200)'), RULE).map((f) => f.message.includes('to varchar(200)')),
      [true],
      'the up widening passes, the down narrowing is flagged',
    );
    assert.equal(lintSql(widen('numeric(14,2)', 'numeric(12,2)'), RULE).length, 1);
  });

  it('flags a change the down shows is not binary-compatible', () => {
    const sql = '-- migrate:up\nALTER TABLE t ALTER COLUMN id TYPE bigint;\n-- migrate:down\nALTER TABLE t ALTER COLUMN id TYPE integer;\n';
    assert.equal(lintSql(sql, RULE).length, 2);
    const scale = '-- migrate:up\nALTER TABLE t ALTER COLUMN p TYPE numeric(14,4);\n-- migrate:down\nALTER TABLE t ALTER COLUMN p TYPE numeric(12,2);\n';
    assert.equal(lintSql(scale, RULE).length, 2, 'a different scale rewrites');
  });

  it('does not flag a table created in the same section', () => {
    assert.deepEqual(lintSql('CREATE TABLE t (a int);\nALTER TABLE t ALTER COLUMN a TYPE bigint;', RULE), []);
  });

  it('honours -- tidemark-ignore', () => {
    assert.deepEqual(lintSql(`-- tidemark-ignore ${RULE}\nALTER TABLE t ALTER COLUMN a TYPE bigint;`, RULE), []);
  });
});
