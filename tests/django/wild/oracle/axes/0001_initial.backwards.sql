BEGIN;
--
-- Create model AccessLog
--
DROP TABLE "axes_accesslog" CASCADE;
--
-- Create model AccessAttempt
--
DROP TABLE "axes_accessattempt" CASCADE;
COMMIT;
