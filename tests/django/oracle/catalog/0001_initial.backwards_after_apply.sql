BEGIN;
--
-- Create model Product
--
DROP TABLE "catalog_product" CASCADE;
--
-- Create model Category
--
DROP TABLE "catalog_category" CASCADE;
COMMIT;
