-- case: dropping tables in the up
DROP TABLE IF EXISTS audit_log, public.sessions;
