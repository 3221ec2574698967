BEGIN;
--
-- Add field birthday to customer
--
ALTER TABLE "shop_customer" ADD COLUMN "birthday" date NULL;
--
-- Add field score to customer
--
ALTER TABLE "shop_customer" ADD COLUMN "score" double precision DEFAULT 1.5 NOT NULL;
ALTER TABLE "shop_customer" ALTER COLUMN "score" DROP DEFAULT;
--
-- Add field token to customer
--
ALTER TABLE "shop_customer" ADD COLUMN "token" uuid DEFAULT (GEN_RANDOM_UUID()) NOT NULL;
--
-- Add field vip to customer
--
ALTER TABLE "shop_customer" ADD COLUMN "vip" boolean DEFAULT false NOT NULL;
COMMENT ON COLUMN "shop_customer"."vip" IS 'Gets free shipping';
--
-- Add field created_db to order
--
ALTER TABLE "shop_order" ADD COLUMN "created_db" timestamp with time zone DEFAULT (STATEMENT_TIMESTAMP()) NOT NULL;
--
-- Add field gift to order
--
ALTER TABLE "shop_order" ADD COLUMN "gift" boolean DEFAULT false NOT NULL;
ALTER TABLE "shop_order" ALTER COLUMN "gift" DROP DEFAULT;
--
-- Add field priority to order
--
ALTER TABLE "shop_order" ADD COLUMN "priority" smallint DEFAULT 0 NOT NULL;
ALTER TABLE "shop_order" ALTER COLUMN "priority" DROP DEFAULT;
--
-- Add field shipped_on to order
--
ALTER TABLE "shop_order" ADD COLUMN "shipped_on" date NULL;
--
-- Add field weight_g to order
--
ALTER TABLE "shop_order" ADD COLUMN "weight_g" integer NULL CHECK ("weight_g" >= 0);
COMMIT;
