BEGIN;
--
-- Add field last_used_at to staticdevice
--
ALTER TABLE "otp_static_staticdevice" DROP COLUMN "last_used_at" CASCADE;
--
-- Add field created_at to staticdevice
--
ALTER TABLE "otp_static_staticdevice" DROP COLUMN "created_at" CASCADE;
COMMIT;
