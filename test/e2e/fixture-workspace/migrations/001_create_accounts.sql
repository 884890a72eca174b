-- migrate:up
CREATE TABLE IF NOT EXISTS accounts (
  id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  name text NOT NULL,
  legacy_code text
);

-- migrate:down
DROP TABLE IF EXISTS accounts;
