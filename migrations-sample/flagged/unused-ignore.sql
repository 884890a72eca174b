-- migrate:up
SET lock_timeout = '5s';
-- The index used to be built without CONCURRENTLY; the suppression stayed after the fix and
-- would now hide the next lock problem written on this statement.
-- tidemark-ignore require-concurrent-index-creation
CREATE INDEX CONCURRENTLY IF NOT EXISTS orders_customer_id_idx ON orders (customer_id);

-- migrate:down
DROP INDEX CONCURRENTLY IF EXISTS orders_customer_id_idx;
