BEGIN;
--
-- Add field clocked to periodictask
--
SET CONSTRAINTS "django_celery_beat_p_clocked_id_47a69f82_fk_django_ce" IMMEDIATE; ALTER TABLE "django_celery_beat_periodictask" DROP CONSTRAINT "django_celery_beat_p_clocked_id_47a69f82_fk_django_ce";
ALTER TABLE "django_celery_beat_periodictask" DROP COLUMN "clocked_id" CASCADE;
--
-- Create model ClockedSchedule
--
DROP TABLE "django_celery_beat_clockedschedule" CASCADE;
COMMIT;
