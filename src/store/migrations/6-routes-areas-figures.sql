-- Schema v6 (issue 17): routes, people, places and figures.
--
-- * areas and area_aliases: the organisation's list of areas, filled from the
--   areas its contacts and escalations already name (each name once, whatever
--   its case: the contacts' spelling first, then the most used); contacts and
--   escalations are then written with that one spelling.
-- * escalations rebuilt (CHECKs cannot be altered in SQLite): age bands
--   unborn, under-1, 1-4 ... 85-94, 95+ ('18-25' and '26-64' become '18-64';
--   a band is worked out again from a date of birth at the day it was raised;
--   '0-4' and '85+' without one stay as recorded); consent 'unable_capacity';
--   low_level, work_area and works_with for allegations about staff.
-- * routes rebuilt with pipot, ms1, prevent, ceop and fmu.
-- * contact_hours rebuilt: weekday 8 = bank holidays, overnight spans, 24:00.
-- * referrals.phone_rung (the number actually rung), covered by the trail.
-- * review_series.anchor_day, from each series' next meeting.
-- * categories: serious violence, child-on-child abuse, cuckooing, and child
--   sexual and criminal exploitation apart; the combined 'exploitation' code
--   is retired (it stays on old records).
-- Rows are copied through temporary tables, with foreign keys checked at
-- commit: the migration runs in one transaction and ends complete or not at all.
PRAGMA defer_foreign_keys = ON;

CREATE TABLE areas (
    name   TEXT PRIMARY KEY COLLATE NOCASE CHECK (length(name) BETWEEN 1 AND 80),
    active INTEGER NOT NULL DEFAULT 1 CHECK (active IN (0, 1))
);
CREATE TABLE area_aliases (
    alias TEXT PRIMARY KEY COLLATE NOCASE CHECK (length(alias) BETWEEN 1 AND 80),
    area  TEXT NOT NULL REFERENCES areas (name)
);
INSERT OR IGNORE INTO areas (name)
    SELECT trim(area) FROM contacts
    WHERE area IS NOT NULL AND trim(area) <> '' AND lower(trim(area)) <> 'unknown'
    ORDER BY id;
INSERT OR IGNORE INTO areas (name)
    SELECT name FROM (
        SELECT trim(area) AS name, count(*) AS n FROM escalations
        WHERE trim(area) <> '' AND lower(trim(area)) <> 'unknown'
        GROUP BY trim(area) ORDER BY n DESC, name);
UPDATE contacts SET area = (SELECT a.name FROM areas a WHERE a.name = trim(contacts.area))
    WHERE area IS NOT NULL AND EXISTS (SELECT 1 FROM areas a WHERE a.name = trim(contacts.area));

CREATE TEMP TABLE escalations_v5 AS SELECT * FROM main.escalations;
DROP TABLE main.escalations;
CREATE TABLE escalations (
    id                  INTEGER PRIMARY KEY,
    reference           TEXT NOT NULL UNIQUE,          -- SG-2026-0042
    ref_year            INTEGER NOT NULL,
    ref_seq             INTEGER NOT NULL CHECK (ref_seq > 0),
    subject_kind        TEXT NOT NULL CHECK (subject_kind IN ('child', 'adult', 'staff')),
    subject_name        TEXT NOT NULL CHECK (length(subject_name) BETWEEN 1 AND 100),
    -- Date of birth; for an unborn child (age_band 'unborn') the expected date.
    subject_dob         TEXT CHECK (subject_dob IS NULL OR subject_dob GLOB '[0-9][0-9][0-9][0-9]-[0-9][0-9]-[0-9][0-9]'),
    -- '0-4' and '85+' are bands recorded before schema v6 (kept, never written now).
    age_band            TEXT NOT NULL DEFAULT 'unknown' CHECK (age_band IN (
                            'unborn', 'under-1', '1-4', '5-9', '10-15', '16-17',
                            '18-64', '65-74', '75-84', '85-94', '95+', 'unknown',
                            '0-4', '85+')),
    -- Where the person lives: a name from the areas table (or as typed when the
    -- organisation keeps no list yet), or 'unknown'.
    area                TEXT NOT NULL CHECK (length(area) BETWEEN 1 AND 80),
    location_type       TEXT NOT NULL CHECK (location_type IN (
                            'own_home', 'care_home', 'hospital', 'school', 'community',
                            'workplace', 'online', 'other', 'unknown')),
    risk                TEXT NOT NULL CHECK (risk IN ('low', 'medium', 'high')),
    status              TEXT NOT NULL CHECK (status IN (
                            'new', 'assigned', 'referred', 'awaiting_outcome', 'closed')),
    assignee_id         INTEGER REFERENCES staff (id),
    raised_by           TEXT NOT NULL CHECK (length(raised_by) BETWEEN 1 AND 100),
    raised_at           INTEGER NOT NULL,
    occurred_at         INTEGER,
    occurred_place      TEXT CHECK (occurred_place IS NULL OR length(occurred_place) <= 200),
    exact_words         TEXT NOT NULL CHECK (length(exact_words) BETWEEN 1 AND 20000),
    appearance          TEXT CHECK (appearance IS NULL OR length(appearance) <= 4000),
    consent             TEXT NOT NULL CHECK (consent IN (
                            'sought', 'given', 'refused', 'not_sought_unsafe', 'unable_capacity')),
    consent_reason      TEXT CHECK (consent_reason IS NULL OR length(consent_reason) <= 4000),
    immediate_risk      INTEGER NOT NULL DEFAULT 0 CHECK (immediate_risk IN (0, 1)),
    emergency_called_at INTEGER,
    critical_incident   INTEGER NOT NULL DEFAULT 0 CHECK (critical_incident IN (0, 1)),
    restricted          INTEGER NOT NULL DEFAULT 0 CHECK (restricted IN (0, 1)),
    acknowledged_at     INTEGER,
    acknowledged_by     INTEGER REFERENCES staff (id),
    outcome             TEXT CHECK (outcome IS NULL OR length(outcome) <= 200),
    closure_rationale   TEXT CHECK (closure_rationale IS NULL OR length(closure_rationale) <= 20000),
    closed_at           INTEGER,
    closed_by           INTEGER REFERENCES staff (id),
    signed_off_by       INTEGER REFERENCES staff (id),
    signed_off_at       INTEGER,
    -- Earliest open deadline: a cache kept by the triggers on `deadlines` below,
    -- so the dashboard can order and page open escalations from an index.
    next_due_at         INTEGER,
    created_by          INTEGER NOT NULL REFERENCES staff (id),
    created_at          INTEGER NOT NULL,
    updated_by          INTEGER NOT NULL REFERENCES staff (id),
    updated_at          INTEGER NOT NULL,
    -- Optimistic concurrency: UPDATE ... WHERE id = ? AND version = ?.
    version             INTEGER NOT NULL DEFAULT 1 CHECK (version > 0),
    -- Staff subjects (schema v6): a low-level concern (KCSIE Part 4 s2) starts
    -- no LADO clock; where the person works decides the LADO; whom they work
    -- with decides LADO (children) or PiPoT (adults at risk).
    low_level           INTEGER NOT NULL DEFAULT 0 CHECK (low_level IN (0, 1)),
    work_area           TEXT CHECK (work_area IS NULL OR length(work_area) BETWEEN 1 AND 80),
    works_with          TEXT CHECK (works_with IS NULL OR works_with IN ('children', 'adults', 'both')),
    UNIQUE (ref_year, ref_seq),
    CHECK ((status = 'closed') = (closed_at IS NOT NULL)),
    CHECK (status <> 'closed' OR (outcome IS NOT NULL AND closure_rationale IS NOT NULL)),
    CHECK (low_level = 0 OR subject_kind = 'staff')
);
INSERT INTO main.escalations (id, reference, ref_year, ref_seq, subject_kind, subject_name, subject_dob, age_band, area, location_type, risk, status, assignee_id, raised_by, raised_at, occurred_at, occurred_place, exact_words, appearance, consent, consent_reason, immediate_risk, emergency_called_at, critical_incident, restricted, acknowledged_at, acknowledged_by, outcome, closure_rationale, closed_at, closed_by, signed_off_by, signed_off_at, next_due_at, created_by, created_at, updated_by, updated_at, version)
SELECT id, reference, ref_year, ref_seq, subject_kind, subject_name, subject_dob,
    CASE
        WHEN age_band = 'unborn' THEN 'unborn'
        WHEN subject_dob IS NOT NULL THEN CASE
            WHEN (CAST(strftime('%Y', raised_at, 'unixepoch') AS INTEGER) - CAST(substr(subject_dob, 1, 4) AS INTEGER) - (strftime('%m-%d', raised_at, 'unixepoch') < substr(subject_dob, 6, 5))) < 0 THEN 'unborn'
            WHEN (CAST(strftime('%Y', raised_at, 'unixepoch') AS INTEGER) - CAST(substr(subject_dob, 1, 4) AS INTEGER) - (strftime('%m-%d', raised_at, 'unixepoch') < substr(subject_dob, 6, 5))) < 1 THEN 'under-1'
            WHEN (CAST(strftime('%Y', raised_at, 'unixepoch') AS INTEGER) - CAST(substr(subject_dob, 1, 4) AS INTEGER) - (strftime('%m-%d', raised_at, 'unixepoch') < substr(subject_dob, 6, 5))) < 5 THEN '1-4'
            WHEN (CAST(strftime('%Y', raised_at, 'unixepoch') AS INTEGER) - CAST(substr(subject_dob, 1, 4) AS INTEGER) - (strftime('%m-%d', raised_at, 'unixepoch') < substr(subject_dob, 6, 5))) < 10 THEN '5-9'
            WHEN (CAST(strftime('%Y', raised_at, 'unixepoch') AS INTEGER) - CAST(substr(subject_dob, 1, 4) AS INTEGER) - (strftime('%m-%d', raised_at, 'unixepoch') < substr(subject_dob, 6, 5))) < 16 THEN '10-15'
            WHEN (CAST(strftime('%Y', raised_at, 'unixepoch') AS INTEGER) - CAST(substr(subject_dob, 1, 4) AS INTEGER) - (strftime('%m-%d', raised_at, 'unixepoch') < substr(subject_dob, 6, 5))) < 18 THEN '16-17'
            WHEN (CAST(strftime('%Y', raised_at, 'unixepoch') AS INTEGER) - CAST(substr(subject_dob, 1, 4) AS INTEGER) - (strftime('%m-%d', raised_at, 'unixepoch') < substr(subject_dob, 6, 5))) < 65 THEN '18-64'
            WHEN (CAST(strftime('%Y', raised_at, 'unixepoch') AS INTEGER) - CAST(substr(subject_dob, 1, 4) AS INTEGER) - (strftime('%m-%d', raised_at, 'unixepoch') < substr(subject_dob, 6, 5))) < 75 THEN '65-74'
            WHEN (CAST(strftime('%Y', raised_at, 'unixepoch') AS INTEGER) - CAST(substr(subject_dob, 1, 4) AS INTEGER) - (strftime('%m-%d', raised_at, 'unixepoch') < substr(subject_dob, 6, 5))) < 85 THEN '75-84'
            WHEN (CAST(strftime('%Y', raised_at, 'unixepoch') AS INTEGER) - CAST(substr(subject_dob, 1, 4) AS INTEGER) - (strftime('%m-%d', raised_at, 'unixepoch') < substr(subject_dob, 6, 5))) < 95 THEN '85-94'
            ELSE '95+' END
        WHEN age_band IN ('18-25', '26-64') THEN '18-64'
        ELSE age_band
    END,
    coalesce((SELECT a.name FROM areas a WHERE a.name = trim(v.area)), v.area), location_type, risk, status, assignee_id, raised_by, raised_at, occurred_at, occurred_place, exact_words, appearance, consent, consent_reason, immediate_risk, emergency_called_at, critical_incident, restricted, acknowledged_at, acknowledged_by, outcome, closure_rationale, closed_at, closed_by, signed_off_by, signed_off_at, next_due_at, created_by, created_at, updated_by, updated_at, version
FROM temp.escalations_v5 v ORDER BY id;
DROP TABLE temp.escalations_v5;
CREATE INDEX escalations_open_queue ON escalations (
    next_due_at IS NULL, next_due_at,
    CASE risk WHEN 'high' THEN 0 WHEN 'medium' THEN 1 ELSE 2 END,
    raised_at
) WHERE status <> 'closed';
CREATE INDEX escalations_by_assignee ON escalations (assignee_id) WHERE status <> 'closed';
CREATE INDEX escalations_unacknowledged ON escalations (raised_at)
    WHERE status <> 'closed' AND acknowledged_at IS NULL;
CREATE INDEX escalations_open_restricted ON escalations (id)
    WHERE status <> 'closed' AND restricted = 1;
CREATE INDEX escalations_by_raised ON escalations (raised_at);
CREATE INDEX escalations_by_subject ON escalations (subject_name, subject_dob);
CREATE INDEX escalations_by_name ON escalations (lower(trim(subject_name)));
CREATE INDEX escalations_by_closed ON escalations (closed_at) WHERE closed_at IS NOT NULL;
CREATE INDEX escalations_by_signed_off ON escalations (signed_off_at) WHERE signed_off_at IS NOT NULL;
CREATE INDEX escalations_open_by_raised ON escalations (raised_at, status)
    WHERE status <> 'closed';
CREATE INDEX escalations_restricted
    ON escalations (id, closed_at, signed_off_at, raised_at, status) WHERE restricted = 1;
CREATE TRIGGER referrals_pending_status AFTER UPDATE OF status ON escalations
WHEN (OLD.status = 'closed') <> (NEW.status = 'closed') BEGIN
    DELETE FROM referrals_pending WHERE escalation_id = NEW.id;
    INSERT INTO referrals_pending (escalation_id, n)
        SELECT e.id, count(*) FROM escalations e JOIN referrals r ON r.escalation_id = e.id
        WHERE e.id = NEW.id AND e.status <> 'closed' AND r.outcome IS NULL
        GROUP BY e.id;
END;
CREATE TRIGGER deadlines_restricted_flag AFTER UPDATE OF restricted ON escalations
WHEN OLD.restricted <> NEW.restricted BEGIN
    DELETE FROM deadlines_restricted WHERE escalation_id = NEW.id;
    INSERT INTO deadlines_restricted (deadline_id, escalation_id, due_at, met_at, waived_at)
        SELECT id, escalation_id, due_at, met_at, waived_at FROM deadlines
        WHERE escalation_id = NEW.id AND NEW.restricted = 1;
END;

CREATE TEMP TABLE routes_v5 AS SELECT * FROM main.routes;
DROP TABLE main.routes;
CREATE TABLE routes (
    code  TEXT PRIMARY KEY CHECK (code IN (
              'emergency', 'police', 'children', 'adults', 'lado', 'pipot', 'marac',
              'nrm', 'ms1', 'prevent', 'ceop', 'fmu', 'dbs', 'home_office', 'other')),
    label TEXT NOT NULL CHECK (length(label) BETWEEN 1 AND 80)
);
INSERT INTO routes (code, label) VALUES
    ('emergency',   'Emergency: 999 / police welfare check'),
    ('police',      'Police (101)'),
    ('children',    'Children''s social care / MASH'),
    ('adults',      'Adult social care safeguarding (s42)'),
    ('lado',        'LADO (allegation against someone working with children)'),
    ('pipot',       'PiPoT (person in a position of trust with adults)'),
    ('marac',       'MARAC (high-risk domestic abuse)'),
    ('nrm',         'National Referral Mechanism (modern slavery)'),
    ('ms1',         'MS1 duty to notify (adult modern slavery, no consent)'),
    ('prevent',     'Prevent (radicalisation)'),
    ('ceop',        'CEOP (online child sexual abuse)'),
    ('fmu',         'Forced Marriage Unit'),
    ('dbs',         'DBS barring referral'),
    ('home_office', 'Home Office critical incident report'),
    ('other',       'Other');
DROP TABLE temp.routes_v5;

CREATE TEMP TABLE contact_hours_v5 AS SELECT * FROM main.contact_hours;
DROP TABLE main.contact_hours;
CREATE TABLE contact_hours (
    contact_id INTEGER NOT NULL REFERENCES contacts (id) ON DELETE CASCADE,
    weekday    INTEGER NOT NULL CHECK (weekday BETWEEN 1 AND 8),  -- ISO: 1 = Monday; 8 = bank holidays
    opens      TEXT NOT NULL CHECK (opens GLOB '[0-2][0-9]:[0-5][0-9]' AND opens < '24:00'),
    closes     TEXT NOT NULL CHECK (closes GLOB '[0-2][0-9]:[0-5][0-9]' AND closes <= '24:00'),
    CHECK (closes <> opens),
    PRIMARY KEY (contact_id, weekday, opens)
) WITHOUT ROWID;
INSERT INTO main.contact_hours (contact_id, weekday, opens, closes)
    SELECT contact_id, weekday, opens, closes FROM temp.contact_hours_v5;
DROP TABLE temp.contact_hours_v5;

ALTER TABLE referrals ADD COLUMN phone_rung TEXT CHECK (phone_rung IS NULL OR length(phone_rung) BETWEEN 3 AND 40);
DROP TRIGGER referrals_outcome_once;
CREATE TRIGGER referrals_outcome_once BEFORE UPDATE ON referrals
WHEN NOT (OLD.outcome IS NULL AND OLD.outcome_at IS NULL AND NEW.outcome IS NOT NULL
    AND NEW.id IS OLD.id AND NEW.escalation_id IS OLD.escalation_id
    AND NEW.route IS OLD.route AND NEW.contact_id IS OLD.contact_id
    AND NEW.method IS OLD.method AND NEW.agency_reference IS OLD.agency_reference
    AND NEW.shared_what IS OLD.shared_what AND NEW.shared_why IS OLD.shared_why
    AND NEW.lawful_basis IS OLD.lawful_basis AND NEW.made_by IS OLD.made_by
    AND NEW.made_at IS OLD.made_at AND NEW.phone_rung IS OLD.phone_rung) BEGIN
    SELECT RAISE(ABORT, 'referrals are append-only: only an outcome may be recorded, once');
END;

ALTER TABLE review_series ADD COLUMN anchor_day INTEGER CHECK (anchor_day IS NULL OR anchor_day BETWEEN 1 AND 31);
UPDATE review_series SET anchor_day = CAST(substr(next_meeting, 9, 2) AS INTEGER);

INSERT OR IGNORE INTO categories (code, label, framework, sort) VALUES
    ('cse', 'child sexual exploitation (CSE)', 'police', 100),
    ('cce', 'child criminal exploitation (CCE)', 'police', 101),
    ('serious_violence', 'serious violence / knife crime', 'police', 102),
    ('child_on_child', 'child-on-child abuse', 'child', 103),
    ('cuckooing', 'cuckooing', 'police', 104);
UPDATE categories SET active = 0 WHERE code = 'exploitation';

