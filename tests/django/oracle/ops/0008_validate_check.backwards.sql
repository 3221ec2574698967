BEGIN;
--
-- Validate constraint ops_ticket_priority_gte_0 on model ticket
--
-- (no-op)
COMMIT;
