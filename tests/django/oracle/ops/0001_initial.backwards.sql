BEGIN;
--
-- Create model Ticket
--
DROP TABLE "ops_ticket" CASCADE;
--
-- Creates extension ltree
--
-- (no-op)
--
-- Creates extension unaccent
--
-- (no-op)
--
-- Creates extension pg_trgm
--
-- (no-op)
--
-- Creates extension pgcrypto
--
-- (no-op)
--
-- Creates extension citext
--
-- (no-op)
--
-- Creates extension btree_gin
--
-- (no-op)
COMMIT;
