-- case: DROP INDEX without CONCURRENTLY
DROP INDEX IF EXISTS users_email_idx;
