-- migrate:up
-- timestamp without time zone: the same instant reads differently on servers in different zones.
CREATE TABLE IF NOT EXISTS scheduled_exports (
  id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  run_at timestamp NOT NULL,
  created_at timestamptz NOT NULL DEFAULT now()
);

-- migrate:down
DROP TABLE IF EXISTS scheduled_exports;
