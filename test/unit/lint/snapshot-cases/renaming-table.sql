-- case: renaming a table others read
ALTER TABLE IF EXISTS app.customers RENAME TO clients;
