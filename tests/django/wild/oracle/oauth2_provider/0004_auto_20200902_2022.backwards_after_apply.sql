BEGIN;
--
-- Add field claims to grant
--
ALTER TABLE "oauth2_provider_grant" DROP COLUMN "claims" CASCADE;
--
-- Add field nonce to grant
--
ALTER TABLE "oauth2_provider_grant" DROP COLUMN "nonce" CASCADE;
--
-- Add field id_token to accesstoken
--
SET CONSTRAINTS "oauth2_provider_acce_id_token_id_85db651b_fk_oauth2_pr" IMMEDIATE; ALTER TABLE "oauth2_provider_accesstoken" DROP CONSTRAINT "oauth2_provider_acce_id_token_id_85db651b_fk_oauth2_pr";
ALTER TABLE "oauth2_provider_accesstoken" DROP COLUMN "id_token_id" CASCADE;
--
-- Create model IDToken
--
DROP TABLE "oauth2_provider_idtoken" CASCADE;
--
-- Alter field authorization_grant_type on application
--
-- (no-op)
--
-- Add field algorithm to application
--
ALTER TABLE "oauth2_provider_application" DROP COLUMN "algorithm" CASCADE;
COMMIT;
