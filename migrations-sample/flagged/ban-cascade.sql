-- migrate:up
-- CASCADE also drops every view, foreign key and policy that depends on the table, silently.
SET lock_timeout = '5s';
DROP TABLE IF EXISTS legacy_api_tokens CASCADE;

-- migrate:down
CREATE TABLE IF NOT EXISTS legacy_api_tokens (
  id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  token_hash bytea NOT NULL
);
