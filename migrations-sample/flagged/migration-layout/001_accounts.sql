-- migrate:up
CREATE TABLE IF NOT EXISTS accounts (id bigint PRIMARY KEY);

-- migrate:down
DROP TABLE IF EXISTS accounts;
