BEGIN;
--
-- Remove field price_with_tax from product
--
ALTER TABLE "catalog_product" DROP COLUMN "price_with_tax" CASCADE;
--
-- Add field hero_product to category
--
ALTER TABLE "catalog_categories" ADD COLUMN "hero_product_id" bigint NULL UNIQUE CONSTRAINT "catalog_categories_hero_product_id_dd41bf77_fk_catalog_p" REFERENCES "catalog_product"("id") DEFERRABLE INITIALLY DEFERRED; SET CONSTRAINTS "catalog_categories_hero_product_id_dd41bf77_fk_catalog_p" IMMEDIATE;
--
-- Alter field product on campaign
--
ALTER TABLE "catalog_campaign" ADD CONSTRAINT "catalog_campaign_product_id_f6c27667_fk_catalog_product_id" FOREIGN KEY ("product_id") REFERENCES "catalog_product" ("id") DEFERRABLE INITIALLY DEFERRED;
--
-- Alter field name on category
--
DROP INDEX IF EXISTS "catalog_categories_name_bb9888f8_like";
ALTER TABLE "catalog_categories" ALTER COLUMN "name" TYPE text USING "name"::text;
CREATE INDEX "catalog_categories_name_bb9888f8_like" ON "catalog_categories" ("name" text_pattern_ops);
--
-- Alter field substitute on productdetail
--
SET CONSTRAINTS "catalog_productdetai_substitute_id_424adb87_fk_catalog_p" IMMEDIATE; ALTER TABLE "catalog_productdetail" DROP CONSTRAINT "catalog_productdetai_substitute_id_424adb87_fk_catalog_p";
DROP INDEX IF EXISTS "catalog_productdetail_substitute_id_424adb87";
ALTER TABLE "catalog_productdetail" ADD CONSTRAINT "catalog_productdetail_substitute_id_424adb87_uniq" UNIQUE ("substitute_id");
ALTER TABLE "catalog_productdetail" ADD CONSTRAINT "catalog_productdetai_substitute_id_424adb87_fk_catalog_p" FOREIGN KEY ("substitute_id") REFERENCES "catalog_product" ("id") DEFERRABLE INITIALLY DEFERRED;
COMMIT;
