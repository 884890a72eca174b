-- migrate:up
-- Rewrites the whole table and every index under ACCESS EXCLUSIVE: the audit log is the
-- biggest table in the database.
SET lock_timeout = '5s';
ALTER TABLE audit_log ALTER COLUMN details TYPE text USING details::text;

-- migrate:down
SET lock_timeout = '5s';
ALTER TABLE audit_log ALTER COLUMN details TYPE jsonb USING details::jsonb;
