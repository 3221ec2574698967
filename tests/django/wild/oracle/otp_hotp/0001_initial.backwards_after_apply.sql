BEGIN;
--
-- Create model HOTPDevice
--
DROP TABLE "otp_hotp_hotpdevice" CASCADE;
COMMIT;
