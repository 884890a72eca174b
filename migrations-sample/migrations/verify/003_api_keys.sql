-- Verification of 003_api_keys.sql (runs in a transaction that is always rolled back).

-- Keys are stored hashed: every stored hash is a SHA-256 digest.
-- expect: 0
SELECT count(*) FROM api_keys WHERE length(key_hash) <> 32;

-- The hash is unique, so a key identifies exactly one row.
-- expect: 1
SELECT count(*) FROM pg_constraint
 WHERE conrelid = 'api_keys'::regclass AND contype = 'u';

-- An unknown key is refused.
SELECT record_api_key_use('tmk_not_a_real_key') IS NULL;

-- expect: 0
SELECT count(*) FROM api_key_usage WHERE request_count < 0;
