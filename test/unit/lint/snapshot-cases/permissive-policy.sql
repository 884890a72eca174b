-- case: a policy that lets every row through
CREATE POLICY debug_all_access ON api_keys USING (true) WITH CHECK (TRUE);
