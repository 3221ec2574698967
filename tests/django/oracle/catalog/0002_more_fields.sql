BEGIN;
--
-- Add field available_from to product
--
ALTER TABLE "catalog_product" ADD COLUMN "available_from" time NULL;
--
-- Add field code to product
--
ALTER TABLE "catalog_product" ADD COLUMN "code" varchar(40) DEFAULT '' NOT NULL;
--
-- Add field contact_email to product
--
ALTER TABLE "catalog_product" ADD COLUMN "contact_email" varchar(254) DEFAULT 'sales@example.com' NOT NULL;
ALTER TABLE "catalog_product" ALTER COLUMN "contact_email" DROP DEFAULT;
--
-- Add field first_listed to product
--
ALTER TABLE "catalog_product" ADD COLUMN "first_listed" timestamp with time zone DEFAULT '2026-01-01 00:00:00+00:00'::timestamptz NOT NULL;
ALTER TABLE "catalog_product" ALTER COLUMN "first_listed" DROP DEFAULT;
--
-- Add field homepage to product
--
ALTER TABLE "catalog_product" ADD COLUMN "homepage" varchar(200) DEFAULT '' NOT NULL;
ALTER TABLE "catalog_product" ALTER COLUMN "homepage" DROP DEFAULT;
--
-- Add field manual to product
--
ALTER TABLE "catalog_product" ADD COLUMN "manual" varchar(100) DEFAULT '' NOT NULL;
ALTER TABLE "catalog_product" ALTER COLUMN "manual" DROP DEFAULT;
--
-- Add field public_id to product
--
ALTER TABLE "catalog_product" ADD COLUMN "public_id" uuid DEFAULT '18f7d6b5022d43ae840541a25dd02027'::uuid NOT NULL;
ALTER TABLE "catalog_product" ALTER COLUMN "public_id" DROP DEFAULT;
--
-- Add field rating to product
--
ALTER TABLE "catalog_product" ADD COLUMN "rating" smallint DEFAULT 3 NOT NULL;
--
-- Add field spec_sheet to product
--
ALTER TABLE "catalog_product" ADD COLUMN "spec_sheet" varchar(100) DEFAULT '' NOT NULL;
ALTER TABLE "catalog_product" ALTER COLUMN "spec_sheet" DROP DEFAULT;
--
-- Add field thumbnail to product
--
ALTER TABLE "catalog_product" ADD COLUMN "thumbnail" bytea NULL;
--
-- Add field warranty to product
--
ALTER TABLE "catalog_product" ADD COLUMN "warranty" interval NULL;
CREATE INDEX "catalog_product_code_e2e89c4b" ON "catalog_product" ("code");
CREATE INDEX "catalog_product_code_e2e89c4b_like" ON "catalog_product" ("code" varchar_pattern_ops);
COMMIT;
