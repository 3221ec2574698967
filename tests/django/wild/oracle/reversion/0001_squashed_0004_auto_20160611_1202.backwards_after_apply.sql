BEGIN;
--
-- Alter unique_together for version (1 constraint(s))
--
ALTER TABLE "reversion_version" DROP CONSTRAINT "reversion_version_db_content_type_id_objec_b2c54f65_uniq";
--
-- Create model Version
--
DROP TABLE "reversion_version" CASCADE;
--
-- Create model Revision
--
DROP TABLE "reversion_revision" CASCADE;
COMMIT;
