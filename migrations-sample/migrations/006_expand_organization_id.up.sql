-- Renaming tenant_id to organization_id without downtime, phase 1 of 3: EXPAND.
--   006        add organization_id and keep both columns in sync on every write
--   007, 008   index organization_id (CONCURRENTLY, outside a transaction)
--   009, 010   backfill, switch the policies, then validate the constraints
--   V11        contract: drop tenant_id once no deployed version reads it
-- Old and new application versions run side by side during the whole rename.

SET LOCAL lock_timeout = '5s';

-- Nullable, no default: adding it is a catalog-only change, no table rewrite.
ALTER TABLE memberships ADD COLUMN IF NOT EXISTS organization_id uuid;
ALTER TABLE api_keys ADD COLUMN IF NOT EXISTS organization_id uuid;

-- Whichever column a writer sets, the other follows: old code writes tenant_id, new code
-- writes organization_id.
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
