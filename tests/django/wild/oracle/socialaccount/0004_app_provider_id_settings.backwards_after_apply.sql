BEGIN;
--
-- Alter field provider on socialaccount
--
ALTER TABLE "socialaccount_socialaccount" ALTER COLUMN "provider" TYPE varchar(30);
--
-- Add field settings to socialapp
--
ALTER TABLE "socialaccount_socialapp" DROP COLUMN "settings" CASCADE;
--
-- Add field provider_id to socialapp
--
ALTER TABLE "socialaccount_socialapp" DROP COLUMN "provider_id" CASCADE;
COMMIT;
