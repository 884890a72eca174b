-- migrate:up
SET lock_timeout = '5s';
ALTER TABLE tenants RENAME TO organizations;

-- migrate:down
SET lock_timeout = '5s';
ALTER TABLE organizations RENAME TO tenants;
