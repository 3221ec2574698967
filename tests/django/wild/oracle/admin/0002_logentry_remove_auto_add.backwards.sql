BEGIN;
--
-- Alter field action_time on logentry
--
-- (no-op)
COMMIT;
