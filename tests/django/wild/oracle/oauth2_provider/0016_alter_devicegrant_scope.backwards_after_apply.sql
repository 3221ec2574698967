BEGIN;
--
-- Alter field scope on devicegrant
--
ALTER TABLE "oauth2_provider_devicegrant" ALTER COLUMN "scope" TYPE varchar(64) USING "scope"::varchar(64), ALTER COLUMN "scope" DROP NOT NULL;
COMMIT;
