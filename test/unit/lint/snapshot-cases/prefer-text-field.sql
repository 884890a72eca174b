-- case: varchar(n) columns
CREATE TABLE users (email varchar(255) NOT NULL, name CHARACTER VARYING (100), tags varchar(20)[]);

-- case: a Prisma migration: the fix names the schema change
-- file: prisma/migrations/20240101000000_init/migration.sql
CREATE TABLE "User" ("id" BIGINT NOT NULL, "email" VARCHAR(255) NOT NULL);
