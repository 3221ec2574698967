BEGIN;
--
-- Create model Switch
--
DROP TABLE "waffle_switch" CASCADE;
--
-- Create model Sample
--
DROP TABLE "waffle_sample" CASCADE;
--
-- Create model Flag
--
DROP TABLE "waffle_flag_groups" CASCADE;
DROP TABLE "waffle_flag_users" CASCADE;
DROP TABLE "waffle_flag" CASCADE;
COMMIT;
