--
-- Concurrently create index ops_ticket_priority_idx on field(s) priority, -created of model ticket
--
CREATE INDEX CONCURRENTLY "ops_ticket_priority_idx" ON "ops_ticket" ("priority", "created" DESC);
--
-- Concurrently create index ops_ticket_body_trgm on field(s) body of model ticket
--
CREATE INDEX CONCURRENTLY "ops_ticket_body_trgm" ON "ops_ticket" USING gin ("body" gin_trgm_ops);
--
-- Concurrently remove index ops_ticket_created_idx from ticket
--
DROP INDEX CONCURRENTLY IF EXISTS "ops_ticket_created_idx";
