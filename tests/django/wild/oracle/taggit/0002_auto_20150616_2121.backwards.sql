BEGIN;
--
-- Create index taggit_tagg_content_8fc721_idx on field(s) content_type, object_id of model taggeditem
--
DROP INDEX IF EXISTS "taggit_tagg_content_8fc721_idx";
COMMIT;
