BEGIN;
--
-- Add field price_with_tax to product
--
ALTER TABLE "catalog_product" DROP COLUMN "price_with_tax" CASCADE;
--
-- Rename field related on product to similar_products
--
ALTER TABLE "catalog_product_similar_products" RENAME TO "catalog_product_related";
COMMIT;
