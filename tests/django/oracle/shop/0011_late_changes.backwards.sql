BEGIN;
--
-- Add field api_key to client
--
ALTER TABLE "shop_client" DROP COLUMN "api_key" CASCADE;
COMMIT;
