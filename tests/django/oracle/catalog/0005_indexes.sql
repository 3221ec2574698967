BEGIN;
--
-- Create index catalog_product_name_idx on field(s) name of model product
--
CREATE INDEX "catalog_product_name_idx" ON "catalog_product" ("name");
--
-- Create index catalog_product_created_desc on field(s) -created of model product
--
CREATE INDEX "catalog_product_created_desc" ON "catalog_product" ("created" DESC);
--
-- Create index catalog_product_cat_price on field(s) category, -price of model product
--
CREATE INDEX "catalog_product_cat_price" ON "catalog_product" ("category_id", "price" DESC);
--
-- Create index catalog_product_active_price on field(s) price of model product
--
CREATE INDEX "catalog_product_active_price" ON "catalog_product" ("price") WHERE "is_active";
--
-- Create index catalog_product_sku_cover on field(s) sku of model product
--
CREATE INDEX "catalog_product_sku_cover" ON "catalog_product" ("sku") INCLUDE ("name", "price");
--
-- Create index catalog_product_name_like on field(s) name of model product
--
CREATE INDEX "catalog_product_name_like" ON "catalog_product" ("name" varchar_pattern_ops);
--
-- Create index catalog_product_lower_name on Lower(F(name)) on model product
--
CREATE INDEX "catalog_product_lower_name" ON "catalog_product" ((LOWER("name")));
--
-- Create index catalog_product_upper_sku_new on Upper(F(sku)), OrderBy(F(created), descending=True) on model product
--
CREATE INDEX "catalog_product_upper_sku_new" ON "catalog_product" ((UPPER("sku")), "created" DESC);
--
-- Create index catalog_product_tags_gin on field(s) tags of model product
--
CREATE INDEX "catalog_product_tags_gin" ON "catalog_product" USING gin ("tags");
--
-- Create index catalog_product_attrs_gin on field(s) attributes of model product
--
CREATE INDEX "catalog_product_attrs_gin" ON "catalog_product" USING gin ("attributes") WITH (fastupdate = off);
--
-- Create index catalog_product_created_brin on field(s) created of model product
--
CREATE INDEX "catalog_product_created_brin" ON "catalog_product" USING brin ("created") WITH (autosummarize = on, pages_per_range = 16);
--
-- Create index catalog_product_release_btree on field(s) release_date of model product
--
CREATE INDEX "catalog_product_release_btree" ON "catalog_product" USING btree ("release_date") WITH (fillfactor = 80, deduplicate_items = off);
--
-- Create index catalog_product_sku_hash on field(s) sku of model product
--
CREATE INDEX "catalog_product_sku_hash" ON "catalog_product" USING hash ("sku") WITH (fillfactor = 90);
--
-- Create index catalog_product_home_spgist on field(s) homepage of model product
--
CREATE INDEX "catalog_product_home_spgist" ON "catalog_product" USING spgist ("homepage");
--
-- Create index catalog_product_bloom on field(s) stock, description of model product
--
CREATE INDEX "catalog_product_bloom" ON "catalog_product" USING bloom ("stock", "description") WITH (length = 80, col1 = 4, col2 = 2);
--
-- Create index catalog_promo_days_gist on field(s) days of model promotion
--
CREATE INDEX "catalog_promo_days_gist" ON "catalog_promotion" USING gist ("days") WITH (buffering = on, fillfactor = 70);
--
-- Create index catalog_promo_qty_spgist on field(s) quantity of model promotion
--
CREATE INDEX "catalog_promo_qty_spgist" ON "catalog_promotion" USING spgist ("quantity") WITH (fillfactor = 80);
--
-- Create index catalog_promo_metadata_gin on field(s) metadata of model promotion
--
CREATE INDEX "catalog_promo_metadata_gin" ON "catalog_promotion" USING gin ("metadata");
--
-- Create index catalog_promo_ranges_gist on field(s) price, order_total_cents of model promotion
--
CREATE INDEX "catalog_promo_ranges_gist" ON "catalog_promotion" USING gist ("price", "order_total_cents");
COMMIT;
