BEGIN;
--
-- Create model Session
--
DROP TABLE "django_session" CASCADE;
COMMIT;
