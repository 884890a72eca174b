-- migrate:up
-- Builds the unique index under ACCESS EXCLUSIVE: no reads or writes on tenants meanwhile.
SET lock_timeout = '5s';
ALTER TABLE tenants DROP CONSTRAINT IF EXISTS tenants_name_key;
ALTER TABLE tenants ADD CONSTRAINT tenants_name_key UNIQUE (name);

-- migrate:down
SET lock_timeout = '5s';
ALTER TABLE tenants DROP CONSTRAINT IF EXISTS tenants_name_key;
