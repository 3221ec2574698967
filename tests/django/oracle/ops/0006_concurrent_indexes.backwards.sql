--
-- Concurrently remove index ops_ticket_created_idx from ticket
--
CREATE INDEX CONCURRENTLY "ops_ticket_created_idx" ON "ops_ticket" ("created");
--
-- Concurrently create index ops_ticket_body_trgm on field(s) body of model ticket
--
DROP INDEX CONCURRENTLY IF EXISTS "ops_ticket_body_trgm";
--
-- Concurrently create index ops_ticket_priority_idx on field(s) priority, -created of model ticket
--
DROP INDEX CONCURRENTLY IF EXISTS "ops_ticket_priority_idx";
