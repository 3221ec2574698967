BEGIN;
--
-- Alter field email on emailaddress
--
DROP INDEX IF EXISTS "unique_verified_email";
--
-- Remove index account_emailaddress_upper from emailaddress
--
CREATE INDEX "account_emailaddress_upper" ON "account_emailaddress" ((UPPER("email")));
COMMIT;
