BEGIN;
--
-- Add field priority to periodictask
--
ALTER TABLE "django_celery_beat_periodictask" DROP COLUMN "priority" CASCADE;
COMMIT;
