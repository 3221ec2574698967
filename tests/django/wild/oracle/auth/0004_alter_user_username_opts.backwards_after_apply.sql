BEGIN;
--
-- Alter field username on user
--
-- (no-op)
COMMIT;
