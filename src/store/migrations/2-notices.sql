-- Which alerts each user has been given (schema v2), so an event is announced
-- once per user, not once per session. subject_id is the deadline's id for
-- 'due_soon' and 'overdue', the chronology entry's id for 'assigned', the
-- escalation's id for 'unacknowledged' (duty DSL) and 'unacknowledged_all'.
CREATE TABLE notices (
    staff_id   INTEGER NOT NULL REFERENCES staff (id),
    event      TEXT NOT NULL CHECK (event IN (
                   'due_soon', 'overdue', 'assigned', 'unacknowledged', 'unacknowledged_all')),
    subject_id INTEGER NOT NULL,
    at         INTEGER NOT NULL,
    PRIMARY KEY (staff_id, event, subject_id)
) WITHOUT ROWID;

CREATE INDEX escalations_unacknowledged ON escalations (raised_at)
    WHERE status <> 'closed' AND acknowledged_at IS NULL;
CREATE INDEX escalations_by_name ON escalations (lower(trim(subject_name)));
CREATE INDEX escalation_links_by_linked ON escalation_links (linked_id);
CREATE INDEX escalations_open_restricted ON escalations (id)
    WHERE status <> 'closed' AND restricted = 1;
CREATE INDEX escalation_access_by_staff ON escalation_access (staff_id, access);
CREATE INDEX escalations_by_closed ON escalations (closed_at) WHERE closed_at IS NOT NULL;
CREATE INDEX escalations_by_signed_off ON escalations (signed_off_at) WHERE signed_off_at IS NOT NULL;
CREATE INDEX chronology_reopened ON chronology (at) WHERE kind = 'reopened';
CREATE INDEX deadlines_by_due ON deadlines (due_at);
CREATE INDEX deadlines_waived ON deadlines (waived_at) WHERE waived_at IS NOT NULL;
