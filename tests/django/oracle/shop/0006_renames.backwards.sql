BEGIN;
--
-- Rename field product_ref on orderline to product_by_uuid
--
ALTER TABLE "shop_orderline" RENAME COLUMN "product_by_uuid_id" TO "product_ref_id";
--
-- Rename field email on client to email_address
--
ALTER TABLE "shop_client" RENAME COLUMN "email_address" TO "email";
--
-- Rename model Customer to Client
--
ALTER TABLE "shop_client" RENAME TO "shop_customer";
SET CONSTRAINTS "shop_order_customer_id_f638df20_fk_shop_customer_id" IMMEDIATE; ALTER TABLE "shop_order" DROP CONSTRAINT "shop_order_customer_id_f638df20_fk_shop_customer_id";
ALTER TABLE "shop_order" ADD CONSTRAINT "shop_order_customer_id_f638df20_fk_shop_customer_id" FOREIGN KEY ("customer_id") REFERENCES "shop_customer" ("id") DEFERRABLE INITIALLY DEFERRED;
COMMIT;
