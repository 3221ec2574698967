BEGIN;
--
-- Alter unique_together for order (0 constraint(s))
--
ALTER TABLE "shop_order" DROP CONSTRAINT "shop_order_customer_id_reference_26b575d2_uniq";
--
-- Add field country to client
--
ALTER TABLE "shop_client" ADD COLUMN "country" varchar(2) DEFAULT 'NL' NOT NULL;
ALTER TABLE "shop_client" ALTER COLUMN "country" DROP DEFAULT;
--
-- Add field referral_code to client
--
ALTER TABLE "shop_client" ADD COLUMN "referral_code" varchar(12) NULL UNIQUE;
--
-- Add field campaign to order
--
ALTER TABLE "shop_order" ADD COLUMN "campaign_id" bigint NULL CONSTRAINT "shop_order_campaign_id_c3a7f50f_fk_catalog_campaign_id" REFERENCES "catalog_campaign"("id") DEFERRABLE INITIALLY DEFERRED; SET CONSTRAINTS "shop_order_campaign_id_c3a7f50f_fk_catalog_campaign_id" IMMEDIATE;
--
-- Alter field favourite_products on client
--
ALTER TABLE "shop_client_favourites" RENAME TO "shop_favourite_products";
--
-- Alter field phone on client
--
ALTER TABLE "shop_client" ALTER COLUMN "phone" DROP NOT NULL;
--
-- Alter field user on client
--
SET CONSTRAINTS "shop_customer_user_id_7e6c4129_fk_auth_user_id" IMMEDIATE; ALTER TABLE "shop_client" DROP CONSTRAINT "shop_customer_user_id_7e6c4129_fk_auth_user_id";
ALTER TABLE "shop_client" DROP CONSTRAINT "shop_customer_user_id_key";
CREATE INDEX "shop_client_user_id_6c4323e1" ON "shop_client" ("user_id");
ALTER TABLE "shop_client" ADD CONSTRAINT "shop_client_user_id_6c4323e1_fk_auth_user_id" FOREIGN KEY ("user_id") REFERENCES "auth_user" ("id") DEFERRABLE INITIALLY DEFERRED;
--
-- Alter field customer on order
--
SET CONSTRAINTS "shop_order_customer_id_f638df20_fk_shop_client_id" IMMEDIATE; ALTER TABLE "shop_order" DROP CONSTRAINT "shop_order_customer_id_f638df20_fk_shop_client_id";
CREATE INDEX "shop_order_customer_id_f638df20" ON "shop_order" ("customer_id");
ALTER TABLE "shop_order" ADD CONSTRAINT "shop_order_customer_id_f638df20_fk_shop_client_id" FOREIGN KEY ("customer_id") REFERENCES "shop_client" ("id") DEFERRABLE INITIALLY DEFERRED;
--
-- Alter field priority on order
--
ALTER TABLE "shop_order" ALTER COLUMN "priority" SET DEFAULT 0;
--
-- Alter field status on order
--
-- (no-op)
--
-- Set order_with_respect_to on orderline to None
--
ALTER TABLE "shop_orderline" DROP COLUMN "_order" CASCADE;
CREATE INDEX "shop_client_country_e7d14a81" ON "shop_client" ("country");
CREATE INDEX "shop_client_country_e7d14a81_like" ON "shop_client" ("country" varchar_pattern_ops);
CREATE INDEX "shop_client_referral_code_49950e8a_like" ON "shop_client" ("referral_code" varchar_pattern_ops);
CREATE INDEX "shop_order_campaign_id_c3a7f50f" ON "shop_order" ("campaign_id");
COMMIT;
