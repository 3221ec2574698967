BEGIN;
--
-- Add field throttling_failure_timestamp to hotpdevice
--
ALTER TABLE "otp_hotp_hotpdevice" DROP COLUMN "throttling_failure_timestamp" CASCADE;
--
-- Add field throttling_failure_count to hotpdevice
--
ALTER TABLE "otp_hotp_hotpdevice" DROP COLUMN "throttling_failure_count" CASCADE;
COMMIT;
