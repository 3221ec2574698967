BEGIN;
--
-- Create model AccessAttemptExpiration
--
DROP TABLE "axes_accessattemptexpiration" CASCADE;
COMMIT;
