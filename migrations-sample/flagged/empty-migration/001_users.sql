-- migrate:up
CREATE TABLE IF NOT EXISTS users (id bigint PRIMARY KEY, email text);

-- migrate:down
DROP TABLE IF EXISTS users;
