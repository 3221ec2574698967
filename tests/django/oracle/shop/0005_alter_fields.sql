BEGIN;
--
-- Add field product_ref to orderline
--
ALTER TABLE "shop_orderline" ADD COLUMN "product_ref_id" uuid NULL CONSTRAINT "shop_orderline_product_ref_id_2d5ac361_fk_catalog_product_uuid" REFERENCES "catalog_product"("uuid") DEFERRABLE INITIALLY DEFERRED; SET CONSTRAINTS "shop_orderline_product_ref_id_2d5ac361_fk_catalog_product_uuid" IMMEDIATE;
--
-- Alter field loyalty_points on customer
--
ALTER TABLE "shop_customer" ALTER COLUMN "loyalty_points" TYPE bigint USING "loyalty_points"::bigint;
--
-- Alter field phone on customer
--
ALTER TABLE "shop_customer" ALTER COLUMN "phone" TYPE varchar(32);
--
-- Alter field vip on customer
--
ALTER TABLE "shop_customer" ALTER COLUMN "vip" SET DEFAULT true;
--
-- Alter field created_db on order
--
ALTER TABLE "shop_order" ALTER COLUMN "created_db" SET DEFAULT (CURRENT_TIMESTAMP);
--
-- Alter field customer on order
--
SET CONSTRAINTS "shop_order_customer_id_f638df20_fk_shop_customer_id" IMMEDIATE; ALTER TABLE "shop_order" DROP CONSTRAINT "shop_order_customer_id_f638df20_fk_shop_customer_id";
DROP INDEX IF EXISTS "shop_order_customer_id_f638df20";
ALTER TABLE "shop_order" ADD CONSTRAINT "shop_order_customer_id_f638df20_fk_shop_customer_id" FOREIGN KEY ("customer_id") REFERENCES "shop_customer" ("id") DEFERRABLE INITIALLY DEFERRED;
--
-- Alter field note on order
--
ALTER TABLE "shop_order" ALTER COLUMN "note" TYPE text;
COMMENT ON COLUMN "shop_order"."note" IS 'Internal note; never shown to customers';
--
-- Alter field priority on order
--
ALTER TABLE "shop_order" ALTER COLUMN "priority" TYPE integer USING "priority"::integer;
--
-- Alter field shipped_on on order
--
CREATE INDEX "shop_order_shipped_on_154da6ac" ON "shop_order" ("shipped_on");
--
-- Alter field status on order
--
DROP INDEX IF EXISTS "shop_order_status_16691b37";
DROP INDEX IF EXISTS "shop_order_status_16691b37_like";
--
-- Alter field weight_g on order
--
ALTER TABLE "shop_order" ALTER COLUMN "weight_g" SET DEFAULT 0;
UPDATE "shop_order" SET "weight_g" = 0 WHERE "weight_g" IS NULL; SET CONSTRAINTS ALL IMMEDIATE;
ALTER TABLE "shop_order" ALTER COLUMN "weight_g" SET NOT NULL;
ALTER TABLE "shop_order" ALTER COLUMN "weight_g" DROP DEFAULT;
--
-- Alter field product on orderline
--
-- (no-op)
--
-- Alter field quantity on orderline
--
ALTER TABLE "shop_orderline" ALTER COLUMN "quantity" TYPE integer USING "quantity"::integer;
CREATE INDEX "shop_orderline_product_ref_id_2d5ac361" ON "shop_orderline" ("product_ref_id");
COMMIT;
