BEGIN;
--
-- Create index reversion_v_content_f95daf_idx on field(s) content_type, db of model version
--
DROP INDEX IF EXISTS "reversion_v_content_f95daf_idx";
COMMIT;
