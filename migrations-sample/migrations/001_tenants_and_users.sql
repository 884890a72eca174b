-- migrate:up
-- Tenants (the customers of the SaaS) and the people who sign in.
-- Layout: one file with up, down and verify sections (dbmate-compatible markers).

CREATE TABLE IF NOT EXISTS tenants (
  id         uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  slug       text NOT NULL UNIQUE CHECK (slug ~ '^[a-z0-9][a-z0-9-]{1,62}$'),
  name       text NOT NULL,
  plan       text NOT NULL DEFAULT 'free' CHECK (plan IN ('free', 'team', 'enterprise')),
  created_at timestamptz NOT NULL DEFAULT now(),
  updated_at timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE IF NOT EXISTS app_users (
  id           uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  email        text NOT NULL,
  display_name text,
  created_at   timestamptz NOT NULL DEFAULT now(),
  updated_at   timestamptz NOT NULL DEFAULT now()
);

-- Sign-in looks users up by e-mail, whatever its case.
CREATE UNIQUE INDEX IF NOT EXISTS app_users_email_key ON app_users (lower(email));

CREATE OR REPLACE FUNCTION touch_updated_at() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
  NEW.updated_at := now();
  RETURN NEW;
END;
$$;

-- CREATE TRIGGER has no IF NOT EXISTS: drop first so the migration can run again.
DROP TRIGGER IF EXISTS tenants_touch_updated_at ON tenants;
CREATE TRIGGER tenants_touch_updated_at
  BEFORE UPDATE ON tenants
  FOR EACH ROW EXECUTE FUNCTION touch_updated_at();

DROP TRIGGER IF EXISTS app_users_touch_updated_at ON app_users;
CREATE TRIGGER app_users_touch_updated_at
  BEFORE UPDATE ON app_users
  FOR EACH ROW EXECUTE FUNCTION touch_updated_at();

-- migrate:down
-- The triggers and the index go with their tables.
DROP TABLE IF EXISTS app_users;
DROP TABLE IF EXISTS tenants;
DROP FUNCTION IF EXISTS touch_updated_at();

-- migrate:verify
-- expect: 2
SELECT count(*) FROM information_schema.tables
 WHERE table_schema = current_schema() AND table_name IN ('tenants', 'app_users');

-- expect: 2
SELECT count(*) FROM pg_trigger
 WHERE tgname IN ('tenants_touch_updated_at', 'app_users_touch_updated_at');

-- Two addresses differing only in case are one user.
SELECT EXISTS (SELECT 1 FROM pg_indexes WHERE indexname = 'app_users_email_key');
