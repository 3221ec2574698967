BEGIN;
--
-- Creates extension bloom
--
DROP EXTENSION IF EXISTS "bloom";
--
-- Creates extension btree_gist
--
DROP EXTENSION IF EXISTS "btree_gist";
--
-- Creates extension hstore
--
DROP EXTENSION IF EXISTS "hstore";
COMMIT;
