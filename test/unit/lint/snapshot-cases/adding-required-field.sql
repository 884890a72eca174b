-- case: a NOT NULL column without a default on an existing table
ALTER TABLE orders ADD COLUMN IF NOT EXISTS tenant_id uuid NOT NULL, ADD COLUMN note text;
