-- case: integer keys and references
CREATE TABLE orders (
  id serial PRIMARY KEY,
  customer_id integer REFERENCES customers (id)
);
