BEGIN;
--
-- Alter unique_together for accessattempt (1 constraint(s))
--
ALTER TABLE "axes_accessattempt" DROP CONSTRAINT "axes_accessattempt_username_ip_address_user_agent_8ea22282_uniq";
--
-- Raw Python operation
--
-- THIS OPERATION CANNOT BE WRITTEN AS SQL
COMMIT;
