BEGIN;
--
-- Add field solar to periodictask
--
SET CONSTRAINTS "django_celery_beat_p_solar_id_a87ce72c_fk_django_ce" IMMEDIATE; ALTER TABLE "django_celery_beat_periodictask" DROP CONSTRAINT "django_celery_beat_p_solar_id_a87ce72c_fk_django_ce";
ALTER TABLE "django_celery_beat_periodictask" DROP COLUMN "solar_id" CASCADE;
--
-- Create model SolarSchedule
--
DROP TABLE "django_celery_beat_solarschedule" CASCADE;
COMMIT;
