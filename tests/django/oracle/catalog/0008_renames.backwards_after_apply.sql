BEGIN;
--
-- Create constraint catalog_product_homepage_deferred on model product
--
ALTER TABLE "catalog_product" DROP CONSTRAINT "catalog_product_homepage_deferred";
--
-- Create index catalog_product_home_spgist on field(s) website of model product
--
DROP INDEX IF EXISTS "catalog_product_home_spgist";
--
-- Rename index catalog_product_name_idx on product to catalog_product_name_btree
--
ALTER INDEX "catalog_product_name_btree" RENAME TO "catalog_product_name_idx";
--
-- Rename field weight_kg on product to weight
--
ALTER TABLE "catalog_product" RENAME COLUMN "weight" TO "weight_kg";
--
-- Rename field homepage on product to website
--
-- (no-op)
--
-- Remove index catalog_product_home_spgist from product
--
CREATE INDEX "catalog_product_home_spgist" ON "catalog_product" USING spgist ("home_page");
--
-- Remove constraint catalog_product_homepage_deferred from model product
--
ALTER TABLE "catalog_product" ADD CONSTRAINT "catalog_product_homepage_deferred" UNIQUE ("home_page", "category_id") DEFERRABLE INITIALLY DEFERRED;
--
-- Rename model Promotion to Campaign
--
ALTER TABLE "catalog_campaign" RENAME TO "catalog_promotion";
COMMIT;
