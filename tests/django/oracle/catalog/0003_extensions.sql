BEGIN;
--
-- Creates extension hstore
--
CREATE EXTENSION IF NOT EXISTS "hstore";
--
-- Creates extension btree_gist
--
CREATE EXTENSION IF NOT EXISTS "btree_gist";
--
-- Creates extension bloom
--
CREATE EXTENSION IF NOT EXISTS "bloom";
COMMIT;
