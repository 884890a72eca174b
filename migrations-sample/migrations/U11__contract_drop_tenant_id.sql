-- Undo of V11: bring tenant_id back, filled from organization_id, with its constraints, indexes
-- and the sync trigger, so the phase-2 application runs again.
SET LOCAL lock_timeout = '5s';

ALTER TABLE memberships ADD COLUMN IF NOT EXISTS tenant_id uuid;
ALTER TABLE api_keys ADD COLUMN IF NOT EXISTS tenant_id uuid;

UPDATE memberships SET tenant_id = organization_id WHERE tenant_id IS NULL;
UPDATE api_keys SET tenant_id = organization_id WHERE tenant_id IS NULL;

CREATE OR REPLACE FUNCTION sync_organization_id() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
  IF TG_OP = 'INSERT' THEN
    NEW.organization_id := coalesce(NEW.organization_id, NEW.tenant_id);
    NEW.tenant_id := coalesce(NEW.tenant_id, NEW.organization_id);
  ELSIF NEW.organization_id IS DISTINCT FROM OLD.organization_id THEN
    NEW.tenant_id := NEW.organization_id;
  ELSIF NEW.tenant_id IS DISTINCT FROM OLD.tenant_id THEN
    NEW.organization_id := NEW.tenant_id;
  END IF;
  RETURN NEW;
END;
$$;

DROP TRIGGER IF EXISTS memberships_sync_organization_id ON memberships;
CREATE TRIGGER memberships_sync_organization_id
  BEFORE INSERT OR UPDATE ON memberships
  FOR EACH ROW EXECUTE FUNCTION sync_organization_id();

DROP TRIGGER IF EXISTS api_keys_sync_organization_id ON api_keys;
CREATE TRIGGER api_keys_sync_organization_id
  BEFORE INSERT OR UPDATE ON api_keys
  FOR EACH ROW EXECUTE FUNCTION sync_organization_id();

ALTER TABLE memberships DROP CONSTRAINT IF EXISTS memberships_tenant_id_fkey;
ALTER TABLE memberships
  ADD CONSTRAINT memberships_tenant_id_fkey
  FOREIGN KEY (tenant_id) REFERENCES tenants (id) ON DELETE CASCADE NOT VALID;
ALTER TABLE memberships VALIDATE CONSTRAINT memberships_tenant_id_fkey;

ALTER TABLE api_keys DROP CONSTRAINT IF EXISTS api_keys_tenant_id_fkey;
ALTER TABLE api_keys
  ADD CONSTRAINT api_keys_tenant_id_fkey
  FOREIGN KEY (tenant_id) REFERENCES tenants (id) ON DELETE CASCADE NOT VALID;
ALTER TABLE api_keys VALIDATE CONSTRAINT api_keys_tenant_id_fkey;

ALTER TABLE memberships DROP CONSTRAINT IF EXISTS memberships_tenant_id_not_null;
ALTER TABLE memberships
  ADD CONSTRAINT memberships_tenant_id_not_null CHECK (tenant_id IS NOT NULL) NOT VALID;
ALTER TABLE memberships VALIDATE CONSTRAINT memberships_tenant_id_not_null;
ALTER TABLE memberships ALTER COLUMN tenant_id SET NOT NULL;
ALTER TABLE memberships DROP CONSTRAINT IF EXISTS memberships_tenant_id_not_null;

ALTER TABLE api_keys DROP CONSTRAINT IF EXISTS api_keys_tenant_id_not_null;
ALTER TABLE api_keys
  ADD CONSTRAINT api_keys_tenant_id_not_null CHECK (tenant_id IS NOT NULL) NOT VALID;
ALTER TABLE api_keys VALIDATE CONSTRAINT api_keys_tenant_id_not_null;
ALTER TABLE api_keys ALTER COLUMN tenant_id SET NOT NULL;
ALTER TABLE api_keys DROP CONSTRAINT IF EXISTS api_keys_tenant_id_not_null;

-- An undo runs during an incident, on the version that was just contracted: rebuilding these two
-- indexes inside the undo's transaction is the price of an all-or-nothing rollback.
-- tidemark-ignore require-concurrent-index-creation
CREATE UNIQUE INDEX IF NOT EXISTS memberships_tenant_user_key ON memberships (tenant_id, user_id);
-- 002 made it a UNIQUE constraint, not only an index: attach the index as that constraint again.
DO $$
BEGIN
  IF NOT EXISTS (SELECT 1 FROM pg_constraint WHERE conrelid = 'memberships'::regclass AND conname = 'memberships_tenant_user_key') THEN
    ALTER TABLE memberships ADD CONSTRAINT memberships_tenant_user_key UNIQUE USING INDEX memberships_tenant_user_key;
  END IF;
END $$;
-- tidemark-ignore require-concurrent-index-creation
CREATE INDEX IF NOT EXISTS api_keys_tenant_id_idx ON api_keys (tenant_id);
