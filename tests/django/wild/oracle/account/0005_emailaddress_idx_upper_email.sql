BEGIN;
--
-- Create index account_emailaddress_upper on Upper(F(email)) on model emailaddress
--
CREATE INDEX "account_emailaddress_upper" ON "account_emailaddress" ((UPPER("email")));
COMMIT;
