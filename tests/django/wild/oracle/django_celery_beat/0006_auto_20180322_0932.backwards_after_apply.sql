BEGIN;
--
-- Alter field minute on crontabschedule
--
ALTER TABLE "django_celery_beat_crontabschedule" ALTER COLUMN "minute" TYPE varchar(64);
--
-- Alter field hour on crontabschedule
--
ALTER TABLE "django_celery_beat_crontabschedule" ALTER COLUMN "hour" TYPE varchar(64);
--
-- Alter field day_of_month on crontabschedule
--
ALTER TABLE "django_celery_beat_crontabschedule" ALTER COLUMN "day_of_month" TYPE varchar(64);
--
-- Add field timezone to crontabschedule
--
ALTER TABLE "django_celery_beat_crontabschedule" DROP COLUMN "timezone" CASCADE;
--
-- Change Meta options on crontabschedule
--
-- (no-op)
COMMIT;
