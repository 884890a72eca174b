-- migrate:up
-- Rebuilding a bloated index: a plain REINDEX blocks writes to orders, and every query that
-- would use the index, until the rebuild ends.
SET lock_timeout = '5s';
REINDEX INDEX orders_customer_id_idx;

-- migrate:down
SELECT 1;
