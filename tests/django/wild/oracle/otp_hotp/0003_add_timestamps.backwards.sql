BEGIN;
--
-- Add field last_used_at to hotpdevice
--
ALTER TABLE "otp_hotp_hotpdevice" DROP COLUMN "last_used_at" CASCADE;
--
-- Add field created_at to hotpdevice
--
ALTER TABLE "otp_hotp_hotpdevice" DROP COLUMN "created_at" CASCADE;
COMMIT;
