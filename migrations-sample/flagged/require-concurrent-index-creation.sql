-- migrate:up
-- Blocks every INSERT, UPDATE and DELETE on audit_log until the index is built.
SET lock_timeout = '5s';
CREATE INDEX IF NOT EXISTS audit_log_actor_id_idx ON audit_log (actor_id);

-- migrate:down
DROP INDEX IF EXISTS audit_log_actor_id_idx;
