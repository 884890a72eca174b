-- case: CREATE INDEX without CONCURRENTLY on an existing table
CREATE UNIQUE INDEX IF NOT EXISTS users_email_idx ON public.users (lower(email));
