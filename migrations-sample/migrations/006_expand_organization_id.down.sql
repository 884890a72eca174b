SET LOCAL lock_timeout = '5s';
DROP TRIGGER IF EXISTS api_keys_sync_organization_id ON api_keys;
DROP TRIGGER IF EXISTS memberships_sync_organization_id ON memberships;
DROP FUNCTION IF EXISTS sync_organization_id();
ALTER TABLE api_keys DROP COLUMN IF EXISTS organization_id;
ALTER TABLE memberships DROP COLUMN IF EXISTS organization_id;
