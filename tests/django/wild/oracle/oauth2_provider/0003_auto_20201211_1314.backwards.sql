BEGIN;
--
-- Alter field redirect_uri on grant
--
ALTER TABLE "oauth2_provider_grant" ALTER COLUMN "redirect_uri" TYPE varchar(255) USING "redirect_uri"::varchar(255);
COMMIT;
