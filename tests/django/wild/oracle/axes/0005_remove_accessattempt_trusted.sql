BEGIN;
--
-- Remove field trusted from accessattempt
--
ALTER TABLE "axes_accessattempt" DROP COLUMN "trusted" CASCADE;
COMMIT;
