BEGIN;
--
-- Alter field event on solarschedule
--
-- (no-op)
COMMIT;
