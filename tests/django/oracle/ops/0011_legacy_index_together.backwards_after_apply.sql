BEGIN;
--
-- Alter index_together for ticket (1 constraint(s))
--
DROP INDEX IF EXISTS "ops_ticket_priority_created_aa83c1e2_idx";
COMMIT;
