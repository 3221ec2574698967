BEGIN;
--
-- Alter order table comment
--
COMMENT ON TABLE "shop_order" IS 'One checkout';
--
-- Alter unique_together for orderline (0 constraint(s))
--
ALTER TABLE "shop_orderline" DROP CONSTRAINT "shop_orderline_order_id_product_id_3b6ec8fb_uniq";
--
-- Alter unique_together for wishlistitem (0 constraint(s))
--
ALTER TABLE "shop_wishlistitem" DROP CONSTRAINT "shop_wishlistitem_wishlist_id_product_id_c85399d2_uniq";
--
-- Alter field vip on client
--
ALTER TABLE "shop_client" ALTER COLUMN "vip" TYPE boolean;
COMMENT ON COLUMN "shop_client"."vip" IS '';
--
-- Set order_with_respect_to on orderline to order
--
ALTER TABLE "shop_orderline" ADD COLUMN "_order" integer DEFAULT 0 NOT NULL;
ALTER TABLE "shop_orderline" ALTER COLUMN "_order" DROP DEFAULT;
--
-- Alter unique_together for order (1 constraint(s))
--
ALTER TABLE "shop_order" ADD CONSTRAINT "shop_order_customer_id_reference_26b575d2_uniq" UNIQUE ("customer_id", "reference");
COMMIT;
