-- Schema v11: faults found in testing issues 15 and 17.
--
-- * The seeded rules an event sets count from when the event was held (the
--   ICPC 15 working days from the strategy discussion; the DBS barring duty
--   from the removal), not from when it was typed in. Only rows still as the
--   desk seeded them are changed: an organisation's own choice is kept.
-- * The seeded LADO referral follows routing's decision (allegation:lado):
--   an allegation about someone who works only with adults at risk goes to
--   the PiPoT lead, and no LADO clock starts for it.
-- * review_items rebuilt (CHECKs cannot be altered in SQLite) with the kind
--   'outcome': an agency's decision recorded on a referral is an agenda item,
--   on open cases too; referrals_by_outcome_at counts them per window.

UPDATE deadline_rules SET counts_from = 'occurred'
    WHERE code IN ('icpc', 'dbs_referral') AND counts_from = 'recorded'
      AND trigger_event = 'event_recorded';
UPDATE deadline_rules SET trigger_match = 'allegation:lado'
    WHERE code = 'lado_referral' AND trigger_match = 'subject:staff';

-- Rows are copied through a temporary table, with foreign keys (review_actions)
-- checked at commit.
PRAGMA defer_foreign_keys = ON;
CREATE TEMP TABLE review_items_v9 AS SELECT * FROM main.review_items;
DROP TABLE main.review_items;
CREATE TABLE review_items (
    id            INTEGER PRIMARY KEY,
    meeting_id    INTEGER NOT NULL REFERENCES review_meetings (id),
    escalation_id INTEGER REFERENCES escalations (id),
    kind          TEXT NOT NULL CHECK (kind IN (
                      'closed', 'long_open', 'no_outcome', 'outcome', 'deadline_missed',
                      'deadline_waived', 'signed_off', 'reopened', 'manual')),
    reason        TEXT CHECK (reason IS NULL OR length(reason) <= 4000),
    added_by      INTEGER REFERENCES staff (id),
    discussion    TEXT CHECK (discussion IS NULL OR length(discussion) <= 20000),
    decision      TEXT CHECK (decision IS NULL OR length(decision) <= 4000),
    reviewed_at   INTEGER
);
INSERT INTO main.review_items (id, meeting_id, escalation_id, kind, reason, added_by,
        discussion, decision, reviewed_at)
    SELECT id, meeting_id, escalation_id, kind, reason, added_by, discussion, decision,
        reviewed_at
    FROM temp.review_items_v9 ORDER BY id;
DROP TABLE temp.review_items_v9;
CREATE INDEX review_items_by_meeting ON review_items (meeting_id);

CREATE INDEX referrals_by_outcome_at ON referrals (outcome_at) WHERE outcome_at IS NOT NULL;
