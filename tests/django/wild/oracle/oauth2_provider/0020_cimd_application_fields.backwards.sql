BEGIN;
--
-- Alter field client_id on application
--
ALTER TABLE "oauth2_provider_application" ALTER COLUMN "client_id" TYPE varchar(100);
--
-- Add field cimd_expires_at to application
--
ALTER TABLE "oauth2_provider_application" DROP COLUMN "cimd_expires_at" CASCADE;
COMMIT;
