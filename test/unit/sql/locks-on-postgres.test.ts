/**
 * The static lock prediction checked against the locks PostgreSQL really takes: each statement
 * runs inside a transaction on PGlite (PostgreSQL compiled to WASM), and the strongest lock its
 * backend holds on each relation (pg_locks) must be the mode lockEffects predicted.
 */
import assert from 'node:assert/strict';
import { PGlite } from '@electric-sql/pglite';
import { ensureParser, parseStatements } from '../../support/parse';
import { LOCK_MODES, pgLockModeName, type LockMode } from '../../../server/src/sql/lock-modes';
import { lockEffects } from '../../../server/src/sql/locks';

const SETUP = `
CREATE TABLE users (id bigint PRIMARY KEY, email text);
CREATE TABLE orders (id bigint PRIMARY KEY, user_id bigint, total int);
CREATE INDEX orders_total_idx ON orders (total);
CREATE MATERIALIZED VIEW stats AS SELECT count(*) AS n FROM orders;
CREATE UNIQUE INDEX stats_n ON stats (n);
CREATE TABLE events (id int, at int) PARTITION BY RANGE (at);
CREATE TABLE events_1 (id int, at int);
CREATE TABLE scratch (id int);
CREATE FUNCTION touch() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN RETURN NEW; END $$;
ALTER TABLE orders ADD CONSTRAINT orders_user_fk FOREIGN KEY (user_id) REFERENCES users (id) NOT VALID;
`;

const STATEMENTS = [
  'ALTER TABLE orders ADD COLUMN note text',
  "ALTER TABLE orders ADD COLUMN status text NOT NULL DEFAULT 'new'",
  'ALTER TABLE orders ADD CONSTRAINT orders_user_fk2 FOREIGN KEY (user_id) REFERENCES users (id)',
  'ALTER TABLE orders VALIDATE CONSTRAINT orders_user_fk',
  'ALTER TABLE orders ALTER COLUMN total SET STATISTICS 100',
  'ALTER TABLE orders ALTER COLUMN total SET DEFAULT 0',
  'ALTER TABLE orders ALTER COLUMN total TYPE bigint',
  'ALTER TABLE orders ALTER COLUMN total SET NOT NULL',
  'ALTER TABLE orders ADD CONSTRAINT positive CHECK (total > 0) NOT VALID',
  'ALTER TABLE orders SET (fillfactor = 70)',
  'ALTER TABLE orders DISABLE TRIGGER ALL',
  'ALTER TABLE orders ENABLE ROW LEVEL SECURITY',
  'ALTER TABLE events ATTACH PARTITION events_1 FOR VALUES FROM (1) TO (2)',
  'CREATE TABLE events_2 PARTITION OF events FOR VALUES FROM (2) TO (3)',
  'CREATE TABLE invoices (id bigint, user_id bigint REFERENCES users (id))',
  'CREATE INDEX orders_user_idx ON orders (user_id)',
  'CREATE TRIGGER orders_touch BEFORE UPDATE ON orders FOR EACH ROW EXECUTE FUNCTION touch()',
  'CREATE POLICY p ON orders USING (user_id = 1)',
  'CREATE STATISTICS orders_stats ON user_id, total FROM orders',
  "COMMENT ON TABLE orders IS 'orders'",
  'ALTER INDEX orders_total_idx RENAME TO orders_total_idx2',
  'ALTER TABLE orders RENAME COLUMN total TO amount',
  'UPDATE orders SET total = 1',
  'DELETE FROM orders WHERE id = 1',
  'INSERT INTO orders (id) VALUES (1)',
  'TRUNCATE orders',
  'DROP TABLE scratch',
  'REFRESH MATERIALIZED VIEW stats',
  'REINDEX TABLE orders',
  'LOCK TABLE users IN SHARE ROW EXCLUSIVE MODE',
];

/** pg_locks spells modes `AccessExclusiveLock`; ours are `ACCESS EXCLUSIVE`. */
const fromPgLocks = (mode: string): LockMode => LOCK_MODES.find((m) => pgLockModeName(m) === mode) ?? (mode as LockMode);

describe('sql/locks against PostgreSQL: predicted modes are the ones pg_locks shows', () => {
  let db: PGlite;
  before(async () => {
    await ensureParser();
    db = await PGlite.create();
    await db.exec(SETUP);
  });
  after(async () => db?.close());

  for (const sql of STATEMENTS) {
    it(sql, async () => {
      const predicted = lockEffects(parseStatements(sql)[0].node);
      assert.ok(predicted.length > 0, 'no prediction');
      await db.exec('BEGIN');
      try {
        // Resolve names first: a rename changes them, a drop removes them.
        const oids = new Map<string, number>();
        for (const effect of predicted) {
          const { rows } = await db.query<{ oid: number }>('SELECT to_regclass($1)::oid AS oid', [effect.relation]);
          oids.set(effect.relation, rows[0].oid);
        }
        await db.exec(sql);
        const { rows } = await db.query<{ relation: number; mode: string }>(
          "SELECT relation::int8 AS relation, mode FROM pg_locks WHERE locktype = 'relation' AND pid = pg_backend_pid()",
        );
        for (const effect of predicted) {
          const held = rows.filter((r) => Number(r.relation) === Number(oids.get(effect.relation))).map((r) => fromPgLocks(r.mode));
          const strongest = held.sort((a, b) => LOCK_MODES.indexOf(b) - LOCK_MODES.indexOf(a))[0];
          assert.equal(strongest, effect.mode, `${effect.relation}: predicted ${effect.mode}, PostgreSQL holds ${held.join(', ') || 'nothing'}`);
        }
      } finally {
        await db.exec('ROLLBACK');
      }
    });
  }
});
