BEGIN;
--
-- Add field warranty to product
--
ALTER TABLE "catalog_product" DROP COLUMN "warranty" CASCADE;
--
-- Add field thumbnail to product
--
ALTER TABLE "catalog_product" DROP COLUMN "thumbnail" CASCADE;
--
-- Add field spec_sheet to product
--
ALTER TABLE "catalog_product" DROP COLUMN "spec_sheet" CASCADE;
--
-- Add field rating to product
--
ALTER TABLE "catalog_product" DROP COLUMN "rating" CASCADE;
--
-- Add field public_id to product
--
ALTER TABLE "catalog_product" DROP COLUMN "public_id" CASCADE;
--
-- Add field manual to product
--
ALTER TABLE "catalog_product" DROP COLUMN "manual" CASCADE;
--
-- Add field homepage to product
--
ALTER TABLE "catalog_product" DROP COLUMN "homepage" CASCADE;
--
-- Add field first_listed to product
--
ALTER TABLE "catalog_product" DROP COLUMN "first_listed" CASCADE;
--
-- Add field contact_email to product
--
ALTER TABLE "catalog_product" DROP COLUMN "contact_email" CASCADE;
--
-- Add field code to product
--
ALTER TABLE "catalog_product" DROP COLUMN "code" CASCADE;
--
-- Add field available_from to product
--
ALTER TABLE "catalog_product" DROP COLUMN "available_from" CASCADE;
COMMIT;
