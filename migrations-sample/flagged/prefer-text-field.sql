-- migrate:up
-- varchar(64): raising the limit later takes an ACCESS EXCLUSIVE lock; text with a CHECK does not.
CREATE TABLE IF NOT EXISTS teams (
  id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  name varchar(64) NOT NULL,
  created_at timestamptz NOT NULL DEFAULT now()
);

-- migrate:down
DROP TABLE IF EXISTS teams;
