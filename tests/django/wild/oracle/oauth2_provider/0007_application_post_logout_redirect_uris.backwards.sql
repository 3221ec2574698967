BEGIN;
--
-- Add field post_logout_redirect_uris to application
--
ALTER TABLE "oauth2_provider_application" DROP COLUMN "post_logout_redirect_uris" CASCADE;
COMMIT;
