-- migrate:up
-- The runbook mix: the table is guarded, the index and the trigger are not, so re-running the
-- migration after a partial failure stops at the index.
CREATE TABLE IF NOT EXISTS invitations (
  id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  email text NOT NULL,
  created_at timestamptz NOT NULL DEFAULT now(),
  updated_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX invitations_email_idx ON invitations (email);
CREATE TRIGGER invitations_touch_updated_at
  BEFORE UPDATE ON invitations
  FOR EACH ROW EXECUTE FUNCTION touch_updated_at();

-- migrate:down
DROP TABLE IF EXISTS invitations;
