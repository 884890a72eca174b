-- An append-only audit log, and the only way rows ever leave it: the retention function.
-- Layout: sibling folders, with the runbooks' rollback/VERSION_rollback.sql name.

SET LOCAL lock_timeout = '5s';

-- No foreign keys on purpose: the audit trail outlives the tenants and users it mentions.
CREATE TABLE IF NOT EXISTS audit_log (
  id          bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  tenant_id   uuid NOT NULL,
  actor_id    uuid,
  action      text NOT NULL,
  target      text,
  details     jsonb NOT NULL DEFAULT '{}',
  occurred_at timestamptz NOT NULL DEFAULT now()
);

CREATE INDEX IF NOT EXISTS audit_log_tenant_time_idx ON audit_log (tenant_id, occurred_at DESC);
-- The retention purge reads by age; a BRIN index stays tiny on an insert-ordered table.
CREATE INDEX IF NOT EXISTS audit_log_occurred_at_brin ON audit_log USING brin (occurred_at);

-- Rows cannot be changed, and only the retention function may delete them.
CREATE OR REPLACE FUNCTION audit_log_reject_change() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
  IF TG_OP = 'DELETE' AND current_setting('audit.retention_purge', true) = 'on' THEN
    RETURN OLD;
  END IF;
  RAISE EXCEPTION 'audit_log is append-only: % is not allowed', TG_OP
    USING ERRCODE = 'insufficient_privilege';
END;
$$;

DROP TRIGGER IF EXISTS audit_log_append_only ON audit_log;
CREATE TRIGGER audit_log_append_only
  BEFORE UPDATE OR DELETE ON audit_log
  FOR EACH ROW EXECUTE FUNCTION audit_log_reject_change();

DROP TRIGGER IF EXISTS audit_log_no_truncate ON audit_log;
CREATE TRIGGER audit_log_no_truncate
  BEFORE TRUNCATE ON audit_log
  FOR EACH STATEMENT EXECUTE FUNCTION audit_log_reject_change();

-- Deletes rows older than `keep`, in batches so no single statement holds locks for long.
-- Returns how many rows it deleted. SECURITY DEFINER so the scheduler's role needs no DELETE
-- privilege, with a fixed search_path so nobody can slip their own audit_log in front of ours.
CREATE OR REPLACE FUNCTION purge_audit_log(keep interval DEFAULT interval '400 days', batch_size bigint DEFAULT 10000)
RETURNS bigint
LANGUAGE plpgsql
SECURITY DEFINER
SET search_path = pg_catalog, public
AS $$
DECLARE
  purged  bigint := 0;
  deleted bigint;
BEGIN
  IF keep < interval '30 days' THEN
    RAISE EXCEPTION 'refusing to keep less than 30 days of audit log (asked for %)', keep;
  END IF;
  PERFORM set_config('audit.retention_purge', 'on', true);
  LOOP
    DELETE FROM audit_log
     WHERE id IN (SELECT id FROM audit_log WHERE occurred_at < now() - keep ORDER BY id LIMIT batch_size);
    GET DIAGNOSTICS deleted = ROW_COUNT;
    purged := purged + deleted;
    EXIT WHEN deleted < batch_size;
  END LOOP;
  PERFORM set_config('audit.retention_purge', 'off', true);
  RETURN purged;
END;
$$;

REVOKE ALL ON FUNCTION purge_audit_log(interval, bigint) FROM PUBLIC;
