BEGIN;
--
-- Create index shop_customer_ip_gist on field(s) last_ip of model customer
--
CREATE INDEX "shop_customer_ip_gist" ON "shop_customer" USING gist ("last_ip" inet_ops);
--
-- Create index shop_order_customer_recent on field(s) customer, -placed_at of model order
--
CREATE INDEX "shop_order_customer_recent" ON "shop_order" ("customer_id", "placed_at" DESC);
--
-- Create index shop_order_new_gifts on field(s) placed_at of model order
--
CREATE INDEX "shop_order_new_gifts" ON "shop_order" ("placed_at") WHERE ("status" = 'new' AND "gift");
COMMIT;
