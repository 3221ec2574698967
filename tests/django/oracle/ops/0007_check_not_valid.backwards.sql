BEGIN;
--
-- Create not valid constraint ops_ticket_priority_gte_0 on model ticket
--
ALTER TABLE "ops_ticket" DROP CONSTRAINT "ops_ticket_priority_gte_0";
COMMIT;
