BEGIN;
--
-- Add field throttling_failure_count to hotpdevice
--
ALTER TABLE "otp_hotp_hotpdevice" ADD COLUMN "throttling_failure_count" integer DEFAULT 0 NOT NULL CHECK ("throttling_failure_count" >= 0);
ALTER TABLE "otp_hotp_hotpdevice" ALTER COLUMN "throttling_failure_count" DROP DEFAULT;
--
-- Add field throttling_failure_timestamp to hotpdevice
--
ALTER TABLE "otp_hotp_hotpdevice" ADD COLUMN "throttling_failure_timestamp" timestamp with time zone NULL;
COMMIT;
