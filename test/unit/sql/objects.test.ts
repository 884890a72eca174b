import assert from 'node:assert/strict';
import { ensureParser, parseStatements } from '../../support/parse';
import { describeObject, objectEffects, removes, sameObject } from '../../../server/src/sql/objects';

/** One line per effect: `create index users_email_idx on users`. */
const effects = (sql: string) =>
  parseStatements(sql).flatMap((s) =>
    objectEffects(s.node).map((e) => `${e.action} ${describeObject(e.object)}${e.newName ? ` to ${e.newName}` : ''}${e.conditional ? ' (if exists)' : ''}`),
  );

describe('sql/objects: what a statement does to database objects', () => {
  before(ensureParser);

  it('names what CREATE statements create, keeping schema qualification', () => {
    assert.deepEqual(
      effects(`CREATE TABLE IF NOT EXISTS app.users (id bigint PRIMARY KEY);
CREATE UNIQUE INDEX CONCURRENTLY users_email_idx ON app.users (email);
CREATE INDEX ON orders (tenant_id, created_at);
CREATE OR REPLACE FUNCTION app.touch(a integer, b text DEFAULT 'x', OUT c int) RETURNS int LANGUAGE sql AS 'select 1';
CREATE PROCEDURE archive(varchar[]) LANGUAGE sql AS 'select 1';
CREATE TRIGGER users_touch BEFORE UPDATE ON app.users FOR EACH ROW EXECUTE FUNCTION app.touch();
CREATE POLICY tenant_isolation ON orders USING (true);
CREATE TYPE mood AS ENUM ('happy');
CREATE DOMAIN positive AS int CHECK (VALUE > 0);
CREATE SEQUENCE order_seq;
CREATE VIEW active_users AS SELECT 1;
CREATE MATERIALIZED VIEW stats AS SELECT 1;
CREATE SCHEMA billing;
CREATE EXTENSION pgcrypto;`),
      [
        'create table app.users (if exists)',
        'create index users_email_idx on app.users',
        'create index orders_tenant_id_created_at_idx on orders',
        'create function app.touch(int4, text)',
        'create procedure archive(varchar[])',
        'create trigger users_touch on app.users',
        'create policy tenant_isolation on orders',
        'create type mood',
        'create domain positive',
        'create sequence order_seq',
        'create view active_users',
        'create materialized view stats',
        'create schema billing',
        'create extension pgcrypto',
      ],
    );
  });

  it('reads ALTER TABLE: columns, constraints (with PostgreSQL default names) and row level security', () => {
    assert.deepEqual(
      effects(`ALTER TABLE orders ADD COLUMN IF NOT EXISTS note text, ADD CONSTRAINT amount_positive CHECK (amount > 0),
  ADD UNIQUE (tenant_id, number), ADD FOREIGN KEY (user_id) REFERENCES users (id), ADD CHECK (a < b),
  ENABLE ROW LEVEL SECURITY, FORCE ROW LEVEL SECURITY;
ALTER TABLE orders DROP COLUMN note, DROP CONSTRAINT IF EXISTS amount_positive, DISABLE ROW LEVEL SECURITY;`),
      [
        'create column orders.note (if exists)',
        'create constraint amount_positive on orders',
        'create constraint orders_tenant_id_number_key on orders',
        'create constraint orders_user_id_fkey on orders',
        'create constraint orders_check on orders',
        'enable row level security on orders',
        'enable forced row level security on orders',
        'drop column orders.note',
        'drop constraint amount_positive on orders (if exists)',
        'disable row level security on orders',
      ],
    );
  });

  it('reads every object of a DROP and renames', () => {
    assert.deepEqual(
      effects(`DROP TABLE IF EXISTS a, app.b CASCADE;
DROP POLICY p ON app.orders;
DROP TRIGGER t ON orders;
DROP FUNCTION f(integer, text[]), g;
DROP TYPE mood; DROP SCHEMA s; DROP EXTENSION e; DROP INDEX CONCURRENTLY i;
ALTER TABLE users RENAME COLUMN mail TO email;
ALTER TABLE users RENAME TO members;`),
      [
        'drop table a (if exists)',
        'drop table app.b (if exists)',
        'drop policy p on app.orders',
        'drop trigger t on orders',
        'drop function f(int4, text[])',
        'drop function g',
        'drop type mood',
        'drop schema s',
        'drop extension e',
        'drop index i',
        'rename column users.mail to email',
        'rename table users to members',
      ],
    );
  });

  it('quotes names that need quotes', () => {
    assert.deepEqual(effects('CREATE TABLE "Order" (id int); CREATE TABLE "user" (id int);'), ['create table "Order"', 'create table "user"']);
  });

  it('knows what a drop removes implicitly', () => {
    const [up, ...downs] = parseStatements(`CREATE INDEX orders_user_idx ON orders (user_id);
DROP TABLE orders; ALTER TABLE orders DROP COLUMN user_id; ALTER TABLE orders DROP COLUMN note; DROP TABLE users;`);
    const index = objectEffects(up.node)[0].object;
    assert.deepEqual(
      downs.map((s) => removes(objectEffects(s.node)[0], index)),
      [true, true, false, false],
    );
  });

  it('matches objects with or without the schema, and functions by argument types', () => {
    const [a, b, c] = parseStatements('CREATE FUNCTION public.f(int) RETURNS int LANGUAGE sql AS $$select 1$$; DROP FUNCTION f(integer); DROP FUNCTION f(bigint);').map(
      (s) => objectEffects(s.node)[0].object,
    );
    assert.equal(sameObject(a, b), true);
    assert.equal(sameObject(a, c), false);
  });
});
