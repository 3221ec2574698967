BEGIN;
--
-- Add field last_used_at to totpdevice
--
ALTER TABLE "otp_totp_totpdevice" DROP COLUMN "last_used_at" CASCADE;
--
-- Add field created_at to totpdevice
--
ALTER TABLE "otp_totp_totpdevice" DROP COLUMN "created_at" CASCADE;
COMMIT;
