BEGIN;
--
-- Create collation case_insensitive
--
CREATE COLLATION "case_insensitive" (locale="und-u-ks-level2", provider="icu", deterministic=false);
--
-- Create collation german_phonebook
--
CREATE COLLATION "german_phonebook" (locale="de-u-co-phonebk", provider="icu");
--
-- Create collation ops_posix
--
CREATE COLLATION "ops_posix" (locale="C");
--
-- Add field code to ticket
--
ALTER TABLE "ops_ticket" ADD COLUMN "code" varchar(20) COLLATE "case_insensitive" DEFAULT '' NOT NULL;
ALTER TABLE "ops_ticket" ALTER COLUMN "code" DROP DEFAULT;
COMMIT;
