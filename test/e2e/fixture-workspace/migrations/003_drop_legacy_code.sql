-- migrate:up
SET LOCAL lock_timeout = '5s';
ALTER TABLE accounts DROP COLUMN legacy_code;

-- migrate:down
ALTER TABLE accounts ADD COLUMN IF NOT EXISTS legacy_code text;
