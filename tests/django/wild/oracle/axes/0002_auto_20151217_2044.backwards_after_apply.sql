BEGIN;
--
-- Alter field username on accesslog
--
DROP INDEX IF EXISTS "axes_accesslog_username_df93064b";
DROP INDEX IF EXISTS "axes_accesslog_username_df93064b_like";
--
-- Alter field user_agent on accesslog
--
DROP INDEX IF EXISTS "axes_accesslog_user_agent_0e659004";
DROP INDEX IF EXISTS "axes_accesslog_user_agent_0e659004_like";
--
-- Alter field trusted on accesslog
--
DROP INDEX IF EXISTS "axes_accesslog_trusted_496c5681";
--
-- Alter field ip_address on accesslog
--
DROP INDEX IF EXISTS "axes_accesslog_ip_address_86b417e5";
--
-- Alter field username on accessattempt
--
DROP INDEX IF EXISTS "axes_accessattempt_username_3f2d4ca0";
DROP INDEX IF EXISTS "axes_accessattempt_username_3f2d4ca0_like";
--
-- Alter field user_agent on accessattempt
--
DROP INDEX IF EXISTS "axes_accessattempt_user_agent_ad89678b";
DROP INDEX IF EXISTS "axes_accessattempt_user_agent_ad89678b_like";
--
-- Alter field trusted on accessattempt
--
DROP INDEX IF EXISTS "axes_accessattempt_trusted_0eddf52e";
--
-- Alter field ip_address on accessattempt
--
DROP INDEX IF EXISTS "axes_accessattempt_ip_address_10922d9c";
COMMIT;
