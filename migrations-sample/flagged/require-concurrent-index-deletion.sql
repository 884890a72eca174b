-- migrate:up
-- Takes ACCESS EXCLUSIVE on api_keys: every request authenticating with a key waits.
SET lock_timeout = '5s';
DROP INDEX IF EXISTS api_keys_created_by_idx;

-- migrate:down
CREATE INDEX CONCURRENTLY IF NOT EXISTS api_keys_created_by_idx ON api_keys (created_by);
