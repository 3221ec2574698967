BEGIN;
--
-- Create model TaggedItem
--
DROP TABLE "taggit_taggeditem" CASCADE;
--
-- Create model Tag
--
DROP TABLE "taggit_tag" CASCADE;
COMMIT;
