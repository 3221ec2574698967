BEGIN;
--
-- Create model AccessFailureLog
--
DROP TABLE "axes_accessfailurelog" CASCADE;
COMMIT;
