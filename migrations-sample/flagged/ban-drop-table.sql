-- migrate:up
-- "Nobody uses sessions any more" - except the instances still running the previous release.
SET lock_timeout = '5s';
DROP TABLE IF EXISTS user_sessions;

-- migrate:down
CREATE TABLE IF NOT EXISTS user_sessions (
  id uuid PRIMARY KEY,
  user_id uuid NOT NULL,
  expires_at timestamptz NOT NULL
);
