-- migrate:up
-- The runner already wraps the migration in a transaction: this COMMIT ends it early, and the
-- history row is written in a transaction of its own.
BEGIN;
SET LOCAL lock_timeout = '5s';
ALTER TABLE tenants ADD COLUMN IF NOT EXISTS support_tier text;
COMMIT;

-- migrate:down
SET lock_timeout = '5s';
ALTER TABLE tenants DROP COLUMN IF EXISTS support_tier;
