-- migrate:up
-- A missing comma between two column definitions.
CREATE TABLE IF NOT EXISTS invoices (
  id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  tenant_id uuid NOT NULL
  amount_cents bigint NOT NULL
);

-- migrate:down
DROP TABLE IF EXISTS invoices;
