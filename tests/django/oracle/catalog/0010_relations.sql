BEGIN;
--
-- Add field price_with_tax to product
--
ALTER TABLE "catalog_product" ADD COLUMN "price_with_tax" numeric(14, 4) GENERATED ALWAYS AS (("price" * 1.2)) STORED;
COMMIT;
