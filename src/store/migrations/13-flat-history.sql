-- Schema v13 (issue 21): a decade of history costs no more than a week's.
--
-- * chronology_by_at: the handover's changes since the outgoing shift began
--   read the newest entries first, not the whole chronology.
-- * audit_log_by_actor, audit_log_by_at: `dutydesk audit --user/--since`
--   read the rows asked for, newest first, not two million.
-- * deadlines_restricted_open: the open deadlines count corrects for the
--   restricted records' open deadlines only, not every restricted record
--   ever closed.
-- * deadlines_open_by_warn: open deadlines by the moment they turn due
--   soon, for the alert check's question "did anything turn due since?".
-- * escalations_open_warn in the order of its band (overdue or due soon:
--   the next deadline, risk, then the oldest) and carrying the columns that
--   decide the bands: a page of the band reads the index in order, and the
--   band is counted from the index alone, where each row was read from the
--   table and the band sorted whole (80 ms with 137,000 open).
-- * referrals_by_outcome_at with the case's id, and escalations_closed_of
--   (id, closed_at): the agendas' "agency's decision" count reads two small
--   indexes, not a wide case row for every decision of the year.
-- * deadlines_missed, deadlines_missed_by_escalation, deadlines_waived_by_hand
--   carry rule_id: the review counts leave out tasks and review actions
--   (deadlines set by hand) from the index alone, as before that rule.
-- * alert_changes: one counter, bumped by triggers whenever a table the
--   alerts are derived from changes (not the audit trail, so reading a
--   record changes nothing here). The 10-second alert check derives the
--   alerts again only when it moved or a moment of the clock the alerts
--   depend on has passed since the last check.

DROP INDEX escalations_open_warn;
CREATE INDEX escalations_open_warn ON escalations (
    next_due_at, CASE risk WHEN 'high' THEN 0 WHEN 'medium' THEN 1 ELSE 2 END, raised_at, id,
    next_warn_at, immediate_risk, emergency_called_at, acknowledged_at, restricted
) WHERE status <> 'closed' AND next_warn_at IS NOT NULL;
DROP INDEX referrals_by_outcome_at;
CREATE INDEX referrals_by_outcome_at ON referrals (outcome_at, escalation_id) WHERE outcome_at IS NOT NULL;
CREATE INDEX escalations_closed_of ON escalations (id, closed_at);
DROP INDEX deadlines_missed;
CREATE INDEX deadlines_missed ON deadlines (due_at, escalation_id, met_at, waived_at, rule_id)
    WHERE waived_at IS NULL AND (met_at IS NULL OR met_at > due_at);
DROP INDEX deadlines_missed_by_escalation;
CREATE INDEX deadlines_missed_by_escalation ON deadlines (escalation_id, due_at, met_at, waived_at, rule_id)
    WHERE waived_at IS NULL AND (met_at IS NULL OR met_at > due_at);
DROP INDEX deadlines_waived_by_hand;
CREATE INDEX deadlines_waived_by_hand ON deadlines (waived_at, escalation_id, waived_reason, rule_id)
    WHERE waived_at IS NOT NULL AND waived_reason <> 'escalation closed';
CREATE INDEX chronology_by_at ON chronology (at);
CREATE INDEX audit_log_by_actor ON audit_log (actor, id);
CREATE INDEX audit_log_by_at ON audit_log (at);
CREATE INDEX deadlines_restricted_open ON deadlines_restricted (escalation_id)
    WHERE met_at IS NULL AND waived_at IS NULL;
CREATE INDEX deadlines_open_by_warn ON deadlines (warn_at)
    WHERE met_at IS NULL AND waived_at IS NULL AND warn_at IS NOT NULL;
CREATE TABLE alert_changes (
    id INTEGER PRIMARY KEY CHECK (id = 1),
    n  INTEGER NOT NULL
);
INSERT INTO alert_changes (id, n) VALUES (1, 0);
CREATE TRIGGER alert_changes_settings_insert AFTER INSERT ON settings BEGIN
    UPDATE alert_changes SET n = n + 1 WHERE id = 1;
END;
CREATE TRIGGER alert_changes_settings_update AFTER UPDATE ON settings BEGIN
    UPDATE alert_changes SET n = n + 1 WHERE id = 1;
END;
CREATE TRIGGER alert_changes_settings_delete AFTER DELETE ON settings BEGIN
    UPDATE alert_changes SET n = n + 1 WHERE id = 1;
END;
CREATE TRIGGER alert_changes_staff_insert AFTER INSERT ON staff BEGIN
    UPDATE alert_changes SET n = n + 1 WHERE id = 1;
END;
CREATE TRIGGER alert_changes_staff_update AFTER UPDATE ON staff BEGIN
    UPDATE alert_changes SET n = n + 1 WHERE id = 1;
END;
CREATE TRIGGER alert_changes_staff_delete AFTER DELETE ON staff BEGIN
    UPDATE alert_changes SET n = n + 1 WHERE id = 1;
END;
CREATE TRIGGER alert_changes_rota_insert AFTER INSERT ON rota BEGIN
    UPDATE alert_changes SET n = n + 1 WHERE id = 1;
END;
CREATE TRIGGER alert_changes_rota_update AFTER UPDATE ON rota BEGIN
    UPDATE alert_changes SET n = n + 1 WHERE id = 1;
END;
CREATE TRIGGER alert_changes_rota_delete AFTER DELETE ON rota BEGIN
    UPDATE alert_changes SET n = n + 1 WHERE id = 1;
END;
CREATE TRIGGER alert_changes_rota_patterns_insert AFTER INSERT ON rota_patterns BEGIN
    UPDATE alert_changes SET n = n + 1 WHERE id = 1;
END;
CREATE TRIGGER alert_changes_rota_patterns_update AFTER UPDATE ON rota_patterns BEGIN
    UPDATE alert_changes SET n = n + 1 WHERE id = 1;
END;
CREATE TRIGGER alert_changes_rota_patterns_delete AFTER DELETE ON rota_patterns BEGIN
    UPDATE alert_changes SET n = n + 1 WHERE id = 1;
END;
CREATE TRIGGER alert_changes_escalations_insert AFTER INSERT ON escalations BEGIN
    UPDATE alert_changes SET n = n + 1 WHERE id = 1;
END;
CREATE TRIGGER alert_changes_escalations_update AFTER UPDATE ON escalations BEGIN
    UPDATE alert_changes SET n = n + 1 WHERE id = 1;
END;
CREATE TRIGGER alert_changes_escalations_delete AFTER DELETE ON escalations BEGIN
    UPDATE alert_changes SET n = n + 1 WHERE id = 1;
END;
CREATE TRIGGER alert_changes_escalation_access_insert AFTER INSERT ON escalation_access BEGIN
    UPDATE alert_changes SET n = n + 1 WHERE id = 1;
END;
CREATE TRIGGER alert_changes_escalation_access_update AFTER UPDATE ON escalation_access BEGIN
    UPDATE alert_changes SET n = n + 1 WHERE id = 1;
END;
CREATE TRIGGER alert_changes_escalation_access_delete AFTER DELETE ON escalation_access BEGIN
    UPDATE alert_changes SET n = n + 1 WHERE id = 1;
END;
CREATE TRIGGER alert_changes_deadline_rules_insert AFTER INSERT ON deadline_rules BEGIN
    UPDATE alert_changes SET n = n + 1 WHERE id = 1;
END;
CREATE TRIGGER alert_changes_deadline_rules_update AFTER UPDATE ON deadline_rules BEGIN
    UPDATE alert_changes SET n = n + 1 WHERE id = 1;
END;
CREATE TRIGGER alert_changes_deadline_rules_delete AFTER DELETE ON deadline_rules BEGIN
    UPDATE alert_changes SET n = n + 1 WHERE id = 1;
END;
CREATE TRIGGER alert_changes_deadlines_insert AFTER INSERT ON deadlines BEGIN
    UPDATE alert_changes SET n = n + 1 WHERE id = 1;
END;
CREATE TRIGGER alert_changes_deadlines_update AFTER UPDATE ON deadlines BEGIN
    UPDATE alert_changes SET n = n + 1 WHERE id = 1;
END;
CREATE TRIGGER alert_changes_deadlines_delete AFTER DELETE ON deadlines BEGIN
    UPDATE alert_changes SET n = n + 1 WHERE id = 1;
END;
CREATE TRIGGER alert_changes_tasks_insert AFTER INSERT ON tasks BEGIN
    UPDATE alert_changes SET n = n + 1 WHERE id = 1;
END;
CREATE TRIGGER alert_changes_tasks_update AFTER UPDATE ON tasks BEGIN
    UPDATE alert_changes SET n = n + 1 WHERE id = 1;
END;
CREATE TRIGGER alert_changes_tasks_delete AFTER DELETE ON tasks BEGIN
    UPDATE alert_changes SET n = n + 1 WHERE id = 1;
END;
CREATE TRIGGER alert_changes_alert_acks_insert AFTER INSERT ON alert_acks BEGIN
    UPDATE alert_changes SET n = n + 1 WHERE id = 1;
END;
CREATE TRIGGER alert_changes_alert_acks_update AFTER UPDATE ON alert_acks BEGIN
    UPDATE alert_changes SET n = n + 1 WHERE id = 1;
END;
CREATE TRIGGER alert_changes_alert_acks_delete AFTER DELETE ON alert_acks BEGIN
    UPDATE alert_changes SET n = n + 1 WHERE id = 1;
END;
CREATE TRIGGER alert_changes_assignments_insert AFTER INSERT ON assignments BEGIN
    UPDATE alert_changes SET n = n + 1 WHERE id = 1;
END;
CREATE TRIGGER alert_changes_chronology_insert AFTER INSERT ON chronology
    WHEN NEW.kind IN ('assigned', 'signoff_requested') BEGIN
    UPDATE alert_changes SET n = n + 1 WHERE id = 1;
END;
