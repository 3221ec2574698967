BEGIN;
--
-- Alter field product on promotion
--
ALTER TABLE "catalog_promotion" ADD CONSTRAINT "catalog_promotion_product_id_447f7b7e_fk_catalog_product_id" FOREIGN KEY ("product_id") REFERENCES "catalog_product" ("id") DEFERRABLE INITIALLY DEFERRED;
--
-- Alter field name on promotion
--
ALTER TABLE "catalog_promotion" ALTER COLUMN "name" TYPE varchar(100) USING "name"::varchar(100);
--
-- Alter field weight_kg on product
--
ALTER TABLE "catalog_product" ALTER COLUMN "weight_kg" DROP NOT NULL;
--
-- Alter field views on product
--
ALTER TABLE "catalog_product" ALTER COLUMN "views" SET DEFAULT 0;
--
-- Alter field stock on product
--
-- (no-op)
--
-- Alter field sku on product
--
ALTER TABLE "catalog_product" ADD CONSTRAINT "catalog_product_sku_5c54c070_uniq" UNIQUE ("sku");
CREATE INDEX "catalog_product_sku_5c54c070_like" ON "catalog_product" ("sku" varchar_pattern_ops);
--
-- Alter field rating on product
--
ALTER TABLE "catalog_product" ALTER COLUMN "rating" SET DEFAULT 3;
--
-- Alter field price on product
--
ALTER TABLE "catalog_product" ALTER COLUMN "price" TYPE numeric(10, 2);
--
-- Alter field name on product
--
ALTER TABLE "catalog_product" ALTER COLUMN "name" TYPE varchar(200);
--
-- Alter field homepage on product
--
ALTER TABLE "catalog_product" RENAME COLUMN "home_page" TO "homepage";
--
-- Alter field description on product
--
ALTER TABLE "catalog_product" ALTER COLUMN "description" TYPE text;
COMMENT ON COLUMN "catalog_product"."description" IS 'Shown on the product page';
--
-- Alter field contact_email on product
--
ALTER TABLE "catalog_product" ALTER COLUMN "contact_email" TYPE varchar(254);
--
-- Alter field code on product
--
CREATE INDEX "catalog_product_code_e2e89c4b" ON "catalog_product" ("code");
CREATE INDEX "catalog_product_code_e2e89c4b_like" ON "catalog_product" ("code" varchar_pattern_ops);
--
-- Alter field slug on category
--
CREATE INDEX "catalog_category_slug_dbf63ad0" ON "catalog_category" ("slug");
--
-- Alter field id on category
--
SET CONSTRAINTS "catalog_category_parent_id_f61bd017_fk_catalog_category_id" IMMEDIATE; ALTER TABLE "catalog_category" DROP CONSTRAINT "catalog_category_parent_id_f61bd017_fk_catalog_category_id";
SET CONSTRAINTS "catalog_product_category_id_35bf920b_fk_catalog_category_id" IMMEDIATE; ALTER TABLE "catalog_product" DROP CONSTRAINT "catalog_product_category_id_35bf920b_fk_catalog_category_id";
ALTER TABLE "catalog_category" ALTER COLUMN "id" TYPE integer USING "id"::integer;
ALTER SEQUENCE IF EXISTS "catalog_category_id_seq" AS integer;
ALTER TABLE "catalog_category" ALTER COLUMN "parent_id" TYPE integer USING "parent_id"::integer;
ALTER TABLE "catalog_product" ALTER COLUMN "category_id" TYPE integer USING "category_id"::integer;
ALTER TABLE "catalog_category" ADD CONSTRAINT "catalog_category_parent_id_f61bd017_fk" FOREIGN KEY ("parent_id") REFERENCES "catalog_category" ("id") DEFERRABLE INITIALLY DEFERRED;
ALTER TABLE "catalog_product" ADD CONSTRAINT "catalog_product_category_id_35bf920b_fk" FOREIGN KEY ("category_id") REFERENCES "catalog_category" ("id") DEFERRABLE INITIALLY DEFERRED;
--
-- Alter field description on category
--
ALTER TABLE "catalog_category" ALTER COLUMN "description" TYPE text USING "description"::text;
COMMIT;
