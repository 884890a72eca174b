-- Verification of 009: every row has its organization, and isolation uses the new column.

-- expect: 0
SELECT count(*) FROM memberships WHERE organization_id IS NULL;

-- expect: 0
SELECT count(*) FROM api_keys WHERE organization_id IS NULL;

-- expect: 2
SELECT count(*) FROM pg_policy
 WHERE polname = 'organization_isolation'
   AND polrelid IN ('memberships'::regclass, 'api_keys'::regclass);

-- expect: 0
SELECT count(*) FROM pg_policy
 WHERE polname = 'tenant_isolation'
   AND polrelid IN ('memberships'::regclass, 'api_keys'::regclass);
