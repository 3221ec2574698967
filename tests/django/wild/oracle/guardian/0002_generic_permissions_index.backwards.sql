BEGIN;
--
-- Create index guardian_us_content_179ed2_idx on field(s) content_type, object_pk of model userobjectpermission
--
DROP INDEX IF EXISTS "guardian_us_content_179ed2_idx";
--
-- Create index guardian_gr_content_ae6aec_idx on field(s) content_type, object_pk of model groupobjectpermission
--
DROP INDEX IF EXISTS "guardian_gr_content_ae6aec_idx";
COMMIT;
