-- case: SET NOT NULL on an existing table
ALTER TABLE orders ALTER COLUMN customer_id SET NOT NULL;
