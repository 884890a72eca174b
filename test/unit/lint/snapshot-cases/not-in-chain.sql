-- case: a Drizzle file the journal does not list
-- file: drizzle/0000_stale.sql
CREATE TABLE b (id int);
-- file: drizzle/0000_init.sql
CREATE TABLE a (id int);
-- file: drizzle/meta/_journal.json
{"version":"7","dialect":"postgresql","entries":[{"idx":0,"version":"7","when":1,"tag":"0000_init","breakpoints":true}]}
