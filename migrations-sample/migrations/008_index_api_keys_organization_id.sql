-- migrate:up
-- tidemark:no-transaction
-- The same for api_keys: one concurrent index build per migration, so a failure leaves nothing
-- half-done.
CREATE INDEX CONCURRENTLY IF NOT EXISTS api_keys_organization_id_idx
  ON api_keys (organization_id);

-- migrate:down
DROP INDEX CONCURRENTLY IF EXISTS api_keys_organization_id_idx;

-- migrate:verify
SELECT indisvalid
  FROM pg_index WHERE indexrelid = 'api_keys_organization_id_idx'::regclass;

-- expect: organization_id
SELECT a.attname
  FROM pg_index i JOIN pg_attribute a ON a.attrelid = i.indrelid AND a.attnum = i.indkey[0]
 WHERE i.indexrelid = 'api_keys_organization_id_idx'::regclass;
