-- case: a misspelt environment
-- option: environments=local,staging,production
-- tidemark:environments prodution, staging,qa
INSERT INTO dbs VALUES (1);
