BEGIN;
--
-- Create not valid constraint ops_ticket_priority_gte_0 on model ticket
--
ALTER TABLE "ops_ticket" ADD CONSTRAINT "ops_ticket_priority_gte_0" CHECK ("priority" >= 0) NOT VALID;
COMMIT;
