BEGIN;
--
-- Alter field email on emailaddress
--
ALTER TABLE "account_emailaddress" ADD CONSTRAINT "account_emailaddress_email_03be32b2_uniq" UNIQUE ("email");
CREATE INDEX "account_emailaddress_email_03be32b2_like" ON "account_emailaddress" ("email" varchar_pattern_ops);
COMMIT;
