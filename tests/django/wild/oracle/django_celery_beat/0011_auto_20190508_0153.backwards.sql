BEGIN;
--
-- Add field clocked to periodictask
--
ALTER TABLE "django_celery_beat_periodictask" DROP COLUMN "clocked_id" CASCADE;
--
-- Create model ClockedSchedule
--
DROP TABLE "django_celery_beat_clockedschedule" CASCADE;
COMMIT;
