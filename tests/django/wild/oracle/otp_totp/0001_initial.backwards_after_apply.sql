BEGIN;
--
-- Create model TOTPDevice
--
DROP TABLE "otp_totp_totpdevice" CASCADE;
COMMIT;
