BEGIN;
--
-- Alter field quantity on orderline
--
ALTER TABLE "shop_orderline" ALTER COLUMN "quantity" TYPE smallint USING "quantity"::smallint;
--
-- Alter field product on orderline
--
-- (no-op)
--
-- Alter field weight_g on order
--
ALTER TABLE "shop_order" ALTER COLUMN "weight_g" DROP NOT NULL;
--
-- Alter field status on order
--
CREATE INDEX "shop_order_status_16691b37" ON "shop_order" ("status");
CREATE INDEX "shop_order_status_16691b37_like" ON "shop_order" ("status" varchar_pattern_ops);
--
-- Alter field shipped_on on order
--
-- (no-op)
--
-- Alter field priority on order
--
ALTER TABLE "shop_order" ALTER COLUMN "priority" TYPE smallint USING "priority"::smallint;
--
-- Alter field note on order
--
ALTER TABLE "shop_order" ALTER COLUMN "note" TYPE text;
COMMENT ON COLUMN "shop_order"."note" IS 'Internal note, never shown to the customer';
--
-- Alter field customer on order
--
SET CONSTRAINTS "shop_order_customer_id_f638df20_fk_shop_customer_id" IMMEDIATE; ALTER TABLE "shop_order" DROP CONSTRAINT "shop_order_customer_id_f638df20_fk_shop_customer_id";
CREATE INDEX "shop_order_customer_id_f638df20" ON "shop_order" ("customer_id");
ALTER TABLE "shop_order" ADD CONSTRAINT "shop_order_customer_id_f638df20_fk_shop_customer_id" FOREIGN KEY ("customer_id") REFERENCES "shop_customer" ("id") DEFERRABLE INITIALLY DEFERRED;
--
-- Alter field created_db on order
--
ALTER TABLE "shop_order" ALTER COLUMN "created_db" SET DEFAULT (STATEMENT_TIMESTAMP());
--
-- Alter field vip on customer
--
ALTER TABLE "shop_customer" ALTER COLUMN "vip" SET DEFAULT false;
--
-- Alter field phone on customer
--
ALTER TABLE "shop_customer" ALTER COLUMN "phone" TYPE varchar(20);
--
-- Alter field loyalty_points on customer
--
ALTER TABLE "shop_customer" ALTER COLUMN "loyalty_points" TYPE integer USING "loyalty_points"::integer;
--
-- Add field product_ref to orderline
--
ALTER TABLE "shop_orderline" DROP COLUMN "product_ref_id" CASCADE;
COMMIT;
