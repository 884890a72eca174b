-- The hierarchy is the enum's order.
-- expect: viewer,member,admin,owner
SELECT string_agg(enumlabel::text, ',' ORDER BY enumsortorder)
  FROM pg_enum WHERE enumtypid = 'membership_role'::regtype;

SELECT 'owner'::membership_role > 'admin'::membership_role
   AND 'admin'::membership_role > 'member'::membership_role
   AND 'member'::membership_role > 'viewer'::membership_role;

-- A user with no membership holds no role anywhere.
SELECT NOT has_role_at_least(gen_random_uuid(), gen_random_uuid(), 'viewer');
