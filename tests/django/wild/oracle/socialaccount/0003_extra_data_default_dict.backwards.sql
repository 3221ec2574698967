BEGIN;
--
-- Alter field extra_data on socialaccount
--
-- (no-op)
COMMIT;
