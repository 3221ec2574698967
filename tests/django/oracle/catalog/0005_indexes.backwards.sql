BEGIN;
--
-- Create index catalog_promo_ranges_gist on field(s) price, order_total_cents of model promotion
--
DROP INDEX IF EXISTS "catalog_promo_ranges_gist";
--
-- Create index catalog_promo_metadata_gin on field(s) metadata of model promotion
--
DROP INDEX IF EXISTS "catalog_promo_metadata_gin";
--
-- Create index catalog_promo_qty_spgist on field(s) quantity of model promotion
--
DROP INDEX IF EXISTS "catalog_promo_qty_spgist";
--
-- Create index catalog_promo_days_gist on field(s) days of model promotion
--
DROP INDEX IF EXISTS "catalog_promo_days_gist";
--
-- Create index catalog_product_bloom on field(s) stock, description of model product
--
DROP INDEX IF EXISTS "catalog_product_bloom";
--
-- Create index catalog_product_home_spgist on field(s) homepage of model product
--
DROP INDEX IF EXISTS "catalog_product_home_spgist";
--
-- Create index catalog_product_sku_hash on field(s) sku of model product
--
DROP INDEX IF EXISTS "catalog_product_sku_hash";
--
-- Create index catalog_product_release_btree on field(s) release_date of model product
--
DROP INDEX IF EXISTS "catalog_product_release_btree";
--
-- Create index catalog_product_created_brin on field(s) created of model product
--
DROP INDEX IF EXISTS "catalog_product_created_brin";
--
-- Create index catalog_product_attrs_gin on field(s) attributes of model product
--
DROP INDEX IF EXISTS "catalog_product_attrs_gin";
--
-- Create index catalog_product_tags_gin on field(s) tags of model product
--
DROP INDEX IF EXISTS "catalog_product_tags_gin";
--
-- Create index catalog_product_upper_sku_new on Upper(F(sku)), OrderBy(F(created), descending=True) on model product
--
DROP INDEX IF EXISTS "catalog_product_upper_sku_new";
--
-- Create index catalog_product_lower_name on Lower(F(name)) on model product
--
DROP INDEX IF EXISTS "catalog_product_lower_name";
--
-- Create index catalog_product_name_like on field(s) name of model product
--
DROP INDEX IF EXISTS "catalog_product_name_like";
--
-- Create index catalog_product_sku_cover on field(s) sku of model product
--
DROP INDEX IF EXISTS "catalog_product_sku_cover";
--
-- Create index catalog_product_active_price on field(s) price of model product
--
DROP INDEX IF EXISTS "catalog_product_active_price";
--
-- Create index catalog_product_cat_price on field(s) category, -price of model product
--
DROP INDEX IF EXISTS "catalog_product_cat_price";
--
-- Create index catalog_product_created_desc on field(s) -created of model product
--
DROP INDEX IF EXISTS "catalog_product_created_desc";
--
-- Create index catalog_product_name_idx on field(s) name of model product
--
DROP INDEX IF EXISTS "catalog_product_name_idx";
COMMIT;
