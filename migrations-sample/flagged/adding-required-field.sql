-- migrate:up
-- NOT NULL without a DEFAULT on a table that has rows: the ALTER fails on the first existing row,
-- and inserts from the running application (which does not know the column) fail too.
SET lock_timeout = '5s';
ALTER TABLE tenants ADD COLUMN IF NOT EXISTS region text NOT NULL;

-- migrate:down
SET lock_timeout = '5s';
ALTER TABLE tenants DROP COLUMN IF EXISTS region;
