import assert from 'node:assert/strict';
import { ensureParser, flagged, lintSql } from '../../support/lint';
import { applyRuleFix, assertParses } from '../../support/rule-fixes';
import { adminClient, freshDatabase, startServers, type TestServer } from '../../support/databases';

const RULE = 'require-lock-timeout';

describe(`rule ${RULE}`, () => {
  before(ensureParser);

  it('names the table of an index it drops, not the index as if it were the table', () => {
    const sql = 'DROP INDEX orders_note_idx;\n';
    const [finding] = lintSql(sql, 'require-lock-timeout');
    assert.match(finding.message, /takes ACCESS EXCLUSIVE on the table of index orders_note_idx .*every read and write of that table queues/);
    assert.doesNotMatch(finding.message, /existing orders_note_idx/);
  });

  it('flags the first statement taking a write-blocking lock on an existing table, once per section', () => {
    const sql = 'CREATE TABLE t (a int);\nALTER TABLE t ADD COLUMN b int;\nALTER TABLE orders ADD COLUMN note text;\nDROP INDEX orders_note_idx;\n';
    const findings = lintSql(sql, RULE);
    assert.equal(findings.length, 1);
    assert.equal(flagged(sql, findings[0]), 'ALTER TABLE orders ADD COLUMN note text');
    assert.match(findings[0].message, /takes ACCESS EXCLUSIVE on existing orders with no lock_timeout set before it: .* every read and write of orders queues behind it/);
  });

  it('judges the down section on its own', () => {
    const sql = "-- migrate:up\nSET lock_timeout = '3s';\nALTER TABLE orders DROP COLUMN legacy;\n-- migrate:down\nALTER TABLE orders ADD COLUMN legacy text;\n";
    const [finding, ...rest] = lintSql(sql, RULE);
    assert.equal(rest.length, 0);
    assert.equal(flagged(sql, finding), 'ALTER TABLE orders ADD COLUMN legacy text');
  });

  it('does not flag a down section that only drops what the up created', () => {
    const sql =
      '-- migrate:up\nCREATE TABLE audit_log (id bigint);\nCREATE INDEX audit_log_id ON audit_log (id);\n-- migrate:down\nDROP INDEX IF EXISTS audit_log_id;\nDROP TABLE IF EXISTS audit_log;\n';
    assert.deepEqual(lintSql(sql, RULE), []);
  });

  it('does not flag a migration that sets lock_timeout first (SET, SET LOCAL, set_config), nor light locks', () => {
    assert.deepEqual(lintSql("SET lock_timeout = '5s';\nALTER TABLE orders ADD COLUMN note text;", RULE), []);
    assert.deepEqual(lintSql('SET LOCAL lock_timeout TO 2000;\nALTER TABLE orders ADD COLUMN note text;', RULE), []);
    assert.deepEqual(lintSql("SELECT set_config('lock_timeout', '4s', false);\nALTER TABLE orders ADD COLUMN note text;", RULE), []);
    assert.deepEqual(lintSql('CREATE INDEX CONCURRENTLY i ON orders (a);\nUPDATE orders SET a = 1 WHERE id < 100;\nALTER TABLE orders VALIDATE CONSTRAINT c;', RULE), []);
    assert.deepEqual(lintSql('CREATE TABLE t (a int);\nCREATE INDEX t_a ON t (a);\nALTER TABLE t ADD COLUMN b int;', RULE), []);
  });

  it('does not count a timeout set after the lock, set to 0, reset, or SET LOCAL in a migration run in autocommit', () => {
    assert.equal(lintSql("ALTER TABLE orders ADD COLUMN note text;\nSET lock_timeout = '5s';", RULE).length, 1);
    assert.equal(lintSql('SET lock_timeout = 0;\nALTER TABLE orders ADD COLUMN note text;', RULE).length, 1);
    assert.equal(lintSql("SET lock_timeout = '5s';\nRESET lock_timeout;\nALTER TABLE orders ADD COLUMN note text;", RULE).length, 1);
    assert.equal(lintSql("-- tidemark:no-transaction\nSET LOCAL lock_timeout = '5s';\nALTER TABLE orders ADD COLUMN note text;", RULE).length, 1);
  });

  it('counts DDL inside a DO block, and a timeout set before the block', () => {
    const block = 'DO $$\nBEGIN\n  ALTER TABLE orders ADD COLUMN note text;\nEND\n$$;\n';
    assert.equal(lintSql(block, RULE).length, 1);
    assert.deepEqual(lintSql(`SET lock_timeout = '5s';\n${block}`, RULE), []);
  });

  it('honours -- tidemark-ignore on the flagged statement', () => {
    assert.deepEqual(lintSql(`-- tidemark-ignore ${RULE}\nALTER TABLE orders ADD COLUMN note text;`, RULE), []);
  });

  it('fixes by setting lock_timeout at the top of the section', () => {
    const sql = '-- migrate:up\n-- drop the old note\nALTER TABLE orders DROP COLUMN note;\n-- migrate:down\nALTER TABLE orders ADD COLUMN note text;\n';
    const findings = lintSql(sql, RULE);
    assert.equal(findings.length, 2);
    const fixedUp = applyRuleFix(sql, findings[0]);
    assert.equal(
      fixedUp,
      "-- migrate:up\nSET lock_timeout = '5s';\n-- drop the old note\nALTER TABLE orders DROP COLUMN note;\n-- migrate:down\nALTER TABLE orders ADD COLUMN note text;\n",
    );
    const fixedBoth = applyRuleFix(fixedUp, lintSql(fixedUp, RULE)[0]);
    assert.match(fixedBoth, /-- migrate:down\nSET lock_timeout = '5s';\nALTER TABLE orders ADD COLUMN note text;/);
    assertParses(fixedBoth);
    assert.deepEqual(lintSql(fixedBoth, RULE), []);
  });

  describe('on a real PostgreSQL server', function () {
    let server: TestServer;
    before(async function () {
      this.timeout(120_000);
      [server] = await startServers(1);
    });
    after(async () => server?.stop());

    it('the fixed migration gives up with a lock timeout instead of queueing behind a long transaction', async () => {
      const sql = 'ALTER TABLE orders ADD COLUMN note text;\n';
      const fixed = applyRuleFix(sql, lintSql(sql, RULE)[0]);
      const database = await freshDatabase(server);
      const reader = await adminClient(server, database);
      const migrator = await adminClient(server, database);
      try {
        await reader.query('CREATE TABLE orders (id int)');
        // A long report query: its ACCESS SHARE lock is held until it commits.
        await reader.query('BEGIN; SELECT * FROM orders;');
        await assert.rejects(migrator.query(fixed), /canceling statement due to lock timeout/);
        await reader.query('COMMIT');
        const columns = await migrator.query(`SELECT column_name FROM information_schema.columns WHERE table_name = 'orders' ORDER BY 1`);
        assert.deepEqual(columns.rows, [{ column_name: 'id' }], 'the ALTER did not happen');
      } finally {
        await reader.end();
        await migrator.end();
      }
    });
  });
});
