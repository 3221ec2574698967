BEGIN;
--
-- Alter field substitute on productdetail
--
SET CONSTRAINTS "catalog_productdetai_substitute_id_424adb87_fk_catalog_p" IMMEDIATE; ALTER TABLE "catalog_productdetail" DROP CONSTRAINT "catalog_productdetai_substitute_id_424adb87_fk_catalog_p";
ALTER TABLE "catalog_productdetail" DROP CONSTRAINT "catalog_productdetail_substitute_id_424adb87_uniq";
CREATE INDEX "catalog_productdetail_substitute_id_424adb87" ON "catalog_productdetail" ("substitute_id");
ALTER TABLE "catalog_productdetail" ADD CONSTRAINT "catalog_productdetai_substitute_id_424adb87_fk_catalog_p" FOREIGN KEY ("substitute_id") REFERENCES "catalog_product" ("id") DEFERRABLE INITIALLY DEFERRED;
--
-- Alter field name on category
--
DROP INDEX IF EXISTS "catalog_categories_name_bb9888f8_like";
ALTER TABLE "catalog_categories" ALTER COLUMN "name" TYPE varchar(100) USING "name"::varchar(100);
CREATE INDEX "catalog_categories_name_bb9888f8_like" ON "catalog_categories" ("name" varchar_pattern_ops);
--
-- Alter field product on campaign
--
SET CONSTRAINTS "catalog_campaign_product_id_f6c27667_fk_catalog_product_id" IMMEDIATE; ALTER TABLE "catalog_campaign" DROP CONSTRAINT "catalog_campaign_product_id_f6c27667_fk_catalog_product_id";
--
-- Add field hero_product to category
--
SET CONSTRAINTS "catalog_categories_hero_product_id_dd41bf77_fk_catalog_p" IMMEDIATE; ALTER TABLE "catalog_categories" DROP CONSTRAINT "catalog_categories_hero_product_id_dd41bf77_fk_catalog_p";
ALTER TABLE "catalog_categories" DROP COLUMN "hero_product_id" CASCADE;
--
-- Remove field price_with_tax from product
--
ALTER TABLE "catalog_product" ADD COLUMN "price_with_tax" numeric(14, 4) GENERATED ALWAYS AS (("price" * 1.2)) STORED;
COMMIT;
