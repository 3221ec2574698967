BEGIN;
--
-- Remove field trusted from accessattempt
--
ALTER TABLE "axes_accessattempt" ADD COLUMN "trusted" boolean DEFAULT false NOT NULL;
ALTER TABLE "axes_accessattempt" ALTER COLUMN "trusted" DROP DEFAULT;
CREATE INDEX "axes_accessattempt_trusted_0eddf52e" ON "axes_accessattempt" ("trusted");
COMMIT;
