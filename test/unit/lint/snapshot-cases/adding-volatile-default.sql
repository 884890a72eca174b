-- case: a volatile built-in default
ALTER TABLE users ADD COLUMN token uuid NOT NULL DEFAULT gen_random_uuid();

-- case: a serial column
ALTER TABLE users ADD COLUMN seq bigserial;

-- case: a function Tidemark cannot see the definition of
ALTER TABLE users ADD COLUMN code text DEFAULT make_code();
