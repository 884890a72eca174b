-- migrate:up
-- Every existing row needs its own token: gen_random_uuid() is volatile, so PostgreSQL rewrites
-- the whole accounts table under ACCESS EXCLUSIVE instead of storing one default in the catalog.
SET lock_timeout = '5s';
ALTER TABLE accounts ADD COLUMN IF NOT EXISTS public_token uuid NOT NULL DEFAULT gen_random_uuid();

-- migrate:down
ALTER TABLE accounts DROP COLUMN IF EXISTS public_token;
