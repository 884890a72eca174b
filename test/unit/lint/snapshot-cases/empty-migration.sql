-- case: only a down section
-- migrate:down
DROP TABLE a;

-- case: comments only
-- migrate:up
-- TODO
