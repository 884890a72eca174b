-- migrate:up
-- Without lock_timeout the ALTER waits behind a long-running query, and every query on tenants
-- queues behind the ALTER: the whole application stalls.
ALTER TABLE tenants ADD COLUMN IF NOT EXISTS billing_email text;

-- migrate:down
ALTER TABLE tenants DROP COLUMN IF EXISTS billing_email;
