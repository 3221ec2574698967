BEGIN;
--
-- Add field price_with_tax to product
--
ALTER TABLE "catalog_product" DROP COLUMN "price_with_tax" CASCADE;
COMMIT;
