BEGIN;
--
-- Create constraint shop_order_dates_ordered on model order
--
ALTER TABLE "shop_order" DROP CONSTRAINT "shop_order_dates_ordered";
--
-- Create constraint shop_order_shipped_has_date on model order
--
ALTER TABLE "shop_order" DROP CONSTRAINT "shop_order_shipped_has_date";
--
-- Create constraint shop_order_total_non_negative on model order
--
ALTER TABLE "shop_order" DROP CONSTRAINT "shop_order_total_non_negative";
--
-- Create constraint shop_customer_points_non_negative on model customer
--
ALTER TABLE "shop_customer" DROP CONSTRAINT "shop_customer_points_non_negative";
--
-- Create constraint shop_customer_unique_phone on model customer
--
DROP INDEX IF EXISTS "shop_customer_unique_phone";
COMMIT;
