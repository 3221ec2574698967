BEGIN;
--
-- Create model Ticket
--
DROP TABLE "ops_ticket" CASCADE;
--
-- Creates extension ltree
--
DROP EXTENSION IF EXISTS "ltree";
--
-- Creates extension unaccent
--
DROP EXTENSION IF EXISTS "unaccent";
--
-- Creates extension pg_trgm
--
DROP EXTENSION IF EXISTS "pg_trgm";
--
-- Creates extension pgcrypto
--
DROP EXTENSION IF EXISTS "pgcrypto";
--
-- Creates extension citext
--
DROP EXTENSION IF EXISTS "citext";
--
-- Creates extension btree_gin
--
DROP EXTENSION IF EXISTS "btree_gin";
COMMIT;
