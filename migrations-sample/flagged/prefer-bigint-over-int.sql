-- migrate:up
-- A 32-bit key runs out at 2,147,483,647 rows: an event log gets there, and widening the key
-- then rewrites this table and every table that references it.
CREATE TABLE IF NOT EXISTS audit_events (
  id integer GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  api_key_id uuid NOT NULL,
  at timestamptz NOT NULL DEFAULT now(),
  request_count integer NOT NULL DEFAULT 0
);

-- migrate:down
DROP TABLE IF EXISTS audit_events;
