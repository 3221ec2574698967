BEGIN;
--
-- Remove field trusted from accesslog
--
ALTER TABLE "axes_accesslog" DROP COLUMN "trusted" CASCADE;
COMMIT;
