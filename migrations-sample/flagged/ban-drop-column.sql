-- migrate:up
-- The application still selects legacy_plan_code: every request that reads tenants fails from
-- the moment this commits until the next deploy.
SET lock_timeout = '5s';
ALTER TABLE tenants DROP COLUMN IF EXISTS legacy_plan_code;

-- migrate:down
SET lock_timeout = '5s';
ALTER TABLE tenants ADD COLUMN IF NOT EXISTS legacy_plan_code text;
