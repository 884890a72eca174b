-- migrate:up
-- A 32-bit counter overflows at 2,147,483,647: busy keys get there.
CREATE TABLE IF NOT EXISTS api_key_hourly_usage (
  api_key_id uuid NOT NULL,
  hour timestamptz NOT NULL,
  request_count integer NOT NULL DEFAULT 0,
  PRIMARY KEY (api_key_id, hour)
);

-- migrate:down
DROP TABLE IF EXISTS api_key_hourly_usage;
