-- case: a strong lock without lock_timeout
DROP INDEX orders_note_idx;

-- case: the first statement that needs it, after a table of this migration
CREATE TABLE t (a int);
ALTER TABLE t ADD COLUMN b int;
ALTER TABLE orders ADD COLUMN note text;
