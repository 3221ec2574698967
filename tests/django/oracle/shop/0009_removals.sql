BEGIN;
--
-- Remove field client from wishlist
--
SET CONSTRAINTS "shop_wishlist_client_id_fb206b00_fk_shop_client_id" IMMEDIATE; ALTER TABLE "shop_wishlist" DROP CONSTRAINT "shop_wishlist_client_id_fb206b00_fk_shop_client_id";
ALTER TABLE "shop_wishlist" DROP COLUMN "client_id" CASCADE;
--
-- Remove field products from wishlist
--
-- (no-op)
--
-- Remove field wishlist from wishlistitem
--
SET CONSTRAINTS "shop_wishlistitem_wishlist_id_749a2215_fk_shop_wishlist_id" IMMEDIATE; ALTER TABLE "shop_wishlistitem" DROP CONSTRAINT "shop_wishlistitem_wishlist_id_749a2215_fk_shop_wishlist_id";
ALTER TABLE "shop_wishlistitem" DROP COLUMN "wishlist_id" CASCADE;
--
-- Remove field product from wishlistitem
--
SET CONSTRAINTS "shop_wishlistitem_product_id_fec7c3f7_fk_catalog_product_id" IMMEDIATE; ALTER TABLE "shop_wishlistitem" DROP CONSTRAINT "shop_wishlistitem_product_id_fec7c3f7_fk_catalog_product_id";
ALTER TABLE "shop_wishlistitem" DROP COLUMN "product_id" CASCADE;
--
-- Remove constraint shop_order_dates_ordered from model order
--
ALTER TABLE "shop_order" DROP CONSTRAINT "shop_order_dates_ordered";
--
-- Remove field birthday from client
--
ALTER TABLE "shop_client" DROP COLUMN "birthday" CASCADE;
--
-- Remove field product_by_uuid from orderline
--
SET CONSTRAINTS "shop_orderline_product_by_uuid_id_0b81b34c_fk_catalog_p" IMMEDIATE; ALTER TABLE "shop_orderline" DROP CONSTRAINT "shop_orderline_product_by_uuid_id_0b81b34c_fk_catalog_p";
ALTER TABLE "shop_orderline" DROP COLUMN "product_by_uuid_id" CASCADE;
--
-- Delete model Wishlist
--
DROP TABLE "shop_wishlist" CASCADE;
--
-- Delete model WishlistItem
--
DROP TABLE "shop_wishlistitem" CASCADE;
COMMIT;
