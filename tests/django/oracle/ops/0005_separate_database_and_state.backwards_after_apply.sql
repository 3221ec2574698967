BEGIN;
--
-- Custom state/database change combination
--
ALTER TABLE "ops_ticket" DROP COLUMN "assignee" CASCADE;
--
-- Custom state/database change combination
--
ALTER TABLE ops_ticket DROP COLUMN resolved;
--
-- Custom state/database change combination
--
-- (no-op)
COMMIT;
