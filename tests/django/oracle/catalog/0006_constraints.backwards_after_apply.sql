BEGIN;
--
-- Create constraint catalog_promotion_has_start on model promotion
--
ALTER TABLE "catalog_promotion" DROP CONSTRAINT "catalog_promotion_has_start";
--
-- Create constraint catalog_promotion_days_per_name on model promotion
--
ALTER TABLE "catalog_promotion" DROP CONSTRAINT "catalog_promotion_days_per_name";
--
-- Create constraint catalog_product_release_category on model product
--
ALTER TABLE "catalog_product" DROP CONSTRAINT "catalog_product_release_category";
--
-- Create constraint catalog_product_lower_name_category on model product
--
DROP INDEX IF EXISTS "catalog_product_lower_name_category";
--
-- Create constraint catalog_product_contact_pattern on model product
--
DROP INDEX IF EXISTS "catalog_product_contact_pattern";
--
-- Create constraint catalog_product_homepage_deferred on model product
--
ALTER TABLE "catalog_product" DROP CONSTRAINT "catalog_product_homepage_deferred";
--
-- Create constraint catalog_product_public_id_cover on model product
--
DROP INDEX IF EXISTS "catalog_product_public_id_cover";
--
-- Create constraint catalog_product_active_code on model product
--
DROP INDEX IF EXISTS "catalog_product_active_code";
--
-- Create constraint catalog_product_unique_name_per_category on model product
--
ALTER TABLE "catalog_product" DROP CONSTRAINT "catalog_product_unique_name_per_category";
--
-- Create constraint catalog_product_release_recent on model product
--
ALTER TABLE "catalog_product" DROP CONSTRAINT "catalog_product_release_recent";
--
-- Create constraint catalog_product_stock_sane on model product
--
ALTER TABLE "catalog_product" DROP CONSTRAINT "catalog_product_stock_sane";
--
-- Create constraint catalog_product_price_non_negative on model product
--
ALTER TABLE "catalog_product" DROP CONSTRAINT "catalog_product_price_non_negative";
COMMIT;
