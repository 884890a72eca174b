-- migrate:up
-- Tenant isolation in the database itself: every request sets app.tenant_id
-- (SET LOCAL app.tenant_id = '...') and row-level security hides every other tenant's rows.
--
-- current_setting(..., true) returns NULL instead of raising an error when the setting was never
-- set, and NULLIF(..., '') covers a setting that was set and then reset: either way the policy
-- matches no row instead of failing the query.

SET LOCAL lock_timeout = '5s';

ALTER TABLE memberships ENABLE ROW LEVEL SECURITY;
DROP POLICY IF EXISTS tenant_isolation ON memberships;
CREATE POLICY tenant_isolation ON memberships
  USING (tenant_id = NULLIF(current_setting('app.tenant_id', true), '')::uuid)
  WITH CHECK (tenant_id = NULLIF(current_setting('app.tenant_id', true), '')::uuid);

ALTER TABLE api_keys ENABLE ROW LEVEL SECURITY;
DROP POLICY IF EXISTS tenant_isolation ON api_keys;
CREATE POLICY tenant_isolation ON api_keys
  USING (tenant_id = NULLIF(current_setting('app.tenant_id', true), '')::uuid)
  WITH CHECK (tenant_id = NULLIF(current_setting('app.tenant_id', true), '')::uuid);

-- The audit log can be read and appended to by its tenant, never changed.
ALTER TABLE audit_log ENABLE ROW LEVEL SECURITY;
DROP POLICY IF EXISTS audit_log_tenant_read ON audit_log;
CREATE POLICY audit_log_tenant_read ON audit_log FOR SELECT
  USING (tenant_id = NULLIF(current_setting('app.tenant_id', true), '')::uuid);
DROP POLICY IF EXISTS audit_log_tenant_append ON audit_log;
CREATE POLICY audit_log_tenant_append ON audit_log FOR INSERT
  WITH CHECK (tenant_id = NULLIF(current_setting('app.tenant_id', true), '')::uuid);

-- migrate:down
SET LOCAL lock_timeout = '5s';
DROP POLICY IF EXISTS audit_log_tenant_append ON audit_log;
DROP POLICY IF EXISTS audit_log_tenant_read ON audit_log;
ALTER TABLE audit_log DISABLE ROW LEVEL SECURITY;
DROP POLICY IF EXISTS tenant_isolation ON api_keys;
ALTER TABLE api_keys DISABLE ROW LEVEL SECURITY;
DROP POLICY IF EXISTS tenant_isolation ON memberships;
ALTER TABLE memberships DISABLE ROW LEVEL SECURITY;

-- migrate:verify
-- expect: 3
SELECT count(*) FROM pg_class
 WHERE relnamespace = current_schema()::regnamespace
   AND relname IN ('memberships', 'api_keys', 'audit_log')
   AND relrowsecurity;

-- RLS without a policy hides every row: each protected table has at least one policy.
-- expect: 0
SELECT count(*) FROM pg_class c
 WHERE c.relnamespace = current_schema()::regnamespace
   AND c.relrowsecurity
   AND NOT EXISTS (SELECT 1 FROM pg_policy p WHERE p.polrelid = c.oid);
