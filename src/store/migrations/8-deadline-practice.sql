-- Schema v8: deadlines that mean what practice means (issue 15).
--
-- * Rules say where their count starts (when it happened, or when it was
--   recorded), how they count (same_time, end_of_working_day, working_hours),
--   what meets them (a route, the Nth referral on a route, an event, a
--   referral's outcome, an acknowledgement, the exact words at intake) and
--   whether a second trigger adds another deadline or keeps the open one.
-- * Deadlines keep when they turn due soon (warn_at, counted in the
--   receiving service's working time), the referral that set them, and
--   whether a closure waived them (so re-opening restores them).
-- * Escalations cache their earliest warning (next_warn_at) beside
--   next_due_at, and record FGM as the duty is written (known / at risk,
--   who reported it to the police and their reference).
-- * Referral outcomes are codes per route (referral_outcomes); a closure
--   awaiting sign-off keeps its choice for each open deadline
--   (closure_choices). Bank holidays keep the feed's notes.
-- * The open queue's index follows the order of urgency's last band (risk,
--   then the soonest deadline); two small partial indexes find the bands
--   above it (life at risk without a 999 call; warning or overdue).
-- Self-contained: every statement here, nothing in Rust.

ALTER TABLE deadline_rules ADD COLUMN counts_from TEXT NOT NULL DEFAULT 'recorded'
    CHECK (counts_from IN ('occurred', 'recorded'));
ALTER TABLE deadline_rules ADD COLUMN counting TEXT NOT NULL DEFAULT 'same_time'
    CHECK (counting IN ('same_time', 'end_of_working_day', 'working_hours'));
ALTER TABLE deadline_rules ADD COLUMN meets TEXT NOT NULL DEFAULT '' CHECK (length(meets) <= 200);
ALTER TABLE deadline_rules ADD COLUMN repeats INTEGER NOT NULL DEFAULT 0 CHECK (repeats IN (0, 1));

ALTER TABLE deadlines ADD COLUMN warn_at INTEGER;
ALTER TABLE deadlines ADD COLUMN referral_id INTEGER REFERENCES referrals (id);
ALTER TABLE deadlines ADD COLUMN waived_at_closure INTEGER NOT NULL DEFAULT 0
    CHECK (waived_at_closure IN (0, 1));

ALTER TABLE escalations ADD COLUMN next_warn_at INTEGER;
ALTER TABLE escalations ADD COLUMN fgm TEXT CHECK (fgm IS NULL OR fgm IN ('known', 'at_risk'));
ALTER TABLE escalations ADD COLUMN fgm_reported_by TEXT
    CHECK (fgm_reported_by IS NULL OR length(fgm_reported_by) BETWEEN 1 AND 100);
ALTER TABLE escalations ADD COLUMN fgm_police_reference TEXT
    CHECK (fgm_police_reference IS NULL OR length(fgm_police_reference) BETWEEN 1 AND 80);
ALTER TABLE escalations ADD COLUMN fgm_reported_at INTEGER;

ALTER TABLE bank_holidays ADD COLUMN notes TEXT NOT NULL DEFAULT '' CHECK (length(notes) <= 200);

-- The receiving agency's decisions, per route (schema v6).
CREATE TABLE referral_outcomes (
    route TEXT NOT NULL REFERENCES routes (code),
    code  TEXT NOT NULL CHECK (length(code) BETWEEN 1 AND 40),
    label TEXT NOT NULL CHECK (length(label) BETWEEN 1 AND 120),
    sort  INTEGER NOT NULL DEFAULT 0,
    PRIMARY KEY (route, code)
) WITHOUT ROWID;
INSERT INTO referral_outcomes (route, code, label, sort) VALUES
    ('children', 'accepted_for_assessment', 'accepted for assessment', 1),
    ('children', 'strategy_s47', 'strategy discussion / s47 enquiry', 2),
    ('children', 'no_further_action', 'no further action', 3),
    ('children', 'advice_given', 'advice given', 4),
    ('children', 'early_help', 'stepped down to early help', 5),
    ('adults', 's42_enquiry', 's42 enquiry', 1),
    ('adults', 'other_enquiry', 'non-statutory (other) enquiry', 2),
    ('adults', 'no_further_action', 'no further action', 3),
    ('adults', 'advice_given', 'advice given', 4),
    ('lado', 'substantiated', 'substantiated', 1),
    ('lado', 'malicious', 'malicious', 2),
    ('lado', 'false', 'false', 3),
    ('lado', 'unsubstantiated', 'unsubstantiated', 4),
    ('lado', 'unfounded', 'unfounded', 5),
    ('lado', 'below_threshold', 'did not meet the harm threshold (for the employer)', 6),
    ('police', 'crime_recorded', 'crime recorded / investigation', 1),
    ('police', 'welfare_check', 'welfare check made', 2),
    ('police', 'passed_on', 'passed to another agency', 3),
    ('police', 'no_further_action', 'no further action', 4),
    ('emergency', 'attended', 'emergency services attended', 1),
    ('emergency', 'advice_given', 'advice given', 2),
    ('marac', 'heard', 'heard at MARAC; actions agreed', 1),
    ('marac', 'not_accepted', 'not accepted (below threshold)', 2),
    ('nrm', 'positive_reasonable_grounds', 'positive reasonable-grounds decision', 1),
    ('nrm', 'negative_reasonable_grounds', 'negative reasonable-grounds decision', 2),
    ('nrm', 'positive_conclusive_grounds', 'positive conclusive-grounds decision', 3),
    ('nrm', 'negative_conclusive_grounds', 'negative conclusive-grounds decision', 4),
    ('dbs', 'acknowledged', 'acknowledged by the DBS', 1),
    ('dbs', 'barred', 'barred', 2),
    ('dbs', 'not_barred', 'not barred', 3),
    ('home_office', 'acknowledged', 'acknowledged by the Home Office', 1),
    ('other', 'outcome_received', 'outcome received', 1),
    ('other', 'no_further_action', 'no further action', 2);

-- A proposed closure's choice for each open deadline (schema v6), applied
-- when a second DSL signs it off; cleared when it is sent back.
CREATE TABLE closure_choices (
    escalation_id INTEGER NOT NULL REFERENCES escalations (id),
    deadline_id   INTEGER NOT NULL REFERENCES deadlines (id),
    choice        TEXT NOT NULL CHECK (choice IN ('keep', 'met', 'waive')),
    note          TEXT CHECK (note IS NULL OR length(note) <= 4000),
    PRIMARY KEY (escalation_id, deadline_id),
    CHECK (choice <> 'waive' OR length(note) >= 1)
) WITHOUT ROWID;

-- The open queue (schema v6): the order of urgency's last band, risk first.
DROP INDEX escalations_open_queue;
CREATE INDEX escalations_open_queue ON escalations (
    CASE risk WHEN 'high' THEN 0 WHEN 'medium' THEN 1 ELSE 2 END,
    next_due_at IS NULL, next_due_at, raised_at, id,
    immediate_risk, emergency_called_at, acknowledged_at, next_warn_at, restricted
) WHERE status <> 'closed';
CREATE INDEX escalations_open_999 ON escalations (raised_at)
    WHERE status <> 'closed' AND immediate_risk = 1 AND emergency_called_at IS NULL;
CREATE INDEX escalations_open_warn ON escalations (next_warn_at)
    WHERE status <> 'closed' AND next_warn_at IS NOT NULL;

-- next_due_at and next_warn_at: the earliest open deadline and warning.
DROP TRIGGER deadlines_next_due_insert;
DROP TRIGGER deadlines_next_due_update;
DROP TRIGGER deadlines_next_due_delete;
CREATE TRIGGER deadlines_next_due_insert AFTER INSERT ON deadlines BEGIN
    UPDATE escalations SET
        next_due_at = (SELECT min(due_at) FROM deadlines
            WHERE escalation_id = NEW.escalation_id AND met_at IS NULL AND waived_at IS NULL),
        next_warn_at = (SELECT min(coalesce(warn_at, due_at - 14400)) FROM deadlines
            WHERE escalation_id = NEW.escalation_id AND met_at IS NULL AND waived_at IS NULL)
    WHERE id = NEW.escalation_id;
END;
CREATE TRIGGER deadlines_next_due_update AFTER UPDATE ON deadlines BEGIN
    UPDATE escalations SET
        next_due_at = (SELECT min(due_at) FROM deadlines
            WHERE escalation_id = escalations.id AND met_at IS NULL AND waived_at IS NULL),
        next_warn_at = (SELECT min(coalesce(warn_at, due_at - 14400)) FROM deadlines
            WHERE escalation_id = escalations.id AND met_at IS NULL AND waived_at IS NULL)
    WHERE id IN (NEW.escalation_id, OLD.escalation_id);
END;
CREATE TRIGGER deadlines_next_due_delete AFTER DELETE ON deadlines BEGIN
    UPDATE escalations SET
        next_due_at = (SELECT min(due_at) FROM deadlines
            WHERE escalation_id = OLD.escalation_id AND met_at IS NULL AND waived_at IS NULL),
        next_warn_at = (SELECT min(coalesce(warn_at, due_at - 14400)) FROM deadlines
            WHERE escalation_id = OLD.escalation_id AND met_at IS NULL AND waived_at IS NULL)
    WHERE id = OLD.escalation_id;
END;

-- Open deadlines warn as their rule said; the escalations' cache follows
-- (the update trigger above sets next_warn_at).
UPDATE deadlines SET warn_at = due_at - 60 * coalesce(
        (SELECT warn_minutes FROM deadline_rules r WHERE r.id = deadlines.rule_id), 240)
    WHERE met_at IS NULL AND waived_at IS NULL;

-- The seeded rules as practice reads them (a rule an organisation changed
-- under another code is left alone; these codes are the seed's).
UPDATE deadline_rules SET counts_from = 'occurred', meets = 'exact_words'
    WHERE code = 'written_record';
UPDATE deadline_rules SET counts_from = 'occurred', counting = 'end_of_working_day',
        meets = 'route:lado' WHERE code = 'lado_referral';
UPDATE deadline_rules SET counts_from = 'occurred', meets = 'route:home_office'
    WHERE code = 'home_office_initial';
UPDATE deadline_rules SET counts_from = 'occurred', meets = 'route:home_office#2'
    WHERE code = 'home_office_followup';
UPDATE deadline_rules SET counting = 'end_of_working_day', meets = 'outcome:children', repeats = 1
    WHERE code = 'childrens_decision';
UPDATE deadline_rules SET counting = 'end_of_working_day', meets = 'event:icpc_held'
    WHERE code = 'icpc';
UPDATE deadline_rules SET name = 'FGM: police told (legal limit, 1 month)',
        trigger_match = 'category:fgm+fgm:known+subject:child', counts_from = 'occurred',
        meets = 'event:fgm_reported'
    WHERE code = 'fgm_police';
UPDATE deadline_rules SET meets = 'outcome:nrm', repeats = 1 WHERE code = 'nrm_decision';
UPDATE deadline_rules SET counting = 'end_of_working_day', meets = 'outcome:adults', repeats = 1
    WHERE code = 's42_decision';
INSERT OR IGNORE INTO deadline_rules (code, name, trigger_event, trigger_match, offset_amount,
        offset_unit, warn_minutes, active, counts_from, counting, meets, repeats) VALUES
    ('fgm_police_next_day', 'FGM: police told (Home Office: by close of next working day)',
        'escalation_opened', 'category:fgm+fgm:known+subject:child', 1, 'working_days', 240, 1,
        'occurred', 'end_of_working_day', 'event:fgm_reported', 0),
    ('icpc_first_review', 'First review child protection conference', 'event_recorded',
        'icpc_held', 3, 'calendar_months', 10080, 1, 'occurred', 'same_time',
        'event:review_conference_held', 0),
    ('icpc_next_review', 'Next review child protection conference', 'event_recorded',
        'review_conference_held', 6, 'calendar_months', 10080, 1, 'occurred', 'same_time',
        'event:review_conference_held', 0),
    ('dbs_referral', 'DBS barring referral (legal duty)', 'event_recorded',
        'removed_from_regulated_activity', 1, 'calendar_months', 10080, 1, 'recorded',
        'same_time', 'route:dbs', 0),
    ('first_response_red', 'First response (red: 4 working hours)', 'escalation_opened',
        'risk:high', 4, 'hours', 60, 0, 'recorded', 'working_hours', 'acknowledged', 0),
    ('first_response_amber', 'First response (amber: 24 working hours)', 'escalation_opened',
        'risk:medium', 24, 'hours', 240, 0, 'recorded', 'working_hours', 'acknowledged', 0),
    ('first_response_green', 'First response (green: 72 working hours)', 'escalation_opened',
        'risk:low', 72, 'hours', 480, 0, 'recorded', 'working_hours', 'acknowledged', 0);

-- Counting is chosen per rule now.
DELETE FROM settings WHERE key = 'deadline_counting';
