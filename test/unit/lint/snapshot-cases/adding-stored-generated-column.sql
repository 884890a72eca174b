-- case: a stored generated column added to an existing table
ALTER TABLE docs ADD COLUMN search tsvector GENERATED ALWAYS AS (to_tsvector('english', body)) STORED;
