BEGIN;
--
-- Alter unique_together for groupobjectpermission (1 constraint(s))
--
ALTER TABLE "guardian_groupobjectpermission" DROP CONSTRAINT "guardian_groupobjectperm_group_id_permission_id_o_3f189f7c_uniq";
--
-- Alter unique_together for userobjectpermission (1 constraint(s))
--
ALTER TABLE "guardian_userobjectpermission" DROP CONSTRAINT "guardian_userobjectpermi_user_id_permission_id_ob_b0b3d2fc_uniq";
--
-- Create model UserObjectPermission
--
DROP TABLE "guardian_userobjectpermission" CASCADE;
--
-- Create model GroupObjectPermission
--
DROP TABLE "guardian_groupobjectpermission" CASCADE;
COMMIT;
