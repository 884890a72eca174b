-- migrate:up
-- One UPDATE over every row: one huge transaction, every row locked until it commits, and a
-- burst of WAL that replicas must replay.
SET lock_timeout = '5s';
ALTER TABLE api_keys ADD COLUMN IF NOT EXISTS environment text;
UPDATE api_keys SET environment = 'live';

-- migrate:down
SET lock_timeout = '5s';
ALTER TABLE api_keys DROP COLUMN IF EXISTS environment;
