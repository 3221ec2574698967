BEGIN;
--
-- Create index shop_order_new_gifts on field(s) placed_at of model order
--
DROP INDEX IF EXISTS "shop_order_new_gifts";
--
-- Create index shop_order_customer_recent on field(s) customer, -placed_at of model order
--
DROP INDEX IF EXISTS "shop_order_customer_recent";
--
-- Create index shop_customer_ip_gist on field(s) last_ip of model customer
--
DROP INDEX IF EXISTS "shop_customer_ip_gist";
COMMIT;
