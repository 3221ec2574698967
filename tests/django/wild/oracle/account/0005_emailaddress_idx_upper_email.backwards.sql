BEGIN;
--
-- Create index account_emailaddress_upper on Upper(F(email)) on model emailaddress
--
DROP INDEX IF EXISTS "account_emailaddress_upper";
COMMIT;
