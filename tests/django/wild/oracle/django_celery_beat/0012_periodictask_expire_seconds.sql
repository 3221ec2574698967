BEGIN;
--
-- Add field expire_seconds to periodictask
--
ALTER TABLE "django_celery_beat_periodictask" ADD COLUMN "expire_seconds" integer NULL CHECK ("expire_seconds" >= 0);
COMMIT;
