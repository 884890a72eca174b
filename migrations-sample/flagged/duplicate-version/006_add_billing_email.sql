-- migrate:up
SET lock_timeout = '5s';
ALTER TABLE tenants ADD COLUMN IF NOT EXISTS billing_email text;

-- migrate:down
SET lock_timeout = '5s';
ALTER TABLE tenants DROP COLUMN IF EXISTS billing_email;
