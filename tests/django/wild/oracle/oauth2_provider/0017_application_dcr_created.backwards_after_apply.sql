BEGIN;
--
-- Add field dcr_created to application
--
ALTER TABLE "oauth2_provider_application" DROP COLUMN "dcr_created" CASCADE;
COMMIT;
