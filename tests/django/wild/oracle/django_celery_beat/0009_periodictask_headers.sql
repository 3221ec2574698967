BEGIN;
--
-- Add field headers to periodictask
--
ALTER TABLE "django_celery_beat_periodictask" ADD COLUMN "headers" text DEFAULT '{}' NOT NULL;
ALTER TABLE "django_celery_beat_periodictask" ALTER COLUMN "headers" DROP DEFAULT;
COMMIT;
