-- migrate:up
-- CREATE INDEX CONCURRENTLY cannot run inside the migration's transaction; run on its own it
-- would leave the ALTER applied and the index missing if it fails.
SET lock_timeout = '5s';
ALTER TABLE audit_log ADD COLUMN IF NOT EXISTS request_id uuid;
CREATE INDEX CONCURRENTLY IF NOT EXISTS audit_log_request_id_idx ON audit_log (request_id);

-- migrate:down
SET lock_timeout = '5s';
ALTER TABLE audit_log DROP COLUMN IF EXISTS request_id;
