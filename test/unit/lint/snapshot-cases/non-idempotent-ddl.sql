-- case: DDL that fails when the file runs a second time
-- option: idempotency=require
CREATE TABLE orders (id bigint);
CREATE INDEX orders_id_idx ON orders (id);
