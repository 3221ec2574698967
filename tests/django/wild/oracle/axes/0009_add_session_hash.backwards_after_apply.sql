BEGIN;
--
-- Add field session_hash to accesslog
--
ALTER TABLE "axes_accesslog" DROP COLUMN "session_hash" CASCADE;
COMMIT;
