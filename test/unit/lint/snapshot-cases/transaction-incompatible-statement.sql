-- case: CONCURRENTLY mixed with other statements
SET lock_timeout = '5s';
ALTER TABLE audit_log ADD COLUMN IF NOT EXISTS request_id uuid;
CREATE INDEX CONCURRENTLY IF NOT EXISTS audit_log_request_id_idx ON audit_log (request_id);

-- case: VACUUM inside an explicit BEGIN ... COMMIT
-- tidemark:no-transaction
SELECT 1;
BEGIN;
VACUUM (ANALYZE) orders;
COMMIT;
