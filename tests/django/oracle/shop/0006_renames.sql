BEGIN;
--
-- Rename model Customer to Client
--
ALTER TABLE "shop_customer" RENAME TO "shop_client";
SET CONSTRAINTS "shop_order_customer_id_f638df20_fk_shop_customer_id" IMMEDIATE; ALTER TABLE "shop_order" DROP CONSTRAINT "shop_order_customer_id_f638df20_fk_shop_customer_id";
ALTER TABLE "shop_order" ADD CONSTRAINT "shop_order_customer_id_f638df20_fk_shop_client_id" FOREIGN KEY ("customer_id") REFERENCES "shop_client" ("id") DEFERRABLE INITIALLY DEFERRED;
--
-- Rename field email on client to email_address
--
ALTER TABLE "shop_client" RENAME COLUMN "email" TO "email_address";
--
-- Rename field product_ref on orderline to product_by_uuid
--
SET CONSTRAINTS "shop_orderline_product_ref_id_2d5ac361_fk_catalog_product_uuid" IMMEDIATE; ALTER TABLE "shop_orderline" DROP CONSTRAINT "shop_orderline_product_ref_id_2d5ac361_fk_catalog_product_uuid";
ALTER TABLE "shop_orderline" RENAME COLUMN "product_ref_id" TO "product_by_uuid_id";
ALTER TABLE "shop_orderline" ADD CONSTRAINT "shop_orderline_product_by_uuid_id_0b81b34c_fk_catalog_p" FOREIGN KEY ("product_by_uuid_id") REFERENCES "catalog_product" ("uuid") DEFERRABLE INITIALLY DEFERRED;
COMMIT;
