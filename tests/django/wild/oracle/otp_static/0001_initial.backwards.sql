BEGIN;
--
-- Create model StaticToken
--
DROP TABLE "otp_static_statictoken" CASCADE;
--
-- Create model StaticDevice
--
DROP TABLE "otp_static_staticdevice" CASCADE;
COMMIT;
