BEGIN;
--
-- Add field hash_client_secret to application
--
ALTER TABLE "oauth2_provider_application" DROP COLUMN "hash_client_secret" CASCADE;
COMMIT;
