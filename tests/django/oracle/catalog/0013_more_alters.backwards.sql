BEGIN;
--
-- Alter field substitute on productdetail
--
SET CONSTRAINTS "catalog_productdetai_substitute_id_424adb87_fk_catalog_p" IMMEDIATE; ALTER TABLE "catalog_productdetail" DROP CONSTRAINT "catalog_productdetai_substitute_id_424adb87_fk_catalog_p";
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
-- (no-op)
--
-- Add field hero_product to category
--
ALTER TABLE "catalog_categories" DROP COLUMN "hero_product_id" CASCADE;
--
-- Remove field price_with_tax from product
--
ALTER TABLE "catalog_product" ADD COLUMN "price_with_tax" numeric(14, 4) GENERATED ALWAYS AS (("price" * 1.2)) STORED;
COMMIT;
