BEGIN;
--
-- Add field labels to ticket
--
ALTER TABLE "ops_ticket" ADD COLUMN "labels" varchar(30)[] DEFAULT '{}' NOT NULL;
ALTER TABLE "ops_ticket" ALTER COLUMN "labels" DROP DEFAULT;
--
-- Create index ops_ticket_labels_gin on field(s) labels of model ticket
--
CREATE INDEX "ops_ticket_labels_gin" ON "ops_ticket" USING gin ("labels");
COMMIT;
