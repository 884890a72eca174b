-- case: a UNIQUE constraint that builds its index under ACCESS EXCLUSIVE
ALTER TABLE users ADD CONSTRAINT users_email_key UNIQUE (email);

-- case: a column added with UNIQUE
ALTER TABLE users ADD COLUMN handle text UNIQUE;
