BEGIN;
--
-- Add field source_refresh_token to AccessToken
--
ALTER TABLE "oauth2_provider_accesstoken" DROP COLUMN "source_refresh_token_id" CASCADE;
--
-- Create model RefreshToken
--
DROP TABLE "oauth2_provider_refreshtoken" CASCADE;
--
-- Create model Grant
--
DROP TABLE "oauth2_provider_grant" CASCADE;
--
-- Create model AccessToken
--
DROP TABLE "oauth2_provider_accesstoken" CASCADE;
--
-- Create model Application
--
DROP TABLE "oauth2_provider_application" CASCADE;
COMMIT;
