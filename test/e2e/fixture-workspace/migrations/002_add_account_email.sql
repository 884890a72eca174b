-- migrate:up
SET LOCAL lock_timeout = '5s';
ALTER TABLE accounts ADD COLUMN IF NOT EXISTS email text;

-- migrate:down
ALTER TABLE accounts DROP COLUMN IF EXISTS email;

-- migrate:verify
-- expect: 1
SELECT count(*) FROM information_schema.columns WHERE table_name = 'accounts' AND column_name = 'email';
