BEGIN;
--
-- Remove field trusted from accesslog
--
ALTER TABLE "axes_accesslog" ADD COLUMN "trusted" boolean DEFAULT false NOT NULL;
ALTER TABLE "axes_accesslog" ALTER COLUMN "trusted" DROP DEFAULT;
CREATE INDEX "axes_accesslog_trusted_496c5681" ON "axes_accesslog" ("trusted");
COMMIT;
