-- migrate:up
-- A one-step rename: the running application still writes tenant_id and fails at once.
-- The sample's 006..V11 do the same rename in three safe phases.
SET lock_timeout = '5s';
ALTER TABLE memberships RENAME COLUMN tenant_id TO organization_id;

-- migrate:down
SET lock_timeout = '5s';
ALTER TABLE memberships RENAME COLUMN organization_id TO tenant_id;
