BEGIN;
--
-- Alter field client_secret on application
--
-- (no-op)
COMMIT;
