import assert from 'node:assert/strict';
import { ensureParser, parseStatements } from '../../support/parse';
import { blockedOperations } from '../../../server/src/sql/lock-modes';
import { lockEffects, type LockEffect } from '../../../server/src/sql/locks';

const effects = (sql: string): LockEffect[] => {
  const [statement] = parseStatements(sql);
  assert.ok(statement.node, `does not parse: ${sql}`);
  return lockEffects(statement.node);
};
/** relation → mode, for the common assertion. */
const modes = (sql: string) => Object.fromEntries(effects(sql).map((e) => [e.relation, e.mode]));
const only = (sql: string): LockEffect => {
  const list = effects(sql);
  assert.equal(list.length, 1, `${sql}: ${JSON.stringify(list)}`);
  return list[0];
};

describe('sql/locks: the lock each statement takes, predicted from the parse tree', () => {
  before(ensureParser);

  it('says what each mode blocks', () => {
    assert.deepEqual(blockedOperations('ACCESS EXCLUSIVE'), ['reads', 'writes', 'DDL']);
    assert.deepEqual(blockedOperations('SHARE'), ['writes', 'DDL']);
    assert.deepEqual(blockedOperations('SHARE ROW EXCLUSIVE'), ['writes', 'DDL']);
    assert.deepEqual(blockedOperations('EXCLUSIVE'), ['writes', 'DDL']);
    assert.deepEqual(blockedOperations('SHARE UPDATE EXCLUSIVE'), ['DDL']);
    assert.deepEqual(blockedOperations('ROW EXCLUSIVE'), ['DDL']);
  });

  it('ADD COLUMN: ACCESS EXCLUSIVE, rewriting only for a volatile default, identity or serial', () => {
    const plain = only('ALTER TABLE users ADD COLUMN nickname text');
    assert.deepEqual([plain.mode, plain.rewrite, plain.scan, plain.saferAlternative], ['ACCESS EXCLUSIVE', false, false, undefined]);
    assert.equal(only("ALTER TABLE users ADD COLUMN status text NOT NULL DEFAULT 'new'").rewrite, false);
    assert.equal(only('ALTER TABLE users ADD COLUMN created_at timestamptz DEFAULT now()').rewrite, false);
    for (const sql of [
      'ALTER TABLE users ADD COLUMN token uuid DEFAULT gen_random_uuid()',
      'ALTER TABLE users ADD COLUMN r float8 DEFAULT random()',
      'ALTER TABLE users ADD COLUMN n bigserial',
      'ALTER TABLE users ADD COLUMN n bigint GENERATED ALWAYS AS IDENTITY',
      'ALTER TABLE users ADD COLUMN d int GENERATED ALWAYS AS (a * 2) STORED',
    ]) {
      const e = only(sql);
      assert.equal(e.rewrite, true, sql);
      assert.match(e.saferAlternative ?? '', /backfill/, sql);
    }
  });

  it('ADD FOREIGN KEY: SHARE ROW EXCLUSIVE on both tables, scanning unless NOT VALID', () => {
    const sql = 'ALTER TABLE orders ADD CONSTRAINT orders_user_fk FOREIGN KEY (user_id) REFERENCES public.users (id)';
    assert.deepEqual(modes(sql), { orders: 'SHARE ROW EXCLUSIVE', 'public.users': 'SHARE ROW EXCLUSIVE' });
    const [orders] = effects(sql);
    assert.equal(orders.scan, true);
    assert.deepEqual(orders.blocks, ['writes', 'DDL']);
    assert.match(orders.saferAlternative!, /NOT VALID/);
    const notValid = effects(`${sql} NOT VALID`)[0];
    assert.deepEqual([notValid.scan, notValid.saferAlternative], [false, undefined]);
  });

  it('VALIDATE CONSTRAINT and SET STATISTICS take SHARE UPDATE EXCLUSIVE; validation scans', () => {
    const validate = only('ALTER TABLE orders VALIDATE CONSTRAINT orders_user_fk');
    assert.deepEqual([validate.mode, validate.scan, validate.blocks], ['SHARE UPDATE EXCLUSIVE', true, ['DDL']]);
    assert.equal(only('ALTER TABLE orders ALTER COLUMN total SET STATISTICS 500').mode, 'SHARE UPDATE EXCLUSIVE');
    assert.equal(only('ALTER TABLE orders SET (autovacuum_vacuum_scale_factor = 0.01)').mode, 'SHARE UPDATE EXCLUSIVE');
    assert.equal(only('ALTER TABLE orders SET (user_catalog_table = true)').mode, 'ACCESS EXCLUSIVE');
  });

  it('ALTER TABLE with several subcommands takes the strongest once, with every rewrite and scan', () => {
    const e = only('ALTER TABLE t ALTER COLUMN a SET STATISTICS 100, ALTER COLUMN b TYPE bigint, ALTER COLUMN c SET NOT NULL');
    assert.deepEqual([e.mode, e.rewrite, e.scan], ['ACCESS EXCLUSIVE', true, true]);
    assert.match(e.saferAlternative!, /Expand and contract/);
    assert.match(e.saferAlternative!, /IS NOT NULL\) NOT VALID/);
  });

  it('CHECK and UNIQUE constraints, SET LOGGED and SET TABLESPACE', () => {
    const check = only('ALTER TABLE t ADD CONSTRAINT positive CHECK (amount > 0)');
    assert.deepEqual([check.mode, check.scan], ['ACCESS EXCLUSIVE', true]);
    assert.equal(only('ALTER TABLE t ADD CONSTRAINT positive CHECK (amount > 0) NOT VALID').scan, false);
    assert.match(only('ALTER TABLE t ADD CONSTRAINT u UNIQUE (email)').saferAlternative!, /USING INDEX/);
    assert.equal(only('ALTER TABLE t ADD CONSTRAINT u UNIQUE USING INDEX t_email_idx').scan, false);
    assert.equal(only('ALTER TABLE t SET LOGGED').rewrite, true);
    assert.equal(only('ALTER TABLE t SET UNLOGGED').rewrite, true);
    assert.equal(only('ALTER TABLE t SET TABLESPACE fast').rewrite, true);
    assert.deepEqual([only('ALTER TABLE t DROP COLUMN a').mode, only('ALTER TABLE t DROP COLUMN a').rewrite], ['ACCESS EXCLUSIVE', false]);
  });

  it('CREATE INDEX: SHARE (blocks writes) unless CONCURRENTLY (SHARE UPDATE EXCLUSIVE)', () => {
    const plain = only('CREATE INDEX orders_user_idx ON orders (user_id)');
    assert.deepEqual([plain.relation, plain.mode, plain.blocks, plain.scan], ['orders', 'SHARE', ['writes', 'DDL'], true]);
    assert.match(plain.saferAlternative!, /CONCURRENTLY/);
    const concurrent = only('CREATE INDEX CONCURRENTLY orders_user_idx ON orders (user_id)');
    assert.deepEqual([concurrent.mode, concurrent.blocks, concurrent.saferAlternative], ['SHARE UPDATE EXCLUSIVE', ['DDL'], undefined]);
  });

  it('triggers, policies and drops', () => {
    assert.deepEqual(modes('CREATE TRIGGER tr BEFORE UPDATE ON accounts FOR EACH ROW EXECUTE FUNCTION f()'), { accounts: 'SHARE ROW EXCLUSIVE' });
    assert.deepEqual(modes('CREATE POLICY p ON accounts USING (true)'), { accounts: 'ACCESS EXCLUSIVE' });
    assert.deepEqual(modes('DROP TABLE IF EXISTS a, s.b'), { a: 'ACCESS EXCLUSIVE', 's.b': 'ACCESS EXCLUSIVE' });
    assert.deepEqual(modes('DROP TRIGGER IF EXISTS tr ON app.accounts'), { 'app.accounts': 'ACCESS EXCLUSIVE' });
    assert.deepEqual(modes('DROP POLICY p ON accounts'), { accounts: 'ACCESS EXCLUSIVE' });
    assert.match(only('DROP INDEX orders_user_idx').saferAlternative!, /DROP INDEX CONCURRENTLY/);
    assert.equal(only('DROP INDEX CONCURRENTLY orders_user_idx').mode, 'SHARE UPDATE EXCLUSIVE');
    assert.deepEqual(modes('TRUNCATE a, b'), { a: 'ACCESS EXCLUSIVE', b: 'ACCESS EXCLUSIVE' });
  });

  it('UPDATE and DELETE take ROW EXCLUSIVE; without WHERE they touch every row', () => {
    const all = only('UPDATE users SET active = true');
    assert.deepEqual([all.mode, all.scan], ['ROW EXCLUSIVE', true]);
    assert.match(all.saferAlternative!, /batches/);
    const some = only('DELETE FROM users WHERE id = 1');
    assert.deepEqual([some.mode, some.scan, some.saferAlternative], ['ROW EXCLUSIVE', false, undefined]);
  });

  it('VACUUM, VACUUM FULL, CLUSTER and REFRESH MATERIALIZED VIEW', () => {
    const vacuum = only('VACUUM (ANALYZE) orders');
    assert.deepEqual([vacuum.mode, vacuum.rewrite], ['SHARE UPDATE EXCLUSIVE', false]);
    const full = only('VACUUM FULL orders');
    assert.deepEqual([full.mode, full.rewrite, full.blocks], ['ACCESS EXCLUSIVE', true, ['reads', 'writes', 'DDL']]);
    assert.match(full.saferAlternative!, /pg_repack/);
    assert.equal(only('VACUUM (FULL false) orders').mode, 'SHARE UPDATE EXCLUSIVE');
    assert.deepEqual([only('CLUSTER orders USING orders_pkey').mode, only('CLUSTER orders USING orders_pkey').rewrite], ['ACCESS EXCLUSIVE', true]);
    const refresh = only('REFRESH MATERIALIZED VIEW stats');
    assert.deepEqual([refresh.mode, refresh.rewrite], ['ACCESS EXCLUSIVE', true]);
    assert.match(refresh.saferAlternative!, /CONCURRENTLY/);
    const concurrently = only('REFRESH MATERIALIZED VIEW CONCURRENTLY stats');
    assert.deepEqual([concurrently.mode, concurrently.blocks], ['EXCLUSIVE', ['writes', 'DDL']]);
  });

  it('partitions: ATTACH locks the parent lightly, CREATE ... PARTITION OF and DETACH do not', () => {
    assert.deepEqual(modes('ALTER TABLE events ATTACH PARTITION events_2026 FOR VALUES FROM (1) TO (2)'), {
      events_2026: 'ACCESS EXCLUSIVE',
      events: 'SHARE UPDATE EXCLUSIVE',
    });
    assert.deepEqual(modes('CREATE TABLE events_2026 PARTITION OF events FOR VALUES FROM (1) TO (2)'), { events: 'ACCESS EXCLUSIVE' });
    assert.equal(modes('ALTER TABLE events DETACH PARTITION events_2025').events, 'ACCESS EXCLUSIVE');
    assert.equal(modes('ALTER TABLE events DETACH PARTITION events_2025 CONCURRENTLY').events, 'SHARE UPDATE EXCLUSIVE');
  });

  it('CREATE TABLE locks only the tables it references; LOCK TABLE takes what it says; SELECT nothing worth telling', () => {
    assert.deepEqual(modes('CREATE TABLE orders (id bigint PRIMARY KEY, user_id bigint REFERENCES users (id))'), { users: 'SHARE ROW EXCLUSIVE' });
    assert.deepEqual(modes('LOCK TABLE a, b IN SHARE ROW EXCLUSIVE MODE'), { a: 'SHARE ROW EXCLUSIVE', b: 'SHARE ROW EXCLUSIVE' });
    assert.deepEqual(modes('LOCK TABLE a'), { a: 'ACCESS EXCLUSIVE' });
    assert.deepEqual(effects('SELECT * FROM users'), []);
    assert.deepEqual(lockEffects(undefined), []);
  });

  it('statistics, comments, inheritance and a column added with REFERENCES', () => {
    assert.deepEqual(modes('CREATE STATISTICS s ON a, b FROM orders'), { orders: 'SHARE UPDATE EXCLUSIVE' });
    assert.deepEqual(modes("COMMENT ON COLUMN app.orders.total IS 'cents'"), { 'app.orders': 'SHARE UPDATE EXCLUSIVE' });
    assert.deepEqual(modes('CREATE TABLE child (x int) INHERITS (parent)'), { parent: 'SHARE UPDATE EXCLUSIVE' });
    assert.deepEqual(modes('ALTER TABLE orders ADD COLUMN customer_id bigint REFERENCES customers (id)'), {
      orders: 'ACCESS EXCLUSIVE',
      customers: 'SHARE ROW EXCLUSIVE',
    });
    assert.deepEqual(modes('ALTER TABLE orders DISABLE TRIGGER ALL'), { orders: 'SHARE ROW EXCLUSIVE' });
    assert.deepEqual(modes('ALTER TABLE orders ENABLE ROW LEVEL SECURITY'), { orders: 'ACCESS EXCLUSIVE' });
  });

  it('renames: tables and columns ACCESS EXCLUSIVE, indexes SHARE UPDATE EXCLUSIVE; REINDEX', () => {
    assert.deepEqual(modes('ALTER TABLE users RENAME COLUMN a TO b'), { users: 'ACCESS EXCLUSIVE' });
    assert.deepEqual(modes('ALTER INDEX users_a_idx RENAME TO users_b_idx'), { users_a_idx: 'SHARE UPDATE EXCLUSIVE' });
    assert.deepEqual(modes('REINDEX TABLE users'), { users: 'SHARE' });
    assert.deepEqual(modes('REINDEX TABLE CONCURRENTLY users'), { users: 'SHARE UPDATE EXCLUSIVE' });
    assert.deepEqual(modes('REINDEX (CONCURRENTLY off) TABLE users'), { users: 'SHARE' });
  });
});
