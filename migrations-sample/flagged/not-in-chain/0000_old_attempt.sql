ALTER TABLE "users" ADD COLUMN IF NOT EXISTS "nickname" text;
