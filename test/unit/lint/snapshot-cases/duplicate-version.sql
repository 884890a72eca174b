-- case: two migrations with the same version
-- file: 001_create_users.sql
CREATE TABLE users (id bigint PRIMARY KEY);
-- file: 001_create_orders.sql
CREATE TABLE orders (id bigint PRIMARY KEY);
