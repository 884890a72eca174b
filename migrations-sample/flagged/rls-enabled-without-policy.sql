-- migrate:up
-- Row-level security with no policy hides every row from every role that is subject to it: the
-- application sees an empty table.
SET lock_timeout = '5s';
ALTER TABLE app_users ENABLE ROW LEVEL SECURITY;

-- migrate:down
SET lock_timeout = '5s';
ALTER TABLE app_users DISABLE ROW LEVEL SECURITY;
