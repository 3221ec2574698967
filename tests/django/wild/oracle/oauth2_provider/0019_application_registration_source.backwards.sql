BEGIN;
--
-- Remove field dcr_created from application
--
ALTER TABLE "oauth2_provider_application" ADD COLUMN "dcr_created" boolean DEFAULT false NOT NULL;
ALTER TABLE "oauth2_provider_application" ALTER COLUMN "dcr_created" DROP DEFAULT;
--
-- Raw Python operation
--
-- THIS OPERATION CANNOT BE WRITTEN AS SQL
--
-- Add field registration_source to application
--
ALTER TABLE "oauth2_provider_application" DROP COLUMN "registration_source" CASCADE;
COMMIT;
