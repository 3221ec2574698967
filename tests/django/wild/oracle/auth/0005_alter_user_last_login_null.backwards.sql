BEGIN;
--
-- Alter field last_login on user
--
ALTER TABLE "auth_user" ALTER COLUMN "last_login" SET DEFAULT '2026-01-01 00:00:00+00:00'::timestamptz;
UPDATE "auth_user" SET "last_login" = '2026-01-01 00:00:00+00:00'::timestamptz WHERE "last_login" IS NULL; SET CONSTRAINTS ALL IMMEDIATE;
ALTER TABLE "auth_user" ALTER COLUMN "last_login" SET NOT NULL;
ALTER TABLE "auth_user" ALTER COLUMN "last_login" DROP DEFAULT;
COMMIT;
