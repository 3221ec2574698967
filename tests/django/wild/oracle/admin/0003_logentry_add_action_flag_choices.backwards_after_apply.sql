BEGIN;
--
-- Alter field action_flag on logentry
--
-- (no-op)
COMMIT;
