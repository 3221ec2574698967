BEGIN;
--
-- Add field token_family to refreshtoken
--
ALTER TABLE "oauth2_provider_refreshtoken" DROP COLUMN "token_family" CASCADE;
COMMIT;
