-- case: row level security enabled, no policy
ALTER TABLE app_users ENABLE ROW LEVEL SECURITY;
