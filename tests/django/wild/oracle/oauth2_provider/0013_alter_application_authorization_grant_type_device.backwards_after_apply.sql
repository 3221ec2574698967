BEGIN;
--
-- Create model DeviceGrant
--
DROP TABLE "oauth2_provider_devicegrant" CASCADE;
--
-- Alter field authorization_grant_type on application
--
ALTER TABLE "oauth2_provider_application" ALTER COLUMN "authorization_grant_type" TYPE varchar(32);
COMMIT;
