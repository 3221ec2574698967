BEGIN;
--
-- Remove field enabled from clockedschedule
--
ALTER TABLE "django_celery_beat_clockedschedule" ADD COLUMN "enabled" boolean DEFAULT true NOT NULL;
ALTER TABLE "django_celery_beat_clockedschedule" ALTER COLUMN "enabled" DROP DEFAULT;
COMMIT;
