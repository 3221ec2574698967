BEGIN;
--
-- Add field code_challenge_method to grant
--
ALTER TABLE "oauth2_provider_grant" DROP COLUMN "code_challenge_method" CASCADE;
--
-- Add field code_challenge to grant
--
ALTER TABLE "oauth2_provider_grant" DROP COLUMN "code_challenge" CASCADE;
COMMIT;
