-- migrate:up
-- serial: the sequence is a separate object with its own privileges, and is not copied by
-- CREATE TABLE ... LIKE.
CREATE TABLE IF NOT EXISTS notifications (
  id bigserial PRIMARY KEY,
  body text NOT NULL,
  created_at timestamptz NOT NULL DEFAULT now()
);

-- migrate:down
DROP TABLE IF EXISTS notifications;
