-- Rollback of 009: back to tenant_id for the permission check and the policies. The backfilled
-- organization_id values stay: they equal tenant_id, and 006's rollback drops the column.
SET LOCAL lock_timeout = '5s';

CREATE OR REPLACE FUNCTION has_role_at_least(p_tenant uuid, p_user uuid, required membership_role)
RETURNS boolean
LANGUAGE sql STABLE AS $$
  SELECT EXISTS (
    SELECT 1 FROM memberships m
     WHERE m.tenant_id = p_tenant AND m.user_id = p_user AND m.role >= required
  )
$$;

DROP POLICY IF EXISTS organization_isolation ON api_keys;
DROP POLICY IF EXISTS tenant_isolation ON api_keys;
CREATE POLICY tenant_isolation ON api_keys
  USING (tenant_id = NULLIF(current_setting('app.tenant_id', true), '')::uuid)
  WITH CHECK (tenant_id = NULLIF(current_setting('app.tenant_id', true), '')::uuid);

DROP POLICY IF EXISTS organization_isolation ON memberships;
DROP POLICY IF EXISTS tenant_isolation ON memberships;
CREATE POLICY tenant_isolation ON memberships
  USING (tenant_id = NULLIF(current_setting('app.tenant_id', true), '')::uuid)
  WITH CHECK (tenant_id = NULLIF(current_setting('app.tenant_id', true), '')::uuid);

ALTER TABLE api_keys DROP CONSTRAINT IF EXISTS api_keys_organization_id_not_null;
ALTER TABLE memberships DROP CONSTRAINT IF EXISTS memberships_organization_id_not_null;
ALTER TABLE api_keys DROP CONSTRAINT IF EXISTS api_keys_organization_id_fkey;
ALTER TABLE memberships DROP CONSTRAINT IF EXISTS memberships_organization_id_fkey;
