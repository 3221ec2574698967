BEGIN;
--
-- Add field labels to product
--
DROP TABLE "catalog_product_labels" CASCADE;
--
-- Create model ProductDetail
--
DROP TABLE "catalog_productdetail" CASCADE;
--
-- Add field related to product
--
DROP TABLE "catalog_product_related" CASCADE;
--
-- Create model Tag
--
DROP TABLE "catalog_tag" CASCADE;
COMMIT;
