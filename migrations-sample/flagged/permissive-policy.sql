-- migrate:up
-- "Temporarily" open while debugging: USING (true) lets every tenant read every tenant's keys.
SET lock_timeout = '5s';
DROP POLICY IF EXISTS debug_all_access ON api_keys;
CREATE POLICY debug_all_access ON api_keys USING (true) WITH CHECK (true);

-- migrate:down
SET lock_timeout = '5s';
DROP POLICY IF EXISTS debug_all_access ON api_keys;
