BEGIN;
--
-- Add field created_at to hotpdevice
--
ALTER TABLE "otp_hotp_hotpdevice" ADD COLUMN "created_at" timestamp with time zone DEFAULT '2026-01-01 00:00:00+00:00'::timestamptz NULL;
ALTER TABLE "otp_hotp_hotpdevice" ALTER COLUMN "created_at" DROP DEFAULT;
--
-- Add field last_used_at to hotpdevice
--
ALTER TABLE "otp_hotp_hotpdevice" ADD COLUMN "last_used_at" timestamp with time zone NULL;
COMMIT;
