-- migrate:up
-- No down section and no rollback file: when this has to be undone at 3 a.m., someone writes the
-- rollback by hand against production.
CREATE TABLE IF NOT EXISTS webhooks (
  id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  url text NOT NULL,
  secret_hash bytea NOT NULL,
  created_at timestamptz NOT NULL DEFAULT now()
);
