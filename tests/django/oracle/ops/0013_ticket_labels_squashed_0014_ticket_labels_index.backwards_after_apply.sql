BEGIN;
--
-- Create index ops_ticket_labels_gin on field(s) labels of model ticket
--
DROP INDEX IF EXISTS "ops_ticket_labels_gin";
--
-- Add field labels to ticket
--
ALTER TABLE "ops_ticket" DROP COLUMN "labels" CASCADE;
COMMIT;
