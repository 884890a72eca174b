-- migrate:up
-- tidemark:no-transaction
-- Rename phase 2 needs (organization_id, user_id) unique and indexed: the new policies filter on
-- it and the foreign key added in 009 must not scan memberships on every tenant delete.
-- CONCURRENTLY keeps writes flowing while the index builds; it cannot run in a transaction, so
-- this migration runs in autocommit and holds nothing but this one statement.
CREATE UNIQUE INDEX CONCURRENTLY IF NOT EXISTS memberships_organization_user_key
  ON memberships (organization_id, user_id);

-- migrate:down
DROP INDEX CONCURRENTLY IF EXISTS memberships_organization_user_key;

-- migrate:verify
-- A failed CREATE INDEX CONCURRENTLY leaves an INVALID index behind: check it is usable.
SELECT indisvalid AND indisunique
  FROM pg_index WHERE indexrelid = 'memberships_organization_user_key'::regclass;

-- expect: 2
SELECT indnkeyatts FROM pg_index WHERE indexrelid = 'memberships_organization_user_key'::regclass;
