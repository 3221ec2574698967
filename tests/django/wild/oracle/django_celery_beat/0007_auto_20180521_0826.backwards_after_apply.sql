BEGIN;
--
-- Add field start_time to periodictask
--
ALTER TABLE "django_celery_beat_periodictask" DROP COLUMN "start_time" CASCADE;
--
-- Add field one_off to periodictask
--
ALTER TABLE "django_celery_beat_periodictask" DROP COLUMN "one_off" CASCADE;
COMMIT;
