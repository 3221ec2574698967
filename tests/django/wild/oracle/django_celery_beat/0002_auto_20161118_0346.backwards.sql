BEGIN;
--
-- Add field solar to periodictask
--
ALTER TABLE "django_celery_beat_periodictask" DROP COLUMN "solar_id" CASCADE;
--
-- Create model SolarSchedule
--
DROP TABLE "django_celery_beat_solarschedule" CASCADE;
COMMIT;
