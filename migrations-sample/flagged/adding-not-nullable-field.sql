-- migrate:up
-- SET NOT NULL scans the whole table under ACCESS EXCLUSIVE to check for NULLs.
SET lock_timeout = '5s';
ALTER TABLE app_users ALTER COLUMN display_name SET NOT NULL;

-- migrate:down
SET lock_timeout = '5s';
ALTER TABLE app_users ALTER COLUMN display_name DROP NOT NULL;
