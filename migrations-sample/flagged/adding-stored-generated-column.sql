-- migrate:up
-- Full-text search on existing articles: a STORED generated column is computed for every row,
-- so adding it rewrites the whole table under ACCESS EXCLUSIVE.
SET lock_timeout = '5s';
ALTER TABLE articles ADD COLUMN IF NOT EXISTS search tsvector
  GENERATED ALWAYS AS (to_tsvector('english', coalesce(title, '') || ' ' || coalesce(body, ''))) STORED;

-- migrate:down
ALTER TABLE articles DROP COLUMN IF EXISTS search;
