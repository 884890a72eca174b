-- API keys for machine access, and how much each key is used.
-- Layout: sibling folders: rollback/003_api_keys.sql and verify/003_api_keys.sql.
--
-- Only a SHA-256 hash of a key is stored; the plaintext is shown once, when the key is created.
-- key_prefix (the first 8 characters) lets people recognise a key in the UI and in logs.

SET LOCAL lock_timeout = '5s';

CREATE TABLE IF NOT EXISTS api_keys (
  id           uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  tenant_id    uuid NOT NULL REFERENCES tenants (id) ON DELETE CASCADE,
  name         text NOT NULL,
  key_prefix   text NOT NULL CHECK (length(key_prefix) = 8),
  key_hash     bytea NOT NULL UNIQUE CHECK (length(key_hash) = 32),
  scopes       text[] NOT NULL DEFAULT '{}',
  created_by   uuid REFERENCES app_users (id) ON DELETE SET NULL,
  created_at   timestamptz NOT NULL DEFAULT now(),
  expires_at   timestamptz,
  last_used_at timestamptz,
  revoked_at   timestamptz
);

CREATE INDEX IF NOT EXISTS api_keys_tenant_id_idx ON api_keys (tenant_id);
CREATE INDEX IF NOT EXISTS api_keys_created_by_idx ON api_keys (created_by);

-- One row per key and day: the gateway increments it, billing reads it.
CREATE TABLE IF NOT EXISTS api_key_usage (
  api_key_id    uuid NOT NULL REFERENCES api_keys (id) ON DELETE CASCADE,
  day           date NOT NULL,
  request_count bigint NOT NULL DEFAULT 0 CHECK (request_count >= 0),
  PRIMARY KEY (api_key_id, day)
);

-- Called by the API gateway on every request: finds a live key by its hash, records the use and
-- returns the key's id (NULL for an unknown, revoked or expired key).
CREATE OR REPLACE FUNCTION record_api_key_use(p_key text) RETURNS uuid
LANGUAGE plpgsql AS $$
DECLARE
  v_key_id uuid;
BEGIN
  UPDATE api_keys
     SET last_used_at = now()
   WHERE key_hash = sha256(convert_to(p_key, 'UTF8'))
     AND revoked_at IS NULL
     AND (expires_at IS NULL OR expires_at > now())
  RETURNING id INTO v_key_id;
  IF v_key_id IS NULL THEN
    RETURN NULL;
  END IF;
  INSERT INTO api_key_usage AS u (api_key_id, day, request_count)
  VALUES (v_key_id, current_date, 1)
  ON CONFLICT (api_key_id, day) DO UPDATE SET request_count = u.request_count + 1;
  RETURN v_key_id;
END;
$$;
