BEGIN;
--
-- Add field expire_seconds to periodictask
--
ALTER TABLE "django_celery_beat_periodictask" DROP COLUMN "expire_seconds" CASCADE;
COMMIT;
