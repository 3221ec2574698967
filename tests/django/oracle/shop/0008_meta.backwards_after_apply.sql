BEGIN;
--
-- Alter unique_together for order (1 constraint(s))
--
ALTER TABLE "shop_order" DROP CONSTRAINT "shop_order_customer_id_reference_26b575d2_uniq";
--
-- Set order_with_respect_to on orderline to order
--
ALTER TABLE "shop_orderline" DROP COLUMN "_order" CASCADE;
--
-- Alter field vip on client
--
ALTER TABLE "shop_client" ALTER COLUMN "vip" TYPE boolean;
COMMENT ON COLUMN "shop_client"."vip" IS 'Gets free shipping';
--
-- Alter unique_together for wishlistitem (0 constraint(s))
--
ALTER TABLE "shop_wishlistitem" ADD CONSTRAINT "shop_wishlistitem_wishlist_id_product_id_c85399d2_uniq" UNIQUE ("wishlist_id", "product_id");
--
-- Alter unique_together for orderline (0 constraint(s))
--
ALTER TABLE "shop_orderline" ADD CONSTRAINT "shop_orderline_order_id_product_id_3b6ec8fb_uniq" UNIQUE ("order_id", "product_id");
--
-- Alter order table comment
--
COMMENT ON TABLE "shop_order" IS '';
COMMIT;
