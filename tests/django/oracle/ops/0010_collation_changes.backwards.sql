BEGIN;
--
-- Alter field code on ticket
--
ALTER TABLE "ops_ticket" ALTER COLUMN "code" TYPE varchar(20) COLLATE "case_insensitive";
--
-- Remove collation german_phonebook
--
CREATE COLLATION "german_phonebook" (locale="de-u-co-phonebk", provider="icu");
COMMIT;
