BEGIN;
--
-- Raw SQL operation
--
DROP TABLE ops_audit;
--
-- Raw SQL operation
--
-- (no-op)
--
-- Raw SQL operation
--

                DROP TRIGGER ops_ticket_search ON ops_ticket;
                DROP FUNCTION ops_ticket_search_update();
            
--
-- Raw SQL operation
--
DELETE FROM ops_ticket WHERE title = 'Welcome';
--
-- Raw SQL operation
--
ALTER TABLE ops_ticket DROP COLUMN search_vector;
--
-- Raw SQL operation
--
DROP INDEX ops_ticket_title_trgm;
COMMIT;
