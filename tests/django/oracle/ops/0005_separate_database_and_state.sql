BEGIN;
--
-- Custom state/database change combination
--
-- (no-op)
--
-- Custom state/database change combination
--
ALTER TABLE ops_ticket ADD COLUMN resolved boolean DEFAULT false NOT NULL;
--
-- Custom state/database change combination
--
ALTER TABLE "ops_ticket" ADD COLUMN "assignee" varchar(100) NULL;
COMMIT;
