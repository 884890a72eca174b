-- migrate:up
-- "prodution" is not an environment of migrations-sample/tidemark.json: this would never run in production.
-- tidemark:environments prodution
SET lock_timeout = '5s';
SELECT 1;

-- migrate:down
SELECT 1;
