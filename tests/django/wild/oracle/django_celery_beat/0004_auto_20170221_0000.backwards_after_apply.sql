BEGIN;
--
-- Alter field longitude on solarschedule
--
-- (no-op)
COMMIT;
