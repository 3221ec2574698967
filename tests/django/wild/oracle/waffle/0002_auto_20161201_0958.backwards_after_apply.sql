BEGIN;
--
-- Alter field active on switch
--
-- (no-op)
COMMIT;
