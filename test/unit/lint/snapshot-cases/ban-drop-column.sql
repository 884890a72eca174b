-- case: dropping a column others still read
ALTER TABLE users ADD COLUMN email_verified boolean, DROP COLUMN legacy_email;
