BEGIN;
--
-- Alter field everyone on flag
--
-- (no-op)
COMMIT;
