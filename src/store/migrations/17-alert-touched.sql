-- Schema v17 (issue 21): the alert check incremental by what changed.
--
-- alert_touched: for each escalation, the alert change counter
-- (alert_changes.n) of the last change to anything its alerts are derived
-- from (the case, its deadlines, tasks, access list, assignments, sign-off
-- requests, acknowledgements of its alerts); escalation_id 0 for a change
-- to the whole desk's (settings, staff, the rota, deadline rules, "nobody
-- on duty" acknowledged). An alert check that last looked at counter m
-- derives again only the alerts of the escalations touched since
-- (n > m), or every alert when 0 was touched: at 137,000 open cases a
-- change to one case costs that case's alerts, not 0.5 s. One row per
-- escalation ever touched (updated, never grown per change), so it is
-- bounded by the number of cases. Written as UPDATE then INSERT WHERE NOT
-- EXISTS, not INSERT OR REPLACE: inside a trigger the conflict policy of the
-- statement that fired it (an acknowledgement's INSERT OR IGNORE) would
-- override the trigger's own and leave the counter unrecorded.

CREATE TABLE alert_touched (
    escalation_id INTEGER PRIMARY KEY,
    n             INTEGER NOT NULL
);
CREATE INDEX alert_touched_by_n ON alert_touched (n);

DROP TRIGGER alert_changes_settings_insert;
CREATE TRIGGER alert_changes_settings_insert AFTER INSERT ON settings BEGIN
    UPDATE alert_changes SET n = n + 1 WHERE id = 1;
    UPDATE alert_touched SET n = (SELECT n FROM alert_changes WHERE id = 1)
        WHERE escalation_id = 0;
    INSERT INTO alert_touched (escalation_id, n)
        SELECT 0, n FROM alert_changes WHERE id = 1
        AND NOT EXISTS (SELECT 1 FROM alert_touched WHERE escalation_id = 0);
END;

DROP TRIGGER alert_changes_settings_update;
CREATE TRIGGER alert_changes_settings_update AFTER UPDATE ON settings BEGIN
    UPDATE alert_changes SET n = n + 1 WHERE id = 1;
    UPDATE alert_touched SET n = (SELECT n FROM alert_changes WHERE id = 1)
        WHERE escalation_id = 0;
    INSERT INTO alert_touched (escalation_id, n)
        SELECT 0, n FROM alert_changes WHERE id = 1
        AND NOT EXISTS (SELECT 1 FROM alert_touched WHERE escalation_id = 0);
END;

DROP TRIGGER alert_changes_settings_delete;
CREATE TRIGGER alert_changes_settings_delete AFTER DELETE ON settings BEGIN
    UPDATE alert_changes SET n = n + 1 WHERE id = 1;
    UPDATE alert_touched SET n = (SELECT n FROM alert_changes WHERE id = 1)
        WHERE escalation_id = 0;
    INSERT INTO alert_touched (escalation_id, n)
        SELECT 0, n FROM alert_changes WHERE id = 1
        AND NOT EXISTS (SELECT 1 FROM alert_touched WHERE escalation_id = 0);
END;

DROP TRIGGER alert_changes_staff_insert;
CREATE TRIGGER alert_changes_staff_insert AFTER INSERT ON staff BEGIN
    UPDATE alert_changes SET n = n + 1 WHERE id = 1;
    UPDATE alert_touched SET n = (SELECT n FROM alert_changes WHERE id = 1)
        WHERE escalation_id = 0;
    INSERT INTO alert_touched (escalation_id, n)
        SELECT 0, n FROM alert_changes WHERE id = 1
        AND NOT EXISTS (SELECT 1 FROM alert_touched WHERE escalation_id = 0);
END;

DROP TRIGGER alert_changes_staff_update;
CREATE TRIGGER alert_changes_staff_update AFTER UPDATE ON staff BEGIN
    UPDATE alert_changes SET n = n + 1 WHERE id = 1;
    UPDATE alert_touched SET n = (SELECT n FROM alert_changes WHERE id = 1)
        WHERE escalation_id = 0;
    INSERT INTO alert_touched (escalation_id, n)
        SELECT 0, n FROM alert_changes WHERE id = 1
        AND NOT EXISTS (SELECT 1 FROM alert_touched WHERE escalation_id = 0);
END;

DROP TRIGGER alert_changes_staff_delete;
CREATE TRIGGER alert_changes_staff_delete AFTER DELETE ON staff BEGIN
    UPDATE alert_changes SET n = n + 1 WHERE id = 1;
    UPDATE alert_touched SET n = (SELECT n FROM alert_changes WHERE id = 1)
        WHERE escalation_id = 0;
    INSERT INTO alert_touched (escalation_id, n)
        SELECT 0, n FROM alert_changes WHERE id = 1
        AND NOT EXISTS (SELECT 1 FROM alert_touched WHERE escalation_id = 0);
END;

DROP TRIGGER alert_changes_rota_insert;
CREATE TRIGGER alert_changes_rota_insert AFTER INSERT ON rota BEGIN
    UPDATE alert_changes SET n = n + 1 WHERE id = 1;
    UPDATE alert_touched SET n = (SELECT n FROM alert_changes WHERE id = 1)
        WHERE escalation_id = 0;
    INSERT INTO alert_touched (escalation_id, n)
        SELECT 0, n FROM alert_changes WHERE id = 1
        AND NOT EXISTS (SELECT 1 FROM alert_touched WHERE escalation_id = 0);
END;

DROP TRIGGER alert_changes_rota_update;
CREATE TRIGGER alert_changes_rota_update AFTER UPDATE ON rota BEGIN
    UPDATE alert_changes SET n = n + 1 WHERE id = 1;
    UPDATE alert_touched SET n = (SELECT n FROM alert_changes WHERE id = 1)
        WHERE escalation_id = 0;
    INSERT INTO alert_touched (escalation_id, n)
        SELECT 0, n FROM alert_changes WHERE id = 1
        AND NOT EXISTS (SELECT 1 FROM alert_touched WHERE escalation_id = 0);
END;

DROP TRIGGER alert_changes_rota_delete;
CREATE TRIGGER alert_changes_rota_delete AFTER DELETE ON rota BEGIN
    UPDATE alert_changes SET n = n + 1 WHERE id = 1;
    UPDATE alert_touched SET n = (SELECT n FROM alert_changes WHERE id = 1)
        WHERE escalation_id = 0;
    INSERT INTO alert_touched (escalation_id, n)
        SELECT 0, n FROM alert_changes WHERE id = 1
        AND NOT EXISTS (SELECT 1 FROM alert_touched WHERE escalation_id = 0);
END;

DROP TRIGGER alert_changes_rota_patterns_insert;
CREATE TRIGGER alert_changes_rota_patterns_insert AFTER INSERT ON rota_patterns BEGIN
    UPDATE alert_changes SET n = n + 1 WHERE id = 1;
    UPDATE alert_touched SET n = (SELECT n FROM alert_changes WHERE id = 1)
        WHERE escalation_id = 0;
    INSERT INTO alert_touched (escalation_id, n)
        SELECT 0, n FROM alert_changes WHERE id = 1
        AND NOT EXISTS (SELECT 1 FROM alert_touched WHERE escalation_id = 0);
END;

DROP TRIGGER alert_changes_rota_patterns_update;
CREATE TRIGGER alert_changes_rota_patterns_update AFTER UPDATE ON rota_patterns BEGIN
    UPDATE alert_changes SET n = n + 1 WHERE id = 1;
    UPDATE alert_touched SET n = (SELECT n FROM alert_changes WHERE id = 1)
        WHERE escalation_id = 0;
    INSERT INTO alert_touched (escalation_id, n)
        SELECT 0, n FROM alert_changes WHERE id = 1
        AND NOT EXISTS (SELECT 1 FROM alert_touched WHERE escalation_id = 0);
END;

DROP TRIGGER alert_changes_rota_patterns_delete;
CREATE TRIGGER alert_changes_rota_patterns_delete AFTER DELETE ON rota_patterns BEGIN
    UPDATE alert_changes SET n = n + 1 WHERE id = 1;
    UPDATE alert_touched SET n = (SELECT n FROM alert_changes WHERE id = 1)
        WHERE escalation_id = 0;
    INSERT INTO alert_touched (escalation_id, n)
        SELECT 0, n FROM alert_changes WHERE id = 1
        AND NOT EXISTS (SELECT 1 FROM alert_touched WHERE escalation_id = 0);
END;

DROP TRIGGER alert_changes_escalations_insert;
CREATE TRIGGER alert_changes_escalations_insert AFTER INSERT ON escalations BEGIN
    UPDATE alert_changes SET n = n + 1 WHERE id = 1;
    UPDATE alert_touched SET n = (SELECT n FROM alert_changes WHERE id = 1)
        WHERE escalation_id = coalesce(NEW.id, 0);
    INSERT INTO alert_touched (escalation_id, n)
        SELECT coalesce(NEW.id, 0), n FROM alert_changes WHERE id = 1
        AND NOT EXISTS (SELECT 1 FROM alert_touched WHERE escalation_id = coalesce(NEW.id, 0));
END;

DROP TRIGGER alert_changes_escalations_update;
CREATE TRIGGER alert_changes_escalations_update AFTER UPDATE ON escalations BEGIN
    UPDATE alert_changes SET n = n + 1 WHERE id = 1;
    UPDATE alert_touched SET n = (SELECT n FROM alert_changes WHERE id = 1)
        WHERE escalation_id = coalesce(NEW.id, 0);
    INSERT INTO alert_touched (escalation_id, n)
        SELECT coalesce(NEW.id, 0), n FROM alert_changes WHERE id = 1
        AND NOT EXISTS (SELECT 1 FROM alert_touched WHERE escalation_id = coalesce(NEW.id, 0));
END;

DROP TRIGGER alert_changes_escalations_delete;
CREATE TRIGGER alert_changes_escalations_delete AFTER DELETE ON escalations BEGIN
    UPDATE alert_changes SET n = n + 1 WHERE id = 1;
    UPDATE alert_touched SET n = (SELECT n FROM alert_changes WHERE id = 1)
        WHERE escalation_id = coalesce(OLD.id, 0);
    INSERT INTO alert_touched (escalation_id, n)
        SELECT coalesce(OLD.id, 0), n FROM alert_changes WHERE id = 1
        AND NOT EXISTS (SELECT 1 FROM alert_touched WHERE escalation_id = coalesce(OLD.id, 0));
END;

DROP TRIGGER alert_changes_escalation_access_insert;
CREATE TRIGGER alert_changes_escalation_access_insert AFTER INSERT ON escalation_access BEGIN
    UPDATE alert_changes SET n = n + 1 WHERE id = 1;
    UPDATE alert_touched SET n = (SELECT n FROM alert_changes WHERE id = 1)
        WHERE escalation_id = coalesce(NEW.escalation_id, 0);
    INSERT INTO alert_touched (escalation_id, n)
        SELECT coalesce(NEW.escalation_id, 0), n FROM alert_changes WHERE id = 1
        AND NOT EXISTS (SELECT 1 FROM alert_touched WHERE escalation_id = coalesce(NEW.escalation_id, 0));
END;

DROP TRIGGER alert_changes_escalation_access_update;
CREATE TRIGGER alert_changes_escalation_access_update AFTER UPDATE ON escalation_access BEGIN
    UPDATE alert_changes SET n = n + 1 WHERE id = 1;
    UPDATE alert_touched SET n = (SELECT n FROM alert_changes WHERE id = 1)
        WHERE escalation_id = coalesce(NEW.escalation_id, 0);
    INSERT INTO alert_touched (escalation_id, n)
        SELECT coalesce(NEW.escalation_id, 0), n FROM alert_changes WHERE id = 1
        AND NOT EXISTS (SELECT 1 FROM alert_touched WHERE escalation_id = coalesce(NEW.escalation_id, 0));
END;

DROP TRIGGER alert_changes_escalation_access_delete;
CREATE TRIGGER alert_changes_escalation_access_delete AFTER DELETE ON escalation_access BEGIN
    UPDATE alert_changes SET n = n + 1 WHERE id = 1;
    UPDATE alert_touched SET n = (SELECT n FROM alert_changes WHERE id = 1)
        WHERE escalation_id = coalesce(OLD.escalation_id, 0);
    INSERT INTO alert_touched (escalation_id, n)
        SELECT coalesce(OLD.escalation_id, 0), n FROM alert_changes WHERE id = 1
        AND NOT EXISTS (SELECT 1 FROM alert_touched WHERE escalation_id = coalesce(OLD.escalation_id, 0));
END;

DROP TRIGGER alert_changes_deadline_rules_insert;
CREATE TRIGGER alert_changes_deadline_rules_insert AFTER INSERT ON deadline_rules BEGIN
    UPDATE alert_changes SET n = n + 1 WHERE id = 1;
    UPDATE alert_touched SET n = (SELECT n FROM alert_changes WHERE id = 1)
        WHERE escalation_id = 0;
    INSERT INTO alert_touched (escalation_id, n)
        SELECT 0, n FROM alert_changes WHERE id = 1
        AND NOT EXISTS (SELECT 1 FROM alert_touched WHERE escalation_id = 0);
END;

DROP TRIGGER alert_changes_deadline_rules_update;
CREATE TRIGGER alert_changes_deadline_rules_update AFTER UPDATE ON deadline_rules BEGIN
    UPDATE alert_changes SET n = n + 1 WHERE id = 1;
    UPDATE alert_touched SET n = (SELECT n FROM alert_changes WHERE id = 1)
        WHERE escalation_id = 0;
    INSERT INTO alert_touched (escalation_id, n)
        SELECT 0, n FROM alert_changes WHERE id = 1
        AND NOT EXISTS (SELECT 1 FROM alert_touched WHERE escalation_id = 0);
END;

DROP TRIGGER alert_changes_deadline_rules_delete;
CREATE TRIGGER alert_changes_deadline_rules_delete AFTER DELETE ON deadline_rules BEGIN
    UPDATE alert_changes SET n = n + 1 WHERE id = 1;
    UPDATE alert_touched SET n = (SELECT n FROM alert_changes WHERE id = 1)
        WHERE escalation_id = 0;
    INSERT INTO alert_touched (escalation_id, n)
        SELECT 0, n FROM alert_changes WHERE id = 1
        AND NOT EXISTS (SELECT 1 FROM alert_touched WHERE escalation_id = 0);
END;

DROP TRIGGER alert_changes_deadlines_insert;
CREATE TRIGGER alert_changes_deadlines_insert AFTER INSERT ON deadlines BEGIN
    UPDATE alert_changes SET n = n + 1 WHERE id = 1;
    UPDATE alert_touched SET n = (SELECT n FROM alert_changes WHERE id = 1)
        WHERE escalation_id = coalesce(NEW.escalation_id, 0);
    INSERT INTO alert_touched (escalation_id, n)
        SELECT coalesce(NEW.escalation_id, 0), n FROM alert_changes WHERE id = 1
        AND NOT EXISTS (SELECT 1 FROM alert_touched WHERE escalation_id = coalesce(NEW.escalation_id, 0));
END;

DROP TRIGGER alert_changes_deadlines_update;
CREATE TRIGGER alert_changes_deadlines_update AFTER UPDATE ON deadlines BEGIN
    UPDATE alert_changes SET n = n + 1 WHERE id = 1;
    UPDATE alert_touched SET n = (SELECT n FROM alert_changes WHERE id = 1)
        WHERE escalation_id = coalesce(NEW.escalation_id, 0);
    INSERT INTO alert_touched (escalation_id, n)
        SELECT coalesce(NEW.escalation_id, 0), n FROM alert_changes WHERE id = 1
        AND NOT EXISTS (SELECT 1 FROM alert_touched WHERE escalation_id = coalesce(NEW.escalation_id, 0));
END;

DROP TRIGGER alert_changes_deadlines_delete;
CREATE TRIGGER alert_changes_deadlines_delete AFTER DELETE ON deadlines BEGIN
    UPDATE alert_changes SET n = n + 1 WHERE id = 1;
    UPDATE alert_touched SET n = (SELECT n FROM alert_changes WHERE id = 1)
        WHERE escalation_id = coalesce(OLD.escalation_id, 0);
    INSERT INTO alert_touched (escalation_id, n)
        SELECT coalesce(OLD.escalation_id, 0), n FROM alert_changes WHERE id = 1
        AND NOT EXISTS (SELECT 1 FROM alert_touched WHERE escalation_id = coalesce(OLD.escalation_id, 0));
END;

DROP TRIGGER alert_changes_tasks_insert;
CREATE TRIGGER alert_changes_tasks_insert AFTER INSERT ON tasks BEGIN
    UPDATE alert_changes SET n = n + 1 WHERE id = 1;
    UPDATE alert_touched SET n = (SELECT n FROM alert_changes WHERE id = 1)
        WHERE escalation_id = coalesce(NEW.escalation_id, 0);
    INSERT INTO alert_touched (escalation_id, n)
        SELECT coalesce(NEW.escalation_id, 0), n FROM alert_changes WHERE id = 1
        AND NOT EXISTS (SELECT 1 FROM alert_touched WHERE escalation_id = coalesce(NEW.escalation_id, 0));
END;

DROP TRIGGER alert_changes_tasks_update;
CREATE TRIGGER alert_changes_tasks_update AFTER UPDATE ON tasks BEGIN
    UPDATE alert_changes SET n = n + 1 WHERE id = 1;
    UPDATE alert_touched SET n = (SELECT n FROM alert_changes WHERE id = 1)
        WHERE escalation_id = coalesce(NEW.escalation_id, 0);
    INSERT INTO alert_touched (escalation_id, n)
        SELECT coalesce(NEW.escalation_id, 0), n FROM alert_changes WHERE id = 1
        AND NOT EXISTS (SELECT 1 FROM alert_touched WHERE escalation_id = coalesce(NEW.escalation_id, 0));
END;

DROP TRIGGER alert_changes_tasks_delete;
CREATE TRIGGER alert_changes_tasks_delete AFTER DELETE ON tasks BEGIN
    UPDATE alert_changes SET n = n + 1 WHERE id = 1;
    UPDATE alert_touched SET n = (SELECT n FROM alert_changes WHERE id = 1)
        WHERE escalation_id = coalesce(OLD.escalation_id, 0);
    INSERT INTO alert_touched (escalation_id, n)
        SELECT coalesce(OLD.escalation_id, 0), n FROM alert_changes WHERE id = 1
        AND NOT EXISTS (SELECT 1 FROM alert_touched WHERE escalation_id = coalesce(OLD.escalation_id, 0));
END;

DROP TRIGGER alert_changes_alert_acks_insert;
CREATE TRIGGER alert_changes_alert_acks_insert AFTER INSERT ON alert_acks BEGIN
    UPDATE alert_changes SET n = n + 1 WHERE id = 1;
    UPDATE alert_touched SET n = (SELECT n FROM alert_changes WHERE id = 1)
        WHERE escalation_id = coalesce(CASE NEW.kind
        WHEN 'unacknowledged' THEN NEW.subject_id
        WHEN 'overdue' THEN (SELECT escalation_id FROM deadlines WHERE id = NEW.subject_id)
        WHEN 'due_soon' THEN (SELECT escalation_id FROM deadlines WHERE id = NEW.subject_id)
        WHEN 'signoff' THEN (SELECT escalation_id FROM chronology WHERE id = NEW.subject_id)
        ELSE 0 END, 0);
    INSERT INTO alert_touched (escalation_id, n)
        SELECT coalesce(CASE NEW.kind
        WHEN 'unacknowledged' THEN NEW.subject_id
        WHEN 'overdue' THEN (SELECT escalation_id FROM deadlines WHERE id = NEW.subject_id)
        WHEN 'due_soon' THEN (SELECT escalation_id FROM deadlines WHERE id = NEW.subject_id)
        WHEN 'signoff' THEN (SELECT escalation_id FROM chronology WHERE id = NEW.subject_id)
        ELSE 0 END, 0), n FROM alert_changes WHERE id = 1
        AND NOT EXISTS (SELECT 1 FROM alert_touched WHERE escalation_id = coalesce(CASE NEW.kind
        WHEN 'unacknowledged' THEN NEW.subject_id
        WHEN 'overdue' THEN (SELECT escalation_id FROM deadlines WHERE id = NEW.subject_id)
        WHEN 'due_soon' THEN (SELECT escalation_id FROM deadlines WHERE id = NEW.subject_id)
        WHEN 'signoff' THEN (SELECT escalation_id FROM chronology WHERE id = NEW.subject_id)
        ELSE 0 END, 0));
END;

DROP TRIGGER alert_changes_alert_acks_update;
CREATE TRIGGER alert_changes_alert_acks_update AFTER UPDATE ON alert_acks BEGIN
    UPDATE alert_changes SET n = n + 1 WHERE id = 1;
    UPDATE alert_touched SET n = (SELECT n FROM alert_changes WHERE id = 1)
        WHERE escalation_id = coalesce(CASE NEW.kind
        WHEN 'unacknowledged' THEN NEW.subject_id
        WHEN 'overdue' THEN (SELECT escalation_id FROM deadlines WHERE id = NEW.subject_id)
        WHEN 'due_soon' THEN (SELECT escalation_id FROM deadlines WHERE id = NEW.subject_id)
        WHEN 'signoff' THEN (SELECT escalation_id FROM chronology WHERE id = NEW.subject_id)
        ELSE 0 END, 0);
    INSERT INTO alert_touched (escalation_id, n)
        SELECT coalesce(CASE NEW.kind
        WHEN 'unacknowledged' THEN NEW.subject_id
        WHEN 'overdue' THEN (SELECT escalation_id FROM deadlines WHERE id = NEW.subject_id)
        WHEN 'due_soon' THEN (SELECT escalation_id FROM deadlines WHERE id = NEW.subject_id)
        WHEN 'signoff' THEN (SELECT escalation_id FROM chronology WHERE id = NEW.subject_id)
        ELSE 0 END, 0), n FROM alert_changes WHERE id = 1
        AND NOT EXISTS (SELECT 1 FROM alert_touched WHERE escalation_id = coalesce(CASE NEW.kind
        WHEN 'unacknowledged' THEN NEW.subject_id
        WHEN 'overdue' THEN (SELECT escalation_id FROM deadlines WHERE id = NEW.subject_id)
        WHEN 'due_soon' THEN (SELECT escalation_id FROM deadlines WHERE id = NEW.subject_id)
        WHEN 'signoff' THEN (SELECT escalation_id FROM chronology WHERE id = NEW.subject_id)
        ELSE 0 END, 0));
END;

DROP TRIGGER alert_changes_alert_acks_delete;
CREATE TRIGGER alert_changes_alert_acks_delete AFTER DELETE ON alert_acks BEGIN
    UPDATE alert_changes SET n = n + 1 WHERE id = 1;
    UPDATE alert_touched SET n = (SELECT n FROM alert_changes WHERE id = 1)
        WHERE escalation_id = coalesce(CASE OLD.kind
        WHEN 'unacknowledged' THEN OLD.subject_id
        WHEN 'overdue' THEN (SELECT escalation_id FROM deadlines WHERE id = OLD.subject_id)
        WHEN 'due_soon' THEN (SELECT escalation_id FROM deadlines WHERE id = OLD.subject_id)
        WHEN 'signoff' THEN (SELECT escalation_id FROM chronology WHERE id = OLD.subject_id)
        ELSE 0 END, 0);
    INSERT INTO alert_touched (escalation_id, n)
        SELECT coalesce(CASE OLD.kind
        WHEN 'unacknowledged' THEN OLD.subject_id
        WHEN 'overdue' THEN (SELECT escalation_id FROM deadlines WHERE id = OLD.subject_id)
        WHEN 'due_soon' THEN (SELECT escalation_id FROM deadlines WHERE id = OLD.subject_id)
        WHEN 'signoff' THEN (SELECT escalation_id FROM chronology WHERE id = OLD.subject_id)
        ELSE 0 END, 0), n FROM alert_changes WHERE id = 1
        AND NOT EXISTS (SELECT 1 FROM alert_touched WHERE escalation_id = coalesce(CASE OLD.kind
        WHEN 'unacknowledged' THEN OLD.subject_id
        WHEN 'overdue' THEN (SELECT escalation_id FROM deadlines WHERE id = OLD.subject_id)
        WHEN 'due_soon' THEN (SELECT escalation_id FROM deadlines WHERE id = OLD.subject_id)
        WHEN 'signoff' THEN (SELECT escalation_id FROM chronology WHERE id = OLD.subject_id)
        ELSE 0 END, 0));
END;

DROP TRIGGER alert_changes_assignments_insert;
CREATE TRIGGER alert_changes_assignments_insert AFTER INSERT ON assignments BEGIN
    UPDATE alert_changes SET n = n + 1 WHERE id = 1;
    UPDATE alert_touched SET n = (SELECT n FROM alert_changes WHERE id = 1)
        WHERE escalation_id = coalesce(NEW.escalation_id, 0);
    INSERT INTO alert_touched (escalation_id, n)
        SELECT coalesce(NEW.escalation_id, 0), n FROM alert_changes WHERE id = 1
        AND NOT EXISTS (SELECT 1 FROM alert_touched WHERE escalation_id = coalesce(NEW.escalation_id, 0));
END;

DROP TRIGGER alert_changes_chronology_insert;
CREATE TRIGGER alert_changes_chronology_insert AFTER INSERT ON chronology
    WHEN NEW.kind IN ('assigned', 'signoff_requested') BEGIN
    UPDATE alert_changes SET n = n + 1 WHERE id = 1;
    UPDATE alert_touched SET n = (SELECT n FROM alert_changes WHERE id = 1)
        WHERE escalation_id = coalesce(NEW.escalation_id, 0);
    INSERT INTO alert_touched (escalation_id, n)
        SELECT coalesce(NEW.escalation_id, 0), n FROM alert_changes WHERE id = 1
        AND NOT EXISTS (SELECT 1 FROM alert_touched WHERE escalation_id = coalesce(NEW.escalation_id, 0));
END;
