BEGIN;
--
-- Alter index_together for ticket (0 constraint(s))
--
CREATE INDEX "ops_ticket_priority_created_aa83c1e2_idx" ON "ops_ticket" ("priority", "created");
COMMIT;
