-- case: suppressions that suppress nothing
-- tidemark-ignore-file prefer-text-field
SET lock_timeout = '5s';
-- tidemark-ignore ban-drop-table, ban-cascade
DROP TABLE IF EXISTS old_t;
-- tidemark-ignore ban-drop-tabel
SELECT 2;
-- migrate:down
SELECT 1;
