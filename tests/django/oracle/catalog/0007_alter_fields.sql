BEGIN;
--
-- Alter field description on category
--
ALTER TABLE "catalog_category" ALTER COLUMN "description" TYPE varchar(500) USING "description"::varchar(500);
--
-- Alter field id on category
--
SET CONSTRAINTS "catalog_category_parent_id_f61bd017_fk_catalog_category_id" IMMEDIATE; ALTER TABLE "catalog_category" DROP CONSTRAINT "catalog_category_parent_id_f61bd017_fk_catalog_category_id";
SET CONSTRAINTS "catalog_product_category_id_35bf920b_fk_catalog_category_id" IMMEDIATE; ALTER TABLE "catalog_product" DROP CONSTRAINT "catalog_product_category_id_35bf920b_fk_catalog_category_id";
ALTER TABLE "catalog_category" ALTER COLUMN "id" TYPE bigint USING "id"::bigint;
ALTER SEQUENCE IF EXISTS "catalog_category_id_seq" AS bigint;
ALTER TABLE "catalog_category" ALTER COLUMN "parent_id" TYPE bigint USING "parent_id"::bigint;
ALTER TABLE "catalog_product" ALTER COLUMN "category_id" TYPE bigint USING "category_id"::bigint;
ALTER TABLE "catalog_category" ADD CONSTRAINT "catalog_category_parent_id_f61bd017_fk" FOREIGN KEY ("parent_id") REFERENCES "catalog_category" ("id") DEFERRABLE INITIALLY DEFERRED;
ALTER TABLE "catalog_product" ADD CONSTRAINT "catalog_product_category_id_35bf920b_fk" FOREIGN KEY ("category_id") REFERENCES "catalog_category" ("id") DEFERRABLE INITIALLY DEFERRED;
--
-- Alter field slug on category
--
DROP INDEX IF EXISTS "catalog_category_slug_dbf63ad0";
DROP INDEX IF EXISTS "catalog_category_slug_dbf63ad0_like";
ALTER TABLE "catalog_category" ADD CONSTRAINT "catalog_category_slug_dbf63ad0_uniq" UNIQUE ("slug");
CREATE INDEX "catalog_category_slug_dbf63ad0_like" ON "catalog_category" ("slug" varchar_pattern_ops);
--
-- Alter field code on product
--
DROP INDEX IF EXISTS "catalog_product_active_code";
DROP INDEX IF EXISTS "catalog_product_code_e2e89c4b";
DROP INDEX IF EXISTS "catalog_product_code_e2e89c4b_like";
--
-- Alter field contact_email on product
--
ALTER TABLE "catalog_product" ALTER COLUMN "contact_email" TYPE varchar(320);
--
-- Alter field description on product
--
ALTER TABLE "catalog_product" ALTER COLUMN "description" TYPE text;
COMMENT ON COLUMN "catalog_product"."description" IS 'Markdown, shown on the product page';
--
-- Alter field homepage on product
--
ALTER TABLE "catalog_product" RENAME COLUMN "homepage" TO "home_page";
--
-- Alter field name on product
--
ALTER TABLE "catalog_product" ALTER COLUMN "name" TYPE varchar(250);
--
-- Alter field price on product
--
ALTER TABLE "catalog_product" ALTER COLUMN "price" TYPE numeric(12, 2);
--
-- Alter field rating on product
--
ALTER TABLE "catalog_product" ALTER COLUMN "rating" SET DEFAULT 5;
--
-- Alter field sku on product
--
ALTER TABLE "catalog_product" DROP CONSTRAINT "catalog_product_sku_key";
DROP INDEX IF EXISTS "catalog_product_sku_5c54c070_like";
--
-- Alter field stock on product
--
CREATE INDEX "catalog_product_stock_95b2620c" ON "catalog_product" ("stock");
--
-- Alter field views on product
--
ALTER TABLE "catalog_product" ALTER COLUMN "views" DROP DEFAULT;
--
-- Alter field weight_kg on product
--
ALTER TABLE "catalog_product" ALTER COLUMN "weight_kg" SET DEFAULT 0.0;
UPDATE "catalog_product" SET "weight_kg" = 0.0 WHERE "weight_kg" IS NULL; SET CONSTRAINTS ALL IMMEDIATE;
ALTER TABLE "catalog_product" ALTER COLUMN "weight_kg" SET NOT NULL;
ALTER TABLE "catalog_product" ALTER COLUMN "weight_kg" DROP DEFAULT;
--
-- Alter field name on promotion
--
ALTER TABLE "catalog_promotion" ALTER COLUMN "name" TYPE text USING "name"::text;
--
-- Alter field product on promotion
--
SET CONSTRAINTS "catalog_promotion_product_id_447f7b7e_fk_catalog_product_id" IMMEDIATE; ALTER TABLE "catalog_promotion" DROP CONSTRAINT "catalog_promotion_product_id_447f7b7e_fk_catalog_product_id";
COMMIT;
