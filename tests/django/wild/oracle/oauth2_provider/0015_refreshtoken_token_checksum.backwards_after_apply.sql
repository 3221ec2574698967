BEGIN;
--
-- Alter unique_together for refreshtoken (1 constraint(s))
--
ALTER TABLE "oauth2_provider_refreshtoken" DROP CONSTRAINT "oauth2_provider_refresht_token_checksum_revoked_46c81d1d_uniq";
--
-- Alter field token_checksum on refreshtoken
--
ALTER TABLE "oauth2_provider_refreshtoken" ALTER COLUMN "token_checksum" DROP NOT NULL;
--
-- Raw Python operation
--
-- THIS OPERATION CANNOT BE WRITTEN AS SQL
--
-- Alter field token on refreshtoken
--
ALTER TABLE "oauth2_provider_refreshtoken" ALTER COLUMN "token" TYPE varchar(255) USING "token"::varchar(255);
--
-- Alter unique_together for refreshtoken (0 constraint(s))
--
ALTER TABLE "oauth2_provider_refreshtoken" ADD CONSTRAINT "oauth2_provider_refreshtoken_token_revoked_af8a5134_uniq" UNIQUE ("token", "revoked");
--
-- Add field token_checksum to refreshtoken
--
ALTER TABLE "oauth2_provider_refreshtoken" DROP COLUMN "token_checksum" CASCADE;
COMMIT;
