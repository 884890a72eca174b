-- migrate:up
CREATE TABLE IF NOT EXISTS invoices (id bigint PRIMARY KEY);

-- migrate:down
DROP TABLE IF EXISTS invoices;
