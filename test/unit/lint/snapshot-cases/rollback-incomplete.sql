-- case: a down that leaves objects of the up behind
-- migrate:up
CREATE TABLE invoices (id bigint PRIMARY KEY);
ALTER TABLE users ADD COLUMN plan text;
-- migrate:down
DROP TABLE invoices;
