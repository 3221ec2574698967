BEGIN;
--
-- Add field throttling_failure_timestamp to staticdevice
--
ALTER TABLE "otp_static_staticdevice" DROP COLUMN "throttling_failure_timestamp" CASCADE;
--
-- Add field throttling_failure_count to staticdevice
--
ALTER TABLE "otp_static_staticdevice" DROP COLUMN "throttling_failure_count" CASCADE;
COMMIT;
