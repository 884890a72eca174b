-- DROP POLICY without IF EXISTS: a rollback run a second time (after a failed first attempt, or on
-- an environment where the up never ran) stops here with "policy does not exist".
SET LOCAL lock_timeout = '5s';
DROP POLICY api_keys_read_own ON api_keys;
ALTER TABLE api_keys DISABLE ROW LEVEL SECURITY;
