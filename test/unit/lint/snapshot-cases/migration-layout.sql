-- case: another tool's marker in a dbmate folder
-- file: 003_c.sql
CREATE TABLE c (id int);
-- +goose Down
DROP TABLE c;
-- file: 001_a.sql
-- migrate:up
CREATE TABLE a (id int);
-- migrate:down
DROP TABLE a;
-- file: 002_b.sql
-- migrate:up
CREATE TABLE b (id int);
-- migrate:down
DROP TABLE b;
