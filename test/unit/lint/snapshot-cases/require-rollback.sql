-- case: an up without a down section
-- migrate:up
CREATE TABLE orders (
  id bigint
);
CREATE INDEX orders_id_idx ON orders (id);

-- case: a paired layout without the down file
-- file: 002_orders.up.sql
CREATE TABLE orders (id int);
