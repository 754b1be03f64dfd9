-- Schema v19 (issue 21, a case's place in a queue of 137,000): counting where
-- a case in the middle of the queue stands read 64,000 index entries of its
-- band and scanned every open case with a warning time to count the band
-- before it (10-12 ms at 1M, twice the budget). Now:
--
-- escalations_queue_tally: how many open escalations there are per step of
-- the last band's order (store::escalations::Band::Rest: risk rank, whether
-- a deadline is due, the next deadline, when raised), every open case
-- counted whatever its band or restriction. Cases with a deadline are
-- counted per UTC hour of it (bucket = next_due_at / 3600), cases without
-- one per UTC day they were raised (bucket = raised_at / 86400). A case's
-- place is then the steps before its own plus the few rows of its own
-- step, less the open cases of the earlier bands and those hidden from the
-- viewer (both small sets, read from their own indexes). Kept by the
-- triggers below as a case opens, closes, or its risk, next deadline or
-- raised time moves; steps with nobody left are deleted, so the table holds
-- at most one row per open case. Written as UPDATE then INSERT WHERE NOT
-- EXISTS, not an upsert: see schema v17. `dutydesk verify` recounts it.
CREATE TABLE escalations_queue_tally (
    rank   INTEGER NOT NULL,
    nodue  INTEGER NOT NULL,
    bucket INTEGER NOT NULL,
    n      INTEGER NOT NULL CHECK (n > 0),
    PRIMARY KEY (rank, nodue, bucket)
) WITHOUT ROWID;
INSERT INTO escalations_queue_tally (rank, nodue, bucket, n)
    SELECT CASE risk WHEN 'high' THEN 0 WHEN 'medium' THEN 1 ELSE 2 END,
        next_due_at IS NULL,
        CASE WHEN next_due_at IS NULL THEN raised_at / 86400 ELSE next_due_at / 3600 END,
        count(*)
    FROM escalations WHERE status <> 'closed' GROUP BY 1, 2, 3;
CREATE TRIGGER escalations_queue_tally_insert AFTER INSERT ON escalations
    WHEN NEW.status <> 'closed' BEGIN
    UPDATE escalations_queue_tally SET n = n + 1
        WHERE rank = CASE NEW.risk WHEN 'high' THEN 0 WHEN 'medium' THEN 1 ELSE 2 END
          AND nodue = (NEW.next_due_at IS NULL)
          AND bucket = CASE WHEN NEW.next_due_at IS NULL THEN NEW.raised_at / 86400
                            ELSE NEW.next_due_at / 3600 END;
    INSERT INTO escalations_queue_tally (rank, nodue, bucket, n)
        SELECT CASE NEW.risk WHEN 'high' THEN 0 WHEN 'medium' THEN 1 ELSE 2 END,
            NEW.next_due_at IS NULL,
            CASE WHEN NEW.next_due_at IS NULL THEN NEW.raised_at / 86400
                 ELSE NEW.next_due_at / 3600 END,
            1
        WHERE NOT EXISTS (SELECT 1 FROM escalations_queue_tally WHERE rank = CASE NEW.risk WHEN 'high' THEN 0 WHEN 'medium' THEN 1 ELSE 2 END
          AND nodue = (NEW.next_due_at IS NULL)
          AND bucket = CASE WHEN NEW.next_due_at IS NULL THEN NEW.raised_at / 86400
                            ELSE NEW.next_due_at / 3600 END);
END;
CREATE TRIGGER escalations_queue_tally_update
AFTER UPDATE OF status, risk, next_due_at, raised_at ON escalations
    WHEN (OLD.status <> 'closed') IS NOT (NEW.status <> 'closed')
      OR (NEW.status <> 'closed' AND (OLD.risk IS NOT NEW.risk
          OR OLD.next_due_at IS NOT NEW.next_due_at OR OLD.raised_at IS NOT NEW.raised_at)) BEGIN
    DELETE FROM escalations_queue_tally
        WHERE OLD.status <> 'closed' AND n = 1 AND rank = CASE OLD.risk WHEN 'high' THEN 0 WHEN 'medium' THEN 1 ELSE 2 END
          AND nodue = (OLD.next_due_at IS NULL)
          AND bucket = CASE WHEN OLD.next_due_at IS NULL THEN OLD.raised_at / 86400
                            ELSE OLD.next_due_at / 3600 END;
    UPDATE escalations_queue_tally SET n = n - 1
        WHERE OLD.status <> 'closed' AND rank = CASE OLD.risk WHEN 'high' THEN 0 WHEN 'medium' THEN 1 ELSE 2 END
          AND nodue = (OLD.next_due_at IS NULL)
          AND bucket = CASE WHEN OLD.next_due_at IS NULL THEN OLD.raised_at / 86400
                            ELSE OLD.next_due_at / 3600 END;
    UPDATE escalations_queue_tally SET n = n + 1
        WHERE NEW.status <> 'closed' AND rank = CASE NEW.risk WHEN 'high' THEN 0 WHEN 'medium' THEN 1 ELSE 2 END
          AND nodue = (NEW.next_due_at IS NULL)
          AND bucket = CASE WHEN NEW.next_due_at IS NULL THEN NEW.raised_at / 86400
                            ELSE NEW.next_due_at / 3600 END;
    INSERT INTO escalations_queue_tally (rank, nodue, bucket, n)
        SELECT CASE NEW.risk WHEN 'high' THEN 0 WHEN 'medium' THEN 1 ELSE 2 END,
            NEW.next_due_at IS NULL,
            CASE WHEN NEW.next_due_at IS NULL THEN NEW.raised_at / 86400
                 ELSE NEW.next_due_at / 3600 END,
            1
        WHERE NEW.status <> 'closed' AND NOT EXISTS (SELECT 1 FROM escalations_queue_tally WHERE rank = CASE NEW.risk WHEN 'high' THEN 0 WHEN 'medium' THEN 1 ELSE 2 END
          AND nodue = (NEW.next_due_at IS NULL)
          AND bucket = CASE WHEN NEW.next_due_at IS NULL THEN NEW.raised_at / 86400
                            ELSE NEW.next_due_at / 3600 END);
END;
CREATE TRIGGER escalations_queue_tally_delete AFTER DELETE ON escalations
    WHEN OLD.status <> 'closed' BEGIN
    DELETE FROM escalations_queue_tally
        WHERE n = 1 AND rank = CASE OLD.risk WHEN 'high' THEN 0 WHEN 'medium' THEN 1 ELSE 2 END
          AND nodue = (OLD.next_due_at IS NULL)
          AND bucket = CASE WHEN OLD.next_due_at IS NULL THEN OLD.raised_at / 86400
                            ELSE OLD.next_due_at / 3600 END;
    UPDATE escalations_queue_tally SET n = n - 1
        WHERE rank = CASE OLD.risk WHEN 'high' THEN 0 WHEN 'medium' THEN 1 ELSE 2 END
          AND nodue = (OLD.next_due_at IS NULL)
          AND bucket = CASE WHEN OLD.next_due_at IS NULL THEN OLD.raised_at / 86400
                            ELSE OLD.next_due_at / 3600 END;
END;
-- The open cases whose deadline warns (the queue's third band), found by
-- when it started to warn: counting that band read every open case with a
-- warning time (50,000 at 137,000 open) to keep the ones already warning.
CREATE INDEX escalations_open_by_warn ON escalations (
    next_warn_at, risk, next_due_at, raised_at, id,
    immediate_risk, emergency_called_at, acknowledged_at, restricted, status
) WHERE status <> 'closed' AND next_warn_at IS NOT NULL;
-- Unacknowledged open cases carry what the last band's order looks at, so a
-- case's place is corrected for them from the index alone.
DROP INDEX escalations_unacknowledged;
CREATE INDEX escalations_unacknowledged ON escalations (
    raised_at, id, risk, next_due_at, immediate_risk, emergency_called_at, restricted,
    acknowledged_at, status
) WHERE status <> 'closed' AND acknowledged_at IS NULL;
