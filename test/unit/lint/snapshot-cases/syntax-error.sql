-- case: a typo
CREATE TABEL users (id bigint);
SELECT 1;
