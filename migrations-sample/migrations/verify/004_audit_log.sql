-- Verification of 004_audit_log.sql.

-- Both guards are installed: row-level (UPDATE, DELETE) and statement-level (TRUNCATE).
-- expect: 2
SELECT count(*) FROM pg_trigger
 WHERE tgrelid = 'audit_log'::regclass
   AND tgname IN ('audit_log_append_only', 'audit_log_no_truncate');

-- The retention function runs as its owner with a pinned search_path.
SELECT prosecdef AND proconfig @> ARRAY['search_path=pg_catalog, public']
  FROM pg_proc WHERE proname = 'purge_audit_log';

-- An insert still works (and is rolled back with the verification).
INSERT INTO audit_log (tenant_id, action) VALUES (gen_random_uuid(), 'tidemark.verify');

-- expect: 1
SELECT count(*) FROM audit_log WHERE action = 'tidemark.verify';
