-- case: a foreign key without an index on its columns
CREATE TABLE invoices (
  id bigint PRIMARY KEY,
  customer_id bigint REFERENCES customers (id)
);
