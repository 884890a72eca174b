-- Renaming tenant_id to organization_id, phase 3 of 3: CONTRACT.
-- Layout: Flyway names (V11__ with its undo U11__); versions 001..010 and V11 order as numbers.
--
-- Deploy only once no running application version reads or writes tenant_id.

SET LOCAL lock_timeout = '5s';

DROP TRIGGER IF EXISTS memberships_sync_organization_id ON memberships;
DROP TRIGGER IF EXISTS api_keys_sync_organization_id ON api_keys;
DROP FUNCTION IF EXISTS sync_organization_id();

-- Dropping the column is the point of the contract phase: every reader moved to organization_id
-- in phase 2. Its foreign key, memberships_tenant_user_key and api_keys_tenant_id_idx go with it.
-- tidemark-ignore ban-drop-column
ALTER TABLE memberships DROP COLUMN IF EXISTS tenant_id;
-- tidemark-ignore ban-drop-column
ALTER TABLE api_keys DROP COLUMN IF EXISTS tenant_id;
