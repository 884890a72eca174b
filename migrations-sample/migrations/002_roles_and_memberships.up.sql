-- Who belongs to which tenant, with which role.
-- Layout: paired files (golang-migrate compatible): .up.sql, .down.sql, .verify.sql.
--
-- The roles form a hierarchy: viewer < member < admin < owner. The enum's declaration order IS
-- the hierarchy, so `role >= 'admin'` means "admin or more" and adding a role is one
-- ALTER TYPE ... ADD VALUE ... BEFORE/AFTER in the right place.

SET LOCAL lock_timeout = '5s';

-- CREATE TYPE has no IF NOT EXISTS; guard it so the migration can run again.
DO $$
BEGIN
  IF NOT EXISTS (
    SELECT 1 FROM pg_type t JOIN pg_namespace n ON n.oid = t.typnamespace
     WHERE t.typname = 'membership_role' AND n.nspname = current_schema()
  ) THEN
    CREATE TYPE membership_role AS ENUM ('viewer', 'member', 'admin', 'owner');
  END IF;
END
$$;

CREATE TABLE IF NOT EXISTS memberships (
  id         bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  tenant_id  uuid NOT NULL REFERENCES tenants (id) ON DELETE CASCADE,
  user_id    uuid NOT NULL REFERENCES app_users (id) ON DELETE CASCADE,
  role       membership_role NOT NULL DEFAULT 'member',
  created_at timestamptz NOT NULL DEFAULT now(),
  -- Also the index for the tenant_id foreign key (its leading column).
  CONSTRAINT memberships_tenant_user_key UNIQUE (tenant_id, user_id)
);

-- "Which tenants can this user open?" and the user_id foreign key.
CREATE INDEX IF NOT EXISTS memberships_user_id_idx ON memberships (user_id);

-- The application's permission check: does this user hold at least `required` in this tenant?
CREATE OR REPLACE FUNCTION has_role_at_least(p_tenant uuid, p_user uuid, required membership_role)
RETURNS boolean
LANGUAGE sql STABLE AS $$
  SELECT EXISTS (
    SELECT 1 FROM memberships m
     WHERE m.tenant_id = p_tenant AND m.user_id = p_user AND m.role >= required
  )
$$;
