BEGIN;
--
-- Create constraint unique_primary_email on model emailaddress
--
DROP INDEX IF EXISTS "unique_primary_email";
COMMIT;
