BEGIN;
--
-- Add field line_total to orderline
--
ALTER TABLE "shop_orderline" DROP COLUMN "line_total" CASCADE;
--
-- Add field products to wishlist
--
-- (no-op)
--
-- Create model WishlistItem
--
DROP TABLE "shop_wishlistitem" CASCADE;
--
-- Create model Wishlist
--
DROP TABLE "shop_wishlist" CASCADE;
--
-- Add field favourite_products to client
--
DROP TABLE "shop_client_favourites" CASCADE;
COMMIT;
