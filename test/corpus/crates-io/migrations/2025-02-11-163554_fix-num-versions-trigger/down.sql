DROP FUNCTION IF EXISTS update_num_versions_from_versions CASCADE;
