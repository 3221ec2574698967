BEGIN;
--
-- Alter field token_checksum on accesstoken
--
ALTER TABLE "oauth2_provider_accesstoken" ALTER COLUMN "token_checksum" DROP NOT NULL;
DROP INDEX IF EXISTS "oauth2_provider_accesstoken_token_checksum_85319a26_like";
--
-- Raw Python operation
--
-- THIS OPERATION CANNOT BE WRITTEN AS SQL
--
-- Alter field token on accesstoken
--
ALTER TABLE "oauth2_provider_accesstoken" ALTER COLUMN "token" TYPE varchar(255) USING "token"::varchar(255);
ALTER TABLE "oauth2_provider_accesstoken" ADD CONSTRAINT "oauth2_provider_accesstoken_token_8af090f8_uniq" UNIQUE ("token");
CREATE INDEX "oauth2_provider_accesstoken_token_8af090f8_like" ON "oauth2_provider_accesstoken" ("token" varchar_pattern_ops);
--
-- Add field token_checksum to accesstoken
--
ALTER TABLE "oauth2_provider_accesstoken" DROP COLUMN "token_checksum" CASCADE;
COMMIT;
