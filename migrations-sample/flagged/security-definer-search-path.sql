-- migrate:up
-- Runs with its owner's rights but resolves audit_log through the caller's search_path: a caller
-- who puts their own audit_log first runs the owner's DELETE on it.
CREATE OR REPLACE FUNCTION purge_tenant_audit_log(p_tenant uuid) RETURNS bigint
LANGUAGE plpgsql
SECURITY DEFINER
AS $$
DECLARE
  deleted bigint;
BEGIN
  DELETE FROM audit_log WHERE tenant_id = p_tenant;
  GET DIAGNOSTICS deleted = ROW_COUNT;
  RETURN deleted;
END;
$$;

-- migrate:down
DROP FUNCTION IF EXISTS purge_tenant_audit_log(uuid);
