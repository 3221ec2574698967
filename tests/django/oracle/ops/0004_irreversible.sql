BEGIN;
--
-- Raw Python operation
--
-- THIS OPERATION CANNOT BE WRITTEN AS SQL
--
-- Raw SQL operation
--
UPDATE ops_ticket SET body = '' WHERE body IS NULL;
COMMIT;
