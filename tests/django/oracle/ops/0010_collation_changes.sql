BEGIN;
--
-- Remove collation german_phonebook
--
DROP COLLATION "german_phonebook";
--
-- Alter field code on ticket
--
ALTER TABLE "ops_ticket" ALTER COLUMN "code" TYPE varchar(20) COLLATE "ops_posix";
COMMIT;
