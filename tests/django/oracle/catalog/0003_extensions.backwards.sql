BEGIN;
--
-- Creates extension bloom
--
-- (no-op)
--
-- Creates extension btree_gist
--
-- (no-op)
--
-- Creates extension hstore
--
-- (no-op)
COMMIT;
