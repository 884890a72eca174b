-- case: a foreign key validated while it is added
ALTER TABLE orders ADD CONSTRAINT orders_customer_fk FOREIGN KEY (customer_id) REFERENCES customers (id);

-- case: a CHECK constraint validated while it is added
ALTER TABLE orders ADD CHECK (total >= 0);
