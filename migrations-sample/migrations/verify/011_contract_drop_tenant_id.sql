-- Verification of V11__contract_drop_tenant_id.sql (Flyway has no verify file of its own; a
-- verify/ file with the same version number pairs with it).

-- expect: 0
SELECT count(*) FROM information_schema.columns
 WHERE table_schema = current_schema()
   AND table_name IN ('memberships', 'api_keys')
   AND column_name = 'tenant_id';

-- expect: 0
SELECT count(*) FROM pg_proc WHERE proname = 'sync_organization_id';

-- Memberships stay unique per organization and user.
SELECT indisunique FROM pg_index WHERE indexrelid = 'memberships_organization_user_key'::regclass;
