-- organization_id exists on both tables (and stays after the contract phase).
-- expect: 2
SELECT count(*) FROM information_schema.columns
 WHERE table_schema = current_schema()
   AND table_name IN ('memberships', 'api_keys')
   AND column_name = 'organization_id';

-- While tenant_id still exists, both sync triggers keep the columns equal.
SELECT (SELECT count(*) FROM pg_trigger
         WHERE tgname IN ('memberships_sync_organization_id', 'api_keys_sync_organization_id')) = 2
    OR NOT EXISTS (SELECT 1 FROM information_schema.columns
                    WHERE table_schema = current_schema()
                      AND table_name IN ('memberships', 'api_keys')
                      AND column_name = 'tenant_id');
