import assert from 'node:assert/strict';
import { ensureParser, flagged, lintFiles, lintSql } from '../../support/lint';
import { applyRuleFix, assertParses, ruleFix, runOnScratchDatabase } from '../../support/rule-fixes';

const RULE = 'fk-missing-index';

describe(`rule ${RULE}`, () => {
  before(ensureParser);

  it('flags column and table foreign keys in CREATE TABLE and ALTER TABLE, underlining the constraint', () => {
    const sql = `CREATE TABLE invoices (
  id bigint PRIMARY KEY,
  tenant_id uuid NOT NULL REFERENCES tenants (id),
  a int, b int,
  CONSTRAINT invoices_ab_fk FOREIGN KEY (a, b) REFERENCES pairs (x, y)
);
ALTER TABLE payments ADD CONSTRAINT payments_invoice_fk FOREIGN KEY (invoice_id) REFERENCES public.invoices (id) NOT VALID;
ALTER TABLE payments ADD COLUMN payer_id bigint REFERENCES users;`;
    const findings = lintSql(sql, RULE);
    assert.deepEqual(
      findings.map((f) => flagged(sql, f)),
      [
        'REFERENCES tenants (id)',
        'CONSTRAINT invoices_ab_fk FOREIGN KEY (a, b) REFERENCES pairs (x, y)',
        'CONSTRAINT payments_invoice_fk FOREIGN KEY (invoice_id) REFERENCES public.invoices (id)',
        'REFERENCES users',
      ],
    );
    assert.match(findings[0].message, /every DELETE from tenants.*scans invoices/);
  });

  it('is satisfied by an index, primary key or unique constraint leading with the key columns, anywhere in the migration', () => {
    const sql = `CREATE TABLE memberships (
  tenant_id uuid REFERENCES tenants (id),
  user_id bigint REFERENCES users (id),
  role text,
  PRIMARY KEY (tenant_id, user_id)
);
CREATE INDEX IF NOT EXISTS memberships_user_idx ON memberships (user_id, role);
ALTER TABLE grants ADD CONSTRAINT grants_m_fk FOREIGN KEY (user_id, tenant_id) REFERENCES memberships (user_id, tenant_id);
ALTER TABLE grants ADD CONSTRAINT grants_m_key UNIQUE (tenant_id, user_id);
CREATE TABLE notes (id bigint, author_id bigint UNIQUE REFERENCES users (id));`;
    assert.deepEqual(lintSql(sql, RULE), []);
  });

  it('does not count a partial index, an expression index or one that does not lead with the key', () => {
    const sql = `ALTER TABLE orders ADD CONSTRAINT o_fk FOREIGN KEY (customer_id) REFERENCES customers (id);
CREATE INDEX o_partial ON orders (customer_id) WHERE deleted_at IS NULL;
CREATE INDEX o_expr ON orders (lower(customer_id::text));
CREATE INDEX o_other ON orders (created_at, customer_id);`;
    assert.equal(lintSql(sql, RULE).length, 1);
  });

  it('counts an index created by an earlier migration in the folder (expand/contract), not a later one', () => {
    const files = {
      '007_index.sql': 'CREATE INDEX CONCURRENTLY IF NOT EXISTS api_keys_org_idx ON api_keys (organization_id);',
      '009_fk.sql': 'ALTER TABLE api_keys ADD CONSTRAINT api_keys_org_fk FOREIGN KEY (organization_id) REFERENCES tenants (id) NOT VALID;',
      '010_fk.sql': 'ALTER TABLE members ADD CONSTRAINT members_org_fk FOREIGN KEY (organization_id) REFERENCES tenants (id) NOT VALID;',
      '011_index.sql': 'CREATE INDEX CONCURRENTLY IF NOT EXISTS members_org_idx ON members (organization_id);',
    };
    assert.deepEqual(lintFiles(files, { linted: '009_fk.sql', rule: RULE }).findings, []);
    assert.equal(lintFiles(files, { linted: '010_fk.sql', rule: RULE }).findings.length, 1);
  });

  it('fixes a new table with a plain CREATE INDEX after the statement; the index exists and the rule is silent', async () => {
    const sql = `CREATE TABLE IF NOT EXISTS invoices (
  id bigint PRIMARY KEY,
  tenant_id bigint NOT NULL REFERENCES tenants (id)
);
`;
    const [finding] = lintSql(sql, RULE);
    const fixed = applyRuleFix(sql, finding);
    assert.equal(fixed, sql.replace(');\n', ');\nCREATE INDEX IF NOT EXISTS invoices_tenant_id_idx ON invoices (tenant_id);\n'));
    assertParses(fixed);
    assert.deepEqual(lintSql(fixed, RULE), []);
    const db = await runOnScratchDatabase('CREATE TABLE tenants (id bigint PRIMARY KEY);', fixed);
    const { rows } = await db.query<{ indexdef: string }>("SELECT indexdef FROM pg_indexes WHERE tablename = 'invoices' AND indexname = 'invoices_tenant_id_idx'");
    assert.match(rows[0].indexdef, /\(tenant_id\)/);
  });

  it('fixes an existing table with CREATE INDEX CONCURRENTLY (preferred), after the DO block holding the key', () => {
    const sql = `DO $$ BEGIN
  IF NOT EXISTS (SELECT 1 FROM pg_constraint WHERE conname = 'orders_customer_fk') THEN
    ALTER TABLE orders ADD CONSTRAINT orders_customer_fk FOREIGN KEY (customer_id) REFERENCES customers (id);
  END IF;
END $$`;
    const [finding] = lintSql(sql, RULE);
    assert.equal(flagged(sql, finding), 'CONSTRAINT orders_customer_fk FOREIGN KEY (customer_id) REFERENCES customers (id)');
    const fix = ruleFix(finding);
    assert.equal(fix.preferred, true);
    const fixed = applyRuleFix(sql, finding);
    assert.equal(fixed, `${sql};\nCREATE INDEX CONCURRENTLY IF NOT EXISTS orders_customer_id_idx ON orders (customer_id);`);
    assertParses(fixed);
    assert.deepEqual(lintSql(fixed, RULE), []);
  });
});
