BEGIN;
--
-- Add field code to ticket
--
ALTER TABLE "ops_ticket" DROP COLUMN "code" CASCADE;
--
-- Create collation ops_posix
--
DROP COLLATION "ops_posix";
--
-- Create collation german_phonebook
--
DROP COLLATION "german_phonebook";
--
-- Create collation case_insensitive
--
DROP COLLATION "case_insensitive";
COMMIT;
