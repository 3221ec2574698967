BEGIN;
--
-- Create model Promotion
--
DROP TABLE "catalog_promotion" CASCADE;
--
-- Add field extra to product
--
ALTER TABLE "catalog_product" DROP COLUMN "extra" CASCADE;
--
-- Add field dimensions_mm to product
--
ALTER TABLE "catalog_product" DROP COLUMN "dimensions_mm" CASCADE;
COMMIT;
