BEGIN;
--
-- Add field resource to refreshtoken
--
ALTER TABLE "oauth2_provider_refreshtoken" DROP COLUMN "resource" CASCADE;
--
-- Add field resource to grant
--
ALTER TABLE "oauth2_provider_grant" DROP COLUMN "resource" CASCADE;
--
-- Add field resource to accesstoken
--
ALTER TABLE "oauth2_provider_accesstoken" DROP COLUMN "resource" CASCADE;
COMMIT;
