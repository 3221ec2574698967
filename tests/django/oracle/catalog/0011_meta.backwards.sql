BEGIN;
--
-- Rename table for tag to catalog_tags
--
ALTER TABLE "catalog_tags" RENAME TO "catalog_tag";
--
-- Rename table for category to catalog_categories
--
ALTER TABLE "catalog_categories" RENAME TO "catalog_category";
--
-- Alter constraint catalog_product_stock_sane on product
--
-- (no-op)
--
-- Alter field stock on product
--
ALTER TABLE "catalog_product" ALTER COLUMN "stock" TYPE integer;
COMMENT ON COLUMN "catalog_product"."stock" IS '';
--
-- Alter product table comment
--
COMMENT ON TABLE "catalog_product" IS 'Everything we sell';
--
-- Change managers on product
--
-- (no-op)
--
-- Change Meta options on category
--
-- (no-op)
COMMIT;
