BEGIN;
--
-- Create constraint catalog_product_price_non_negative on model product
--
ALTER TABLE "catalog_product" ADD CONSTRAINT "catalog_product_price_non_negative" CHECK ("price" >= 0);
--
-- Create constraint catalog_product_stock_sane on model product
--
ALTER TABLE "catalog_product" ADD CONSTRAINT "catalog_product_stock_sane" CHECK (("stock" <= 1000000 OR NOT "is_active"));
--
-- Create constraint catalog_product_release_recent on model product
--
ALTER TABLE "catalog_product" ADD CONSTRAINT "catalog_product_release_recent" CHECK (("release_date" IS NULL OR "release_date" >= '2000-01-01'::date));
--
-- Create constraint catalog_product_unique_name_per_category on model product
--
ALTER TABLE "catalog_product" ADD CONSTRAINT "catalog_product_unique_name_per_category" UNIQUE ("category_id", "name");
--
-- Create constraint catalog_product_active_code on model product
--
CREATE UNIQUE INDEX "catalog_product_active_code" ON "catalog_product" ("code") WHERE ("is_active" AND NOT ("code" = ''));
--
-- Create constraint catalog_product_public_id_cover on model product
--
CREATE UNIQUE INDEX "catalog_product_public_id_cover" ON "catalog_product" ("public_id") INCLUDE ("price");
--
-- Create constraint catalog_product_homepage_deferred on model product
--
ALTER TABLE "catalog_product" ADD CONSTRAINT "catalog_product_homepage_deferred" UNIQUE ("homepage", "category_id") DEFERRABLE INITIALLY DEFERRED;
--
-- Create constraint catalog_product_contact_pattern on model product
--
CREATE UNIQUE INDEX "catalog_product_contact_pattern" ON "catalog_product" ("contact_email" varchar_pattern_ops);
--
-- Create constraint catalog_product_lower_name_category on model product
--
CREATE UNIQUE INDEX "catalog_product_lower_name_category" ON "catalog_product" ((LOWER("name")), "category_id");
--
-- Create constraint catalog_product_release_category on model product
--
ALTER TABLE "catalog_product" ADD CONSTRAINT "catalog_product_release_category" UNIQUE NULLS NOT DISTINCT ("release_date", "category_id");
--
-- Create constraint catalog_promotion_days_per_name on model promotion
--
ALTER TABLE "catalog_promotion" ADD CONSTRAINT "catalog_promotion_days_per_name" EXCLUDE USING GIST ("days" WITH &&, (LOWER("name")) WITH =) INCLUDE ("price") WHERE ("quantity" IS NOT NULL) DEFERRABLE INITIALLY IMMEDIATE;
--
-- Create constraint catalog_promotion_has_start on model promotion
--
ALTER TABLE "catalog_promotion" ADD CONSTRAINT "catalog_promotion_has_start" CHECK (lower("period") IS NOT NULL);
COMMIT;
