DROP FUNCTION IF EXISTS has_role_at_least(uuid, uuid, membership_role);
DROP TABLE IF EXISTS memberships;
DROP TYPE IF EXISTS membership_role;
