-- case: BEGIN in a migration the runner wraps in a transaction
BEGIN;
ALTER TABLE t ADD COLUMN a int;

-- case: COMMIT halfway
ALTER TABLE t ADD COLUMN a int;
COMMIT;
ALTER TABLE t ADD COLUMN b int;
