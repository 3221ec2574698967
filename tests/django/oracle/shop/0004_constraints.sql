BEGIN;
--
-- Create constraint shop_customer_unique_phone on model customer
--
CREATE UNIQUE INDEX "shop_customer_unique_phone" ON "shop_customer" ("phone") WHERE NOT ("phone" = '');
--
-- Create constraint shop_customer_points_non_negative on model customer
--
ALTER TABLE "shop_customer" ADD CONSTRAINT "shop_customer_points_non_negative" CHECK ("loyalty_points" >= 0);
--
-- Create constraint shop_order_total_non_negative on model order
--
ALTER TABLE "shop_order" ADD CONSTRAINT "shop_order_total_non_negative" CHECK ("total" >= 0);
--
-- Create constraint shop_order_shipped_has_date on model order
--
ALTER TABLE "shop_order" ADD CONSTRAINT "shop_order_shipped_has_date" CHECK ((("shipped_on" IS NOT NULL AND "status" = 'shipped') OR NOT ("status" = 'shipped')));
--
-- Create constraint shop_order_dates_ordered on model order
--
ALTER TABLE "shop_order" ADD CONSTRAINT "shop_order_dates_ordered" CHECK (("created_db" <= ("placed_at") OR "priority" > 0));
COMMIT;
