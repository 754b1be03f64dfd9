-- How many escalations are open (schema v16, issue 21), kept by triggers as a
-- status crosses 'closed': the dashboard's count reads one row instead of
-- counting 137,000 index entries on every refresh. What a viewer may not see
-- is taken away from it (store::escalations). `dutydesk verify` recounts it.
CREATE TABLE escalations_open_tally (
    id INTEGER PRIMARY KEY CHECK (id = 1),
    n  INTEGER NOT NULL CHECK (n >= 0)
);
INSERT INTO escalations_open_tally (id, n)
    SELECT 1, count(*) FROM escalations WHERE status <> 'closed';
CREATE TRIGGER escalations_open_tally_insert AFTER INSERT ON escalations
    WHEN NEW.status <> 'closed' BEGIN
    UPDATE escalations_open_tally SET n = n + 1 WHERE id = 1;
END;
CREATE TRIGGER escalations_open_tally_status AFTER UPDATE OF status ON escalations
    WHEN (OLD.status = 'closed') <> (NEW.status = 'closed') BEGIN
    UPDATE escalations_open_tally SET n = n + CASE NEW.status WHEN 'closed' THEN -1 ELSE 1 END
    WHERE id = 1;
END;
CREATE TRIGGER escalations_open_tally_delete AFTER DELETE ON escalations
    WHEN OLD.status <> 'closed' BEGIN
    UPDATE escalations_open_tally SET n = n - 1 WHERE id = 1;
END;
