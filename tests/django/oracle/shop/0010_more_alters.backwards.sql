BEGIN;
--
-- Set order_with_respect_to on orderline to None
--
ALTER TABLE "shop_orderline" ADD COLUMN "_order" integer DEFAULT 0 NOT NULL;
ALTER TABLE "shop_orderline" ALTER COLUMN "_order" DROP DEFAULT;
--
-- Alter field status on order
--
-- (no-op)
--
-- Alter field priority on order
--
ALTER TABLE "shop_order" ALTER COLUMN "priority" DROP DEFAULT;
--
-- Alter field customer on order
--
SET CONSTRAINTS "shop_order_customer_id_f638df20_fk_shop_client_id" IMMEDIATE; ALTER TABLE "shop_order" DROP CONSTRAINT "shop_order_customer_id_f638df20_fk_shop_client_id";
ALTER TABLE "shop_order" ADD CONSTRAINT "shop_order_customer_id_f638df20_fk_shop_client_id" FOREIGN KEY ("customer_id") REFERENCES "shop_client" ("id") DEFERRABLE INITIALLY DEFERRED;
--
-- Alter field user on client
--
SET CONSTRAINTS "shop_customer_user_id_7e6c4129_fk_auth_user_id" IMMEDIATE; ALTER TABLE "shop_client" DROP CONSTRAINT "shop_customer_user_id_7e6c4129_fk_auth_user_id";
ALTER TABLE "shop_client" ADD CONSTRAINT "shop_client_user_id_6c4323e1_uniq" UNIQUE ("user_id");
ALTER TABLE "shop_client" ADD CONSTRAINT "shop_client_user_id_6c4323e1_fk_auth_user_id" FOREIGN KEY ("user_id") REFERENCES "auth_user" ("id") DEFERRABLE INITIALLY DEFERRED;
--
-- Alter field phone on client
--
ALTER TABLE "shop_client" ALTER COLUMN "phone" SET DEFAULT '', ALTER COLUMN "phone" SET NOT NULL;
ALTER TABLE "shop_client" ALTER COLUMN "phone" DROP DEFAULT;
--
-- Alter field favourite_products on client
--
ALTER TABLE "shop_favourite_products" RENAME TO "shop_client_favourites";
--
-- Add field campaign to order
--
ALTER TABLE "shop_order" DROP COLUMN "campaign_id" CASCADE;
--
-- Add field referral_code to client
--
ALTER TABLE "shop_client" DROP COLUMN "referral_code" CASCADE;
--
-- Add field country to client
--
ALTER TABLE "shop_client" DROP COLUMN "country" CASCADE;
--
-- Alter unique_together for order (0 constraint(s))
--
ALTER TABLE "shop_order" ADD CONSTRAINT "shop_order_customer_id_reference_26b575d2_uniq" UNIQUE ("customer_id", "reference");
COMMIT;
