BEGIN;
--
-- Alter field day_of_week on crontabschedule
--
-- (no-op)
COMMIT;
