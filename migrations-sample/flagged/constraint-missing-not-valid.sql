-- migrate:up
-- Validating the foreign key scans api_keys while holding a lock that blocks writes to both
-- tables.
SET lock_timeout = '5s';
ALTER TABLE api_keys DROP CONSTRAINT IF EXISTS api_keys_created_by_fkey;
ALTER TABLE api_keys
  ADD CONSTRAINT api_keys_created_by_fkey FOREIGN KEY (created_by) REFERENCES app_users (id);

-- migrate:down
SET lock_timeout = '5s';
ALTER TABLE api_keys DROP CONSTRAINT IF EXISTS api_keys_created_by_fkey;
