-- migrate:up
-- Deleting a tenant scans the whole of invoices to find the rows that reference it.
SET lock_timeout = '5s';
CREATE TABLE IF NOT EXISTS invoices (
  id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  tenant_id uuid NOT NULL REFERENCES tenants (id),
  total_cents bigint NOT NULL,
  issued_at timestamptz NOT NULL DEFAULT now()
);

-- migrate:down
DROP TABLE IF EXISTS invoices;
