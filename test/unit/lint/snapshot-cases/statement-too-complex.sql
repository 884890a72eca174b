-- case: a statement nested too deeply for the parser
-- generate: long-sum 20000
ALTER TABLE orders DROP COLUMN note;
