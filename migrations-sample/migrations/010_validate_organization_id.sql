-- migrate:up
-- Rename phase 2, continued: validate what 009 added NOT VALID. VALIDATE CONSTRAINT scans the
-- table under SHARE UPDATE EXCLUSIVE (reads and writes go on), and the validated CHECK lets
-- SET NOT NULL skip its own scan under ACCESS EXCLUSIVE.
SET LOCAL lock_timeout = '5s';

ALTER TABLE memberships VALIDATE CONSTRAINT memberships_organization_id_fkey;
ALTER TABLE api_keys VALIDATE CONSTRAINT api_keys_organization_id_fkey;

-- Guarded: the constraint is dropped below, so a re-run finds nothing to validate.
DO $$
BEGIN
  IF EXISTS (SELECT 1 FROM pg_constraint WHERE conrelid = 'memberships'::regclass AND conname = 'memberships_organization_id_not_null') THEN
    ALTER TABLE memberships VALIDATE CONSTRAINT memberships_organization_id_not_null;
  END IF;
END $$;
-- The CHECK (organization_id IS NOT NULL) that 009 added NOT VALID was validated just above, so
-- SET NOT NULL uses it instead of scanning; the rule cannot see a constraint from another migration.
-- tidemark-ignore adding-not-nullable-field
ALTER TABLE memberships ALTER COLUMN organization_id SET NOT NULL;
ALTER TABLE memberships DROP CONSTRAINT IF EXISTS memberships_organization_id_not_null;

-- Guarded: the constraint is dropped below, so a re-run finds nothing to validate.
DO $$
BEGIN
  IF EXISTS (SELECT 1 FROM pg_constraint WHERE conrelid = 'api_keys'::regclass AND conname = 'api_keys_organization_id_not_null') THEN
    ALTER TABLE api_keys VALIDATE CONSTRAINT api_keys_organization_id_not_null;
  END IF;
END $$;
-- The CHECK (organization_id IS NOT NULL) that 009 added NOT VALID was validated just above, so
-- SET NOT NULL uses it instead of scanning; the rule cannot see a constraint from another migration.
-- tidemark-ignore adding-not-nullable-field
ALTER TABLE api_keys ALTER COLUMN organization_id SET NOT NULL;
ALTER TABLE api_keys DROP CONSTRAINT IF EXISTS api_keys_organization_id_not_null;

-- migrate:down
-- A validated constraint needs no undo; put back the NOT VALID checks 009's rollback removes.
SET LOCAL lock_timeout = '5s';
ALTER TABLE api_keys ALTER COLUMN organization_id DROP NOT NULL;
ALTER TABLE api_keys DROP CONSTRAINT IF EXISTS api_keys_organization_id_not_null;
ALTER TABLE api_keys
  ADD CONSTRAINT api_keys_organization_id_not_null CHECK (organization_id IS NOT NULL) NOT VALID;
ALTER TABLE memberships ALTER COLUMN organization_id DROP NOT NULL;
ALTER TABLE memberships DROP CONSTRAINT IF EXISTS memberships_organization_id_not_null;
ALTER TABLE memberships
  ADD CONSTRAINT memberships_organization_id_not_null CHECK (organization_id IS NOT NULL) NOT VALID;

-- migrate:verify
-- expect: 2
SELECT count(*) FROM information_schema.columns
 WHERE table_schema = current_schema()
   AND table_name IN ('memberships', 'api_keys')
   AND column_name = 'organization_id'
   AND is_nullable = 'NO';

-- expect: 0
SELECT count(*) FROM pg_constraint
 WHERE conrelid IN ('memberships'::regclass, 'api_keys'::regclass)
   AND NOT convalidated;
