BEGIN;
--
-- Add field allowed_origins to application
--
ALTER TABLE "oauth2_provider_application" DROP COLUMN "allowed_origins" CASCADE;
COMMIT;
