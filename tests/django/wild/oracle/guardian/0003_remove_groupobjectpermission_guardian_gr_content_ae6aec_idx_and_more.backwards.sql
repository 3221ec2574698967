BEGIN;
--
-- Create index guardian_us_user_id_8eae14_idx on field(s) user, content_type, object_pk of model userobjectpermission
--
DROP INDEX IF EXISTS "guardian_us_user_id_8eae14_idx";
--
-- Create index guardian_us_permiss_e5749c_idx on field(s) permission, user, content_type, object_pk of model userobjectpermission
--
DROP INDEX IF EXISTS "guardian_us_permiss_e5749c_idx";
--
-- Create index guardian_gr_group_i_9e7d12_idx on field(s) group, content_type, object_pk of model groupobjectpermission
--
DROP INDEX IF EXISTS "guardian_gr_group_i_9e7d12_idx";
--
-- Create index guardian_gr_permiss_83545c_idx on field(s) permission, group, content_type, object_pk of model groupobjectpermission
--
DROP INDEX IF EXISTS "guardian_gr_permiss_83545c_idx";
--
-- Remove index guardian_us_content_179ed2_idx from userobjectpermission
--
CREATE INDEX "guardian_us_content_179ed2_idx" ON "guardian_userobjectpermission" ("content_type_id", "object_pk");
--
-- Remove index guardian_gr_content_ae6aec_idx from groupobjectpermission
--
CREATE INDEX "guardian_gr_content_ae6aec_idx" ON "guardian_groupobjectpermission" ("content_type_id", "object_pk");
COMMIT;
