-- case: a type change that rewrites the table
ALTER TABLE orders ALTER COLUMN total TYPE numeric(12,2) USING total::numeric, ADD COLUMN note text;

-- case: timestamp to timestamptz
ALTER TABLE events ALTER COLUMN at TYPE timestamptz;
