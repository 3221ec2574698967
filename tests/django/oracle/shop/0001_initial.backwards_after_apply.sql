BEGIN;
--
-- Create model OrderLine
--
DROP TABLE "shop_orderline" CASCADE;
--
-- Create model Order
--
DROP TABLE "shop_order" CASCADE;
--
-- Create model Customer
--
DROP TABLE "shop_customer" CASCADE;
COMMIT;
