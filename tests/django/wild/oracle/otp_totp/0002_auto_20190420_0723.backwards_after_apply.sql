BEGIN;
--
-- Add field throttling_failure_timestamp to totpdevice
--
ALTER TABLE "otp_totp_totpdevice" DROP COLUMN "throttling_failure_timestamp" CASCADE;
--
-- Add field throttling_failure_count to totpdevice
--
ALTER TABLE "otp_totp_totpdevice" DROP COLUMN "throttling_failure_count" CASCADE;
COMMIT;
