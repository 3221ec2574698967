BEGIN;
--
-- Change Meta options on category
--
-- (no-op)
--
-- Change managers on product
--
-- (no-op)
--
-- Alter product table comment
--
COMMENT ON TABLE "catalog_product" IS 'Everything we sell, active or not';
--
-- Alter field stock on product
--
ALTER TABLE "catalog_product" ALTER COLUMN "stock" TYPE integer;
COMMENT ON COLUMN "catalog_product"."stock" IS 'Units in the warehouse';
--
-- Alter constraint catalog_product_stock_sane on product
--
-- (no-op)
--
-- Rename table for category to catalog_categories
--
ALTER TABLE "catalog_category" RENAME TO "catalog_categories";
--
-- Rename table for tag to catalog_tags
--
ALTER TABLE "catalog_tag" RENAME TO "catalog_tags";
COMMIT;
