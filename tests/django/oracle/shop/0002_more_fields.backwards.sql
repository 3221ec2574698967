BEGIN;
--
-- Add field weight_g to order
--
ALTER TABLE "shop_order" DROP COLUMN "weight_g" CASCADE;
--
-- Add field shipped_on to order
--
ALTER TABLE "shop_order" DROP COLUMN "shipped_on" CASCADE;
--
-- Add field priority to order
--
ALTER TABLE "shop_order" DROP COLUMN "priority" CASCADE;
--
-- Add field gift to order
--
ALTER TABLE "shop_order" DROP COLUMN "gift" CASCADE;
--
-- Add field created_db to order
--
ALTER TABLE "shop_order" DROP COLUMN "created_db" CASCADE;
--
-- Add field vip to customer
--
ALTER TABLE "shop_customer" DROP COLUMN "vip" CASCADE;
--
-- Add field token to customer
--
ALTER TABLE "shop_customer" DROP COLUMN "token" CASCADE;
--
-- Add field score to customer
--
ALTER TABLE "shop_customer" DROP COLUMN "score" CASCADE;
--
-- Add field birthday to customer
--
ALTER TABLE "shop_customer" DROP COLUMN "birthday" CASCADE;
COMMIT;
