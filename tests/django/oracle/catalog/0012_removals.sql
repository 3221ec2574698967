BEGIN;
--
-- Remove field labels from product
--
DROP TABLE "catalog_product_labels" CASCADE;
--
-- Remove constraint catalog_promotion_days_per_name from model campaign
--
ALTER TABLE "catalog_campaign" DROP CONSTRAINT "catalog_promotion_days_per_name";
--
-- Remove constraint catalog_product_price_non_negative from model product
--
ALTER TABLE "catalog_product" DROP CONSTRAINT "catalog_product_price_non_negative";
--
-- Remove constraint catalog_product_release_category from model product
--
ALTER TABLE "catalog_product" DROP CONSTRAINT "catalog_product_release_category";
--
-- Remove index catalog_promo_days_gist from campaign
--
DROP INDEX IF EXISTS "catalog_promo_days_gist";
--
-- Remove index catalog_product_sku_hash from product
--
DROP INDEX IF EXISTS "catalog_product_sku_hash";
--
-- Remove index catalog_product_bloom from product
--
DROP INDEX IF EXISTS "catalog_product_bloom";
--
-- Remove field dimensions_mm from product
--
ALTER TABLE "catalog_product" DROP COLUMN "dimensions_mm" CASCADE;
--
-- Remove field spec_sheet from product
--
ALTER TABLE "catalog_product" DROP COLUMN "spec_sheet" CASCADE;
--
-- Remove field thumbnail from product
--
ALTER TABLE "catalog_product" DROP COLUMN "thumbnail" CASCADE;
--
-- Delete model Tag
--
DROP TABLE "catalog_tags" CASCADE;
COMMIT;
