-- For the review counts on the dashboard (schema v3): each kind of agenda item
-- is counted from an index alone, without reading the rows behind it.
CREATE INDEX deadlines_missed ON deadlines (due_at, escalation_id, met_at, waived_at)
    WHERE waived_at IS NULL AND (met_at IS NULL OR met_at > due_at);
CREATE INDEX escalations_open_by_raised ON escalations (raised_at, status)
    WHERE status <> 'closed';
CREATE INDEX escalations_restricted
    ON escalations (id, closed_at, signed_off_at, raised_at, status) WHERE restricted = 1;
CREATE INDEX deadlines_missed_by_escalation ON deadlines (escalation_id, due_at, met_at, waived_at)
    WHERE waived_at IS NULL AND (met_at IS NULL OR met_at > due_at);
CREATE INDEX deadlines_waived_by_hand ON deadlines (waived_at, escalation_id, waived_reason)
    WHERE waived_at IS NOT NULL AND waived_reason <> 'escalation closed';
DROP INDEX chronology_reopened;
CREATE INDEX chronology_reopened ON chronology (at, escalation_id) WHERE kind = 'reopened';

-- Referrals still awaiting an outcome, per open escalation (schema v3): kept by
-- triggers, so the review counts read a few thousand rows, not every open
-- escalation and its referrals. Each trigger recounts the one escalation.
CREATE TABLE referrals_pending (
    escalation_id INTEGER PRIMARY KEY,
    n             INTEGER NOT NULL CHECK (n > 0)
);
CREATE TRIGGER referrals_pending_insert AFTER INSERT ON referrals BEGIN
    DELETE FROM referrals_pending WHERE escalation_id = NEW.escalation_id;
    INSERT INTO referrals_pending (escalation_id, n)
        SELECT e.id, count(*) FROM escalations e JOIN referrals r ON r.escalation_id = e.id
        WHERE e.id = NEW.escalation_id AND e.status <> 'closed' AND r.outcome IS NULL
        GROUP BY e.id;
END;
CREATE TRIGGER referrals_pending_update AFTER UPDATE OF outcome, escalation_id ON referrals BEGIN
    DELETE FROM referrals_pending WHERE escalation_id IN (NEW.escalation_id, OLD.escalation_id);
    INSERT INTO referrals_pending (escalation_id, n)
        SELECT e.id, count(*) FROM escalations e JOIN referrals r ON r.escalation_id = e.id
        WHERE e.id IN (NEW.escalation_id, OLD.escalation_id) AND e.status <> 'closed'
          AND r.outcome IS NULL
        GROUP BY e.id;
END;
CREATE TRIGGER referrals_pending_delete AFTER DELETE ON referrals BEGIN
    DELETE FROM referrals_pending WHERE escalation_id = OLD.escalation_id;
    INSERT INTO referrals_pending (escalation_id, n)
        SELECT e.id, count(*) FROM escalations e JOIN referrals r ON r.escalation_id = e.id
        WHERE e.id = OLD.escalation_id AND e.status <> 'closed' AND r.outcome IS NULL
        GROUP BY e.id;
END;
CREATE TRIGGER referrals_pending_status AFTER UPDATE OF status ON escalations
WHEN (OLD.status = 'closed') <> (NEW.status = 'closed') BEGIN
    DELETE FROM referrals_pending WHERE escalation_id = NEW.id;
    INSERT INTO referrals_pending (escalation_id, n)
        SELECT e.id, count(*) FROM escalations e JOIN referrals r ON r.escalation_id = e.id
        WHERE e.id = NEW.id AND e.status <> 'closed' AND r.outcome IS NULL
        GROUP BY e.id;
END;
INSERT INTO referrals_pending (escalation_id, n)
    SELECT e.id, count(*) FROM escalations e JOIN referrals r ON r.escalation_id = e.id
    WHERE e.status <> 'closed' AND r.outcome IS NULL
    GROUP BY e.id;

-- Deadlines of restricted escalations (schema v3), kept by triggers: the review
-- counts of a DSL not named on restricted records take their share away from
-- this small table, not from the whole history.
CREATE TABLE deadlines_restricted (
    deadline_id   INTEGER PRIMARY KEY,
    escalation_id INTEGER NOT NULL,
    due_at        INTEGER NOT NULL,
    met_at        INTEGER,
    waived_at     INTEGER
);
CREATE INDEX deadlines_restricted_missed
    ON deadlines_restricted (due_at, escalation_id, met_at, waived_at)
    WHERE waived_at IS NULL AND (met_at IS NULL OR met_at > due_at);
CREATE TRIGGER deadlines_restricted_insert AFTER INSERT ON deadlines
WHEN (SELECT restricted FROM escalations WHERE id = NEW.escalation_id) = 1 BEGIN
    INSERT OR REPLACE INTO deadlines_restricted (deadline_id, escalation_id, due_at, met_at, waived_at)
        VALUES (NEW.id, NEW.escalation_id, NEW.due_at, NEW.met_at, NEW.waived_at);
END;
CREATE TRIGGER deadlines_restricted_update AFTER UPDATE ON deadlines BEGIN
    DELETE FROM deadlines_restricted WHERE deadline_id = OLD.id;
    INSERT INTO deadlines_restricted (deadline_id, escalation_id, due_at, met_at, waived_at)
        SELECT NEW.id, NEW.escalation_id, NEW.due_at, NEW.met_at, NEW.waived_at
        WHERE (SELECT restricted FROM escalations WHERE id = NEW.escalation_id) = 1;
END;
CREATE TRIGGER deadlines_restricted_delete AFTER DELETE ON deadlines BEGIN
    DELETE FROM deadlines_restricted WHERE deadline_id = OLD.id;
END;
CREATE TRIGGER deadlines_restricted_flag AFTER UPDATE OF restricted ON escalations
WHEN OLD.restricted <> NEW.restricted BEGIN
    DELETE FROM deadlines_restricted WHERE escalation_id = NEW.id;
    INSERT INTO deadlines_restricted (deadline_id, escalation_id, due_at, met_at, waived_at)
        SELECT id, escalation_id, due_at, met_at, waived_at FROM deadlines
        WHERE escalation_id = NEW.id AND NEW.restricted = 1;
END;
INSERT INTO deadlines_restricted (deadline_id, escalation_id, due_at, met_at, waived_at)
    SELECT d.id, d.escalation_id, d.due_at, d.met_at, d.waived_at
    FROM deadlines d JOIN escalations e ON e.id = d.escalation_id
    WHERE e.restricted = 1;
