BEGIN;
--
-- Add field headers to periodictask
--
ALTER TABLE "django_celery_beat_periodictask" DROP COLUMN "headers" CASCADE;
COMMIT;
