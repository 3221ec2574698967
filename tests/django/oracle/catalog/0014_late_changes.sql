BEGIN;
--
-- Rename field related on product to similar_products
--
ALTER TABLE "catalog_product_related" RENAME TO "catalog_product_similar_products";
--
-- Add field price_with_tax to product
--
ALTER TABLE "catalog_product" ADD COLUMN "price_with_tax" numeric(14, 4) GENERATED ALWAYS AS (("price" * 1.25)) STORED;
COMMIT;
