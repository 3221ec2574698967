BEGIN;
--
-- Alter field slug on tag
--
-- (no-op)
COMMIT;
