import assert from 'node:assert/strict';
import { ensureParser, flagged, lintSql } from '../../support/lint';
import { applyRuleFix, assertParses, runOnScratchDatabase } from '../../support/rule-fixes';

const RULE = 'constraint-missing-not-valid';

describe(`rule ${RULE}`, () => {
  before(ensureParser);

  it('flags a column added with REFERENCES to an existing table: the foreign key is still checked under lock', () => {
    const sql =
      'ALTER TABLE orders ADD COLUMN customer_id bigint REFERENCES customers (id);\nCREATE TABLE fresh (id bigint);\nALTER TABLE fresh ADD COLUMN customer_id bigint REFERENCES customers (id);\n';
    const findings = lintSql(sql, 'constraint-missing-not-valid');
    assert.equal(findings.length, 1);
    assert.match(findings[0].message, /Adding column customer_id with REFERENCES customers to existing table orders .*SHARE ROW EXCLUSIVE on both tables.*NOT VALID/);
  });

  it('flags a FOREIGN KEY added to an existing table, naming both tables and the lock', () => {
    const sql = 'ALTER TABLE orders ADD CONSTRAINT orders_customer_fk FOREIGN KEY (customer_id) REFERENCES customers (id);';
    const [finding] = lintSql(sql, RULE);
    assert.equal(flagged(sql, finding), 'ADD CONSTRAINT orders_customer_fk FOREIGN KEY (customer_id) REFERENCES customers (id)');
    assert.match(finding.message, /^Adding a FOREIGN KEY to existing table orders validates every row under a SHARE ROW EXCLUSIVE lock on orders and customers/);
  });

  it('flags a CHECK added to an existing table (ACCESS EXCLUSIVE)', () => {
    const [finding] = lintSql('ALTER TABLE orders ADD CHECK (total >= 0);', RULE);
    assert.match(finding.message, /CHECK constraint to existing table orders validates every row under an ACCESS EXCLUSIVE lock/);
  });

  it('does not flag NOT VALID constraints, new tables, UNIQUE/PRIMARY KEY, or inline column references', () => {
    assert.deepEqual(lintSql('ALTER TABLE orders ADD CONSTRAINT fk FOREIGN KEY (c) REFERENCES customers (id) NOT VALID;', RULE), []);
    assert.deepEqual(lintSql('ALTER TABLE orders ADD CONSTRAINT ck CHECK (total >= 0) NOT VALID;\nALTER TABLE orders VALIDATE CONSTRAINT ck;', RULE), []);
    assert.deepEqual(lintSql('CREATE TABLE o (c int);\nALTER TABLE o ADD FOREIGN KEY (c) REFERENCES customers (id);', RULE), []);
    assert.deepEqual(lintSql('ALTER TABLE orders ADD UNIQUE (code);', RULE), []);
  });

  it('fixes a named FOREIGN KEY to NOT VALID + VALIDATE CONSTRAINT, which runs on PostgreSQL', async () => {
    const sql = 'ALTER TABLE orders ADD CONSTRAINT orders_customer_fk FOREIGN KEY (customer_id) REFERENCES customers (id) ON DELETE CASCADE;\n';
    const fixed = applyRuleFix(sql, lintSql(sql, RULE)[0]);
    assert.equal(
      fixed,
      'ALTER TABLE orders ADD CONSTRAINT orders_customer_fk FOREIGN KEY (customer_id) REFERENCES customers (id) ON DELETE CASCADE NOT VALID;\nALTER TABLE orders VALIDATE CONSTRAINT orders_customer_fk;\n',
    );
    assertParses(fixed);
    assert.deepEqual(lintSql(fixed, RULE), []);
    const db = await runOnScratchDatabase(
      'CREATE TABLE customers (id int PRIMARY KEY); CREATE TABLE orders (customer_id int); INSERT INTO customers VALUES (1); INSERT INTO orders VALUES (1);',
      fixed,
    );
    const con = await db.query<{ convalidated: boolean }>(`SELECT convalidated FROM pg_constraint WHERE conname = 'orders_customer_fk'`);
    assert.deepEqual(con.rows, [{ convalidated: true }]);
  });

  it('names an unnamed constraint so it can be validated, inside a multi-command ALTER TABLE', async () => {
    const sql = 'ALTER TABLE orders ADD COLUMN note text, ADD CHECK (total >= 0), ADD FOREIGN KEY (customer_id) REFERENCES customers (id);';
    const findings = lintSql(sql, RULE);
    assert.equal(findings.length, 2);
    const fixedCheck = applyRuleFix(sql, findings[0]);
    assert.equal(
      fixedCheck,
      'ALTER TABLE orders ADD COLUMN note text, ADD CONSTRAINT orders_total_check CHECK (total >= 0) NOT VALID, ADD FOREIGN KEY (customer_id) REFERENCES customers (id);\nALTER TABLE orders VALIDATE CONSTRAINT orders_total_check;',
    );
    assertParses(fixedCheck);
    const fixedBoth = applyRuleFix(fixedCheck, lintSql(fixedCheck, RULE)[0]);
    assert.match(fixedBoth, /ADD CONSTRAINT orders_customer_id_fkey FOREIGN KEY \(customer_id\) REFERENCES customers \(id\) NOT VALID;/);
    assertParses(fixedBoth);
    assert.deepEqual(lintSql(fixedBoth, RULE), []);
    const db = await runOnScratchDatabase(
      'CREATE TABLE customers (id int PRIMARY KEY); CREATE TABLE orders (customer_id int, total int); INSERT INTO customers VALUES (1); INSERT INTO orders VALUES (1, 5);',
      fixedBoth,
    );
    const cons = await db.query<{ conname: string; convalidated: boolean }>(
      `SELECT conname, convalidated FROM pg_constraint WHERE conrelid = 'orders'::regclass AND contype IN ('c', 'f') ORDER BY conname`,
    );
    assert.deepEqual(cons.rows, [
      { conname: 'orders_customer_id_fkey', convalidated: true },
      { conname: 'orders_total_check', convalidated: true },
    ]);
  });

  it('keeps CRLF line endings and terminates a last statement written without a semicolon', () => {
    const sql = '-- migrate:up\r\n    ALTER TABLE orders ADD CONSTRAINT ck CHECK (total >= 0)';
    const fixed = applyRuleFix(sql, lintSql(sql, RULE)[0]);
    assert.equal(fixed, '-- migrate:up\r\n    ALTER TABLE orders ADD CONSTRAINT ck CHECK (total >= 0) NOT VALID;\r\n    ALTER TABLE orders VALIDATE CONSTRAINT ck;');
    assertParses(fixed);
    assert.deepEqual(lintSql(fixed, RULE), []);
  });

  it('honours -- tidemark-ignore', () => {
    assert.deepEqual(lintSql(`-- tidemark-ignore ${RULE}\nALTER TABLE orders ADD CHECK (total >= 0);`, RULE), []);
  });
});
