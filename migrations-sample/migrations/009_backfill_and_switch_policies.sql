-- Renaming tenant_id to organization_id, phase 2 of 3: BACKFILL and SWITCH.
-- From here on the application reads organization_id; tenant_id is still written (by old
-- instances, or by the sync trigger) until the contract phase drops it.

SET LOCAL lock_timeout = '5s';

-- Rows written before 006 have no organization_id yet. Only those rows are touched; on a large
-- table, run this in batches of a few thousand ids before deploying the migration.
UPDATE memberships SET organization_id = tenant_id WHERE organization_id IS NULL;
UPDATE api_keys SET organization_id = tenant_id WHERE organization_id IS NULL;

-- Foreign keys as NOT VALID: adding them does not scan the tables. 010 validates them in its own
-- transaction, under a lock that lets reads and writes continue.
ALTER TABLE memberships DROP CONSTRAINT IF EXISTS memberships_organization_id_fkey;
ALTER TABLE memberships
  ADD CONSTRAINT memberships_organization_id_fkey
  FOREIGN KEY (organization_id) REFERENCES tenants (id) ON DELETE CASCADE NOT VALID;

ALTER TABLE api_keys DROP CONSTRAINT IF EXISTS api_keys_organization_id_fkey;
ALTER TABLE api_keys
  ADD CONSTRAINT api_keys_organization_id_fkey
  FOREIGN KEY (organization_id) REFERENCES tenants (id) ON DELETE CASCADE NOT VALID;

-- The same for NOT NULL: a CHECK added NOT VALID now, validated in 010, lets SET NOT NULL skip
-- its full-table scan (PostgreSQL 12+).
ALTER TABLE memberships DROP CONSTRAINT IF EXISTS memberships_organization_id_not_null;
ALTER TABLE memberships
  ADD CONSTRAINT memberships_organization_id_not_null CHECK (organization_id IS NOT NULL) NOT VALID;

ALTER TABLE api_keys DROP CONSTRAINT IF EXISTS api_keys_organization_id_not_null;
ALTER TABLE api_keys
  ADD CONSTRAINT api_keys_organization_id_not_null CHECK (organization_id IS NOT NULL) NOT VALID;

-- Switch tenant isolation to the new column.
DROP POLICY IF EXISTS tenant_isolation ON memberships;
DROP POLICY IF EXISTS organization_isolation ON memberships;
CREATE POLICY organization_isolation ON memberships
  USING (organization_id = NULLIF(current_setting('app.tenant_id', true), '')::uuid)
  WITH CHECK (organization_id = NULLIF(current_setting('app.tenant_id', true), '')::uuid);

DROP POLICY IF EXISTS tenant_isolation ON api_keys;
DROP POLICY IF EXISTS organization_isolation ON api_keys;
CREATE POLICY organization_isolation ON api_keys
  USING (organization_id = NULLIF(current_setting('app.tenant_id', true), '')::uuid)
  WITH CHECK (organization_id = NULLIF(current_setting('app.tenant_id', true), '')::uuid);

-- The permission check reads the new column too. (A function body is not tracked as a dependency:
-- without this, dropping tenant_id in V11 would succeed and break every permission check.)
CREATE OR REPLACE FUNCTION has_role_at_least(p_tenant uuid, p_user uuid, required membership_role)
RETURNS boolean
LANGUAGE sql STABLE AS $$
  SELECT EXISTS (
    SELECT 1 FROM memberships m
     WHERE m.organization_id = p_tenant AND m.user_id = p_user AND m.role >= required
  )
$$;
