BEGIN;
--
-- Remove field enabled from clockedschedule
--
ALTER TABLE "django_celery_beat_clockedschedule" DROP COLUMN "enabled" CASCADE;
COMMIT;
