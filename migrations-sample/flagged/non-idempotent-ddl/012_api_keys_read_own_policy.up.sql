-- The runbooks' classic, in the paired layout: the up is careful, its rollback is not.
SET LOCAL lock_timeout = '5s';
ALTER TABLE api_keys ENABLE ROW LEVEL SECURITY;
DROP POLICY IF EXISTS api_keys_read_own ON api_keys;
CREATE POLICY api_keys_read_own ON api_keys FOR SELECT
  USING (tenant_id = NULLIF(current_setting('app.tenant_id', true), '')::uuid);
