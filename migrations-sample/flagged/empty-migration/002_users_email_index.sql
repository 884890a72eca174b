-- The up was lost in a merge: only the rollback is left.

-- migrate:down
DROP INDEX IF EXISTS users_email;
