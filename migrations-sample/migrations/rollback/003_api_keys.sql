-- Rollback of 003_api_keys.sql. The indexes go with their tables.
DROP FUNCTION IF EXISTS record_api_key_use(text);
DROP TABLE IF EXISTS api_key_usage;
DROP TABLE IF EXISTS api_keys;
