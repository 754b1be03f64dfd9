-- For the review counts on the dashboard (schema v3): each kind of agenda item
-- is counted from an index alone, without reading the rows behind it.
CREATE INDEX deadlines_missed ON deadlines (due_at, escalation_id, met_at, waived_at)
    WHERE waived_at IS NULL AND (met_at IS NULL OR met_at > due_at);
CREATE INDEX referrals_open_by_escalation ON referrals (escalation_id, made_at, outcome)
    WHERE outcome IS NULL;
CREATE INDEX escalations_open_by_raised ON escalations (raised_at, status)
    WHERE status <> 'closed';
CREATE INDEX escalations_restricted ON escalations (id) WHERE restricted = 1;
