BEGIN;
--
-- Add field api_key to client
--
ALTER TABLE "shop_client" ADD COLUMN "api_key" uuid DEFAULT 'bd1e703a71a54140b3554c11111363ec'::uuid NOT NULL UNIQUE;
ALTER TABLE "shop_client" ALTER COLUMN "api_key" DROP DEFAULT;
COMMIT;
