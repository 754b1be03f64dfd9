-- dutydesk schema: the whole data model, one source of truth.
--
-- Embedded in the binary (include_str!) and applied to a new database in one
-- transaction; PRAGMA user_version records the version (see store/migrate.rs).
--
-- Conventions:
--   * instants are INTEGER seconds since the Unix epoch, UTC (shown in Europe/London);
--   * calendar dates are TEXT 'YYYY-MM-DD';
--   * enumerations are TEXT with a CHECK listing every value the code knows;
--   * booleans are INTEGER 0/1 with a CHECK;
--   * people are staff.id; staff are never deleted, only deactivated.

-- Organisation-wide settings (name, first-response times, counting convention...).
CREATE TABLE settings (
    key   TEXT PRIMARY KEY CHECK (length(key) BETWEEN 1 AND 64),
    value TEXT NOT NULL CHECK (length(value) <= 4000)
);

-- Users of the desk: OS accounts. Reporters (staff who raise concerns) are not users.
CREATE TABLE staff (
    id           INTEGER PRIMARY KEY,
    username     TEXT NOT NULL UNIQUE CHECK (length(username) BETWEEN 1 AND 64),
    display_name TEXT NOT NULL CHECK (length(display_name) BETWEEN 1 AND 100),
    role         TEXT NOT NULL CHECK (role IN ('dsl', 'deputy', 'senior', 'viewer')),
    active       INTEGER NOT NULL DEFAULT 1 CHECK (active IN (0, 1)),
    phone        TEXT CHECK (phone IS NULL OR length(phone) <= 40),
    created_at   INTEGER NOT NULL
);

-- Who covers the desk when.
CREATE TABLE rota (
    id        INTEGER PRIMARY KEY,
    staff_id  INTEGER NOT NULL REFERENCES staff (id),
    starts_at INTEGER NOT NULL,
    ends_at   INTEGER NOT NULL,
    CHECK (ends_at > starts_at)
);
CREATE INDEX rota_by_time ON rota (starts_at, ends_at);

-- What the outgoing DSL leaves for the incoming one.
CREATE TABLE handover_notes (
    id         INTEGER PRIMARY KEY,
    rota_id    INTEGER REFERENCES rota (id),
    author_id  INTEGER NOT NULL REFERENCES staff (id),
    created_at INTEGER NOT NULL,
    body       TEXT NOT NULL CHECK (length(body) BETWEEN 1 AND 20000)
);
CREATE INDEX handover_notes_by_time ON handover_notes (created_at);

-- The organisation's category list (child protection, Care Act, police themes).
CREATE TABLE categories (
    code      TEXT PRIMARY KEY CHECK (length(code) BETWEEN 1 AND 40),
    label     TEXT NOT NULL CHECK (length(label) BETWEEN 1 AND 80),
    framework TEXT NOT NULL CHECK (framework IN ('child', 'care_act', 'police', 'local')),
    active    INTEGER NOT NULL DEFAULT 1 CHECK (active IN (0, 1)),
    sort      INTEGER NOT NULL DEFAULT 0
);

-- A concern that reached the desk. (Schema v6 rebuilt it: unborn and finer age
-- bands, "unable to consent (capacity)", low-level concerns, where staff work.)
-- Schema v8 added (by ALTER TABLE, hence on the works_with line) subject_key,
-- the subject's name folded by domain::names for repeats and search (kept by
-- the store), and raised_by_role / raised_by_contact: who raised it.
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
    works_with          TEXT CHECK (works_with IS NULL OR works_with IN ('children', 'adults', 'both')), next_warn_at INTEGER, fgm TEXT CHECK (fgm IS NULL OR fgm IN ('known', 'at_risk')), fgm_reported_by TEXT
    CHECK (fgm_reported_by IS NULL OR length(fgm_reported_by) BETWEEN 1 AND 100), fgm_police_reference TEXT
    CHECK (fgm_police_reference IS NULL OR length(fgm_police_reference) BETWEEN 1 AND 80), fgm_reported_at INTEGER, subject_key TEXT, raised_by_role TEXT CHECK (raised_by_role IS NULL OR length(raised_by_role) <= 100), raised_by_contact TEXT CHECK (raised_by_contact IS NULL OR length(raised_by_contact) <= 200),
    UNIQUE (ref_year, ref_seq),
    CHECK ((status = 'closed') = (closed_at IS NOT NULL)),
    CHECK (status <> 'closed' OR (outcome IS NOT NULL AND closure_rationale IS NOT NULL)),
    CHECK (low_level = 0 OR subject_kind = 'staff')
);
-- The dashboard (schema v6): open escalations in the order of urgency
-- (domain/urgency.rs). This index is its last band, risk first, then the
-- soonest deadline (none last), then the oldest; the bands above it (life at
-- risk without a 999 call, unacknowledged, overdue or due soon) are small and
-- read from escalations_open_999, escalations_unacknowledged and
-- escalations_open_warn. It also carries the columns that decide the bands
-- and need-to-know's restricted flag, so paging deep into it, or finding
-- where a case stands, reads the index and not the wide rows. Partial: closed
-- rows, the vast majority, are not in it.
CREATE INDEX escalations_open_queue ON escalations (
    CASE risk WHEN 'high' THEN 0 WHEN 'medium' THEN 1 ELSE 2 END,
    next_due_at IS NULL, next_due_at, raised_at, id,
    immediate_risk, emergency_called_at, acknowledged_at, next_warn_at, restricted
) WHERE status <> 'closed';
CREATE INDEX escalations_open_999 ON escalations (raised_at)
    WHERE status <> 'closed' AND immediate_risk = 1 AND emergency_called_at IS NULL;
-- Schema v13: in its band's order, carrying the columns that decide the bands.
CREATE INDEX escalations_open_warn ON escalations (
    next_due_at, CASE risk WHEN 'high' THEN 0 WHEN 'medium' THEN 1 ELSE 2 END, raised_at, id,
    next_warn_at, immediate_risk, emergency_called_at, acknowledged_at, restricted
) WHERE status <> 'closed' AND next_warn_at IS NOT NULL;
CREATE INDEX escalations_by_assignee ON escalations (assignee_id) WHERE status <> 'closed';
-- Schema v19: carrying what the last band's order looks at, so a case's
-- place is corrected for the unacknowledged from the index alone.
CREATE INDEX escalations_unacknowledged ON escalations (
    raised_at, id, risk, next_due_at, immediate_risk, emergency_called_at, restricted,
    acknowledged_at, status
) WHERE status <> 'closed' AND acknowledged_at IS NULL;
CREATE INDEX escalations_open_restricted ON escalations (id)
    WHERE status <> 'closed' AND restricted = 1;
CREATE INDEX escalations_by_raised ON escalations (raised_at);
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
-- Schema v19 (issue 21), escalations_queue_tally: how many open escalations there are per step of
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
-- Schema v13: whether and when a case closed, by its id, for the agendas'
-- "agency's decision" count (a decision before the closure is listed with
-- the closure): read from this small index, not each case's wide row.
CREATE INDEX escalations_closed_of ON escalations (id, closed_at);
CREATE INDEX escalations_by_subject ON escalations (subject_name, subject_dob);
CREATE INDEX escalations_by_name ON escalations (lower(trim(subject_name)));

-- Users named on a restricted escalation (besides senior leads), and anyone who
-- must never see it (a DSL named in an allegation).
CREATE TABLE escalation_access (
    escalation_id INTEGER NOT NULL REFERENCES escalations (id),
    staff_id      INTEGER NOT NULL REFERENCES staff (id),
    access        TEXT NOT NULL CHECK (access IN ('named', 'excluded')),
    PRIMARY KEY (escalation_id, staff_id)
);
CREATE INDEX escalation_access_by_staff ON escalation_access (staff_id, access);

CREATE TABLE escalation_categories (
    escalation_id INTEGER NOT NULL REFERENCES escalations (id),
    category      TEXT NOT NULL REFERENCES categories (code),
    PRIMARY KEY (escalation_id, category)
) WITHOUT ROWID;
CREATE INDEX escalation_categories_by_category ON escalation_categories (category);

-- Earlier concerns about the same person, linked by a DSL.
CREATE TABLE escalation_links (
    escalation_id INTEGER NOT NULL REFERENCES escalations (id),
    linked_id     INTEGER NOT NULL REFERENCES escalations (id),
    linked_by     INTEGER NOT NULL REFERENCES staff (id),
    linked_at     INTEGER NOT NULL,
    PRIMARY KEY (escalation_id, linked_id),
    CHECK (escalation_id <> linked_id)
) WITHOUT ROWID;
CREATE INDEX escalation_links_by_linked ON escalation_links (linked_id);

-- Every note and action on an escalation, in order. `parties` (schema v12):
-- byte ranges of `body` holding a third party's details, "12-20,40-55", which a
-- redacted export blanks (domain::text::Marked); NULL when it names none.
CREATE TABLE chronology (
    id            INTEGER PRIMARY KEY,
    escalation_id INTEGER NOT NULL REFERENCES escalations (id),
    at            INTEGER NOT NULL,
    author_id     INTEGER NOT NULL REFERENCES staff (id),
    kind          TEXT NOT NULL CHECK (kind IN (
                      'created', 'note', 'acknowledged', 'assigned', 'status', 'referral',
                      'outcome', 'shared', 'deadline_met', 'deadline_waived', 'emergency_call',
                      'edited', 'signoff_requested', 'signed_off', 'closed', 'reopened')),
    body          TEXT NOT NULL CHECK (length(body) BETWEEN 1 AND 20000)
, parties TEXT CHECK (parties IS NULL OR length(parties) BETWEEN 3 AND 4000));
CREATE INDEX chronology_by_escalation ON chronology (escalation_id, at);

-- Referral routes: who to tell. The list is domain/route.rs's Route (schema v6
-- added pipot, ms1, prevent, ceop and fmu); contacts and referrals point here.
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

-- Public services to ring, with structured opening hours and a fallback.
CREATE TABLE contacts (
    id                   INTEGER PRIMARY KEY,
    organisation         TEXT NOT NULL CHECK (length(organisation) BETWEEN 1 AND 120),
    service              TEXT NOT NULL CHECK (length(service) BETWEEN 1 AND 120),
    route                TEXT NOT NULL REFERENCES routes (code),
    area                 TEXT CHECK (area IS NULL OR length(area) BETWEEN 1 AND 80),  -- NULL: any area
    phone                TEXT CHECK (phone IS NULL OR length(phone) BETWEEN 3 AND 40),
    email                TEXT CHECK (email IS NULL OR length(email) <= 200),
    web                  TEXT CHECK (web IS NULL OR length(web) <= 400),
    notes                TEXT CHECK (notes IS NULL OR length(notes) <= 4000),
    always_open          INTEGER NOT NULL DEFAULT 0 CHECK (always_open IN (0, 1)),
    open_on_bank_holidays INTEGER NOT NULL DEFAULT 0 CHECK (open_on_bank_holidays IN (0, 1)),
    fallback_id          INTEGER REFERENCES contacts (id),
    active               INTEGER NOT NULL DEFAULT 1 CHECK (active IN (0, 1)),
    updated_at           INTEGER NOT NULL,
    CHECK (fallback_id IS NULL OR fallback_id <> id)
);
CREATE INDEX contacts_by_route_area ON contacts (route, area);

-- Weekly opening hours, Europe/London local time; several spans a day allowed
-- (never overlapping). Schema v6: weekday 8 is bank holidays (their own hours,
-- instead of the weekday's); a span that closes at or before it opens runs
-- overnight into the next day; '24:00' closes at midnight.
CREATE TABLE contact_hours (
    contact_id INTEGER NOT NULL REFERENCES contacts (id) ON DELETE CASCADE,
    weekday    INTEGER NOT NULL CHECK (weekday BETWEEN 1 AND 8),  -- ISO: 1 = Monday; 8 = bank holidays
    opens      TEXT NOT NULL CHECK (opens GLOB '[0-2][0-9]:[0-5][0-9]' AND opens < '24:00'),
    closes     TEXT NOT NULL CHECK (closes GLOB '[0-2][0-9]:[0-5][0-9]' AND closes <= '24:00'),
    CHECK (closes <> opens),
    PRIMARY KEY (contact_id, weekday, opens)
) WITHOUT ROWID;

-- Referrals made: route, contact, method and the information-sharing record.
CREATE TABLE referrals (
    id               INTEGER PRIMARY KEY,
    escalation_id    INTEGER NOT NULL REFERENCES escalations (id),
    route            TEXT NOT NULL REFERENCES routes (code),
    contact_id       INTEGER REFERENCES contacts (id),
    method           TEXT NOT NULL CHECK (method IN (
                         'phone', 'form', 'email', 'secure_email', 'in_person', 'other')),
    agency_reference TEXT CHECK (agency_reference IS NULL OR length(agency_reference) <= 80),
    shared_what      TEXT CHECK (shared_what IS NULL OR length(shared_what) <= 4000),
    shared_why       TEXT CHECK (shared_why IS NULL OR length(shared_why) <= 4000),
    lawful_basis     TEXT CHECK (lawful_basis IS NULL OR length(lawful_basis) <= 400),
    made_by          INTEGER NOT NULL REFERENCES staff (id),
    made_at          INTEGER NOT NULL,
    outcome          TEXT CHECK (outcome IS NULL OR length(outcome) <= 4000),
    outcome_at       INTEGER
, phone_rung TEXT CHECK (phone_rung IS NULL OR length(phone_rung) BETWEEN 3 AND 40));
CREATE INDEX referrals_by_escalation ON referrals (escalation_id);
CREATE INDEX referrals_awaiting_outcome ON referrals (made_at) WHERE outcome IS NULL;
-- Outcomes by when they were recorded (schema v11): the review agendas' item
-- "agency's decision recorded", counted over each series' window; with the
-- case's id (schema v13), so the count reads no referral row.
CREATE INDEX referrals_by_outcome_at ON referrals (outcome_at, escalation_id) WHERE outcome_at IS NOT NULL;

-- Deadline rules as data: a trigger, an offset and how it is counted.
CREATE TABLE deadline_rules (
    id             INTEGER PRIMARY KEY,
    code           TEXT NOT NULL UNIQUE CHECK (length(code) BETWEEN 1 AND 40),
    name           TEXT NOT NULL CHECK (length(name) BETWEEN 1 AND 120),
    trigger_event  TEXT NOT NULL CHECK (trigger_event IN (
                       'escalation_opened', 'referral_made', 'status_changed', 'event_recorded')),
    -- What must hold for the trigger to fire, e.g. 'critical_incident', 'subject:staff',
    -- 'category:fgm', 'route:children'. Interpreted by domain/deadline.rs.
    trigger_match  TEXT NOT NULL CHECK (length(trigger_match) BETWEEN 1 AND 80),
    offset_amount  INTEGER NOT NULL CHECK (offset_amount BETWEEN 0 AND 366),
    offset_unit    TEXT NOT NULL CHECK (offset_unit IN (
                       'hours', 'calendar_days', 'working_days', 'calendar_months', 'same_day')),
    warn_minutes   INTEGER NOT NULL DEFAULT 240 CHECK (warn_minutes BETWEEN 0 AND 43200),
    active         INTEGER NOT NULL DEFAULT 1 CHECK (active IN (0, 1))
, counts_from TEXT NOT NULL DEFAULT 'recorded'
    CHECK (counts_from IN ('occurred', 'recorded')), counting TEXT NOT NULL DEFAULT 'same_time'
    CHECK (counting IN ('same_time', 'end_of_working_day', 'working_hours')), meets TEXT NOT NULL DEFAULT '' CHECK (length(meets) <= 200), repeats INTEGER NOT NULL DEFAULT 0 CHECK (repeats IN (0, 1)));

-- Deadlines created by rules (or by hand, rule_id NULL) on an escalation.
CREATE TABLE deadlines (
    id            INTEGER PRIMARY KEY,
    escalation_id INTEGER NOT NULL REFERENCES escalations (id),
    rule_id       INTEGER REFERENCES deadline_rules (id),
    label         TEXT NOT NULL CHECK (length(label) BETWEEN 1 AND 120),
    due_at        INTEGER NOT NULL,
    created_at    INTEGER NOT NULL,
    met_at        INTEGER,
    met_by        INTEGER REFERENCES staff (id),
    waived_at     INTEGER,
    waived_by     INTEGER REFERENCES staff (id),
    waived_reason TEXT CHECK (waived_reason IS NULL OR length(waived_reason) BETWEEN 1 AND 4000), warn_at INTEGER, referral_id INTEGER REFERENCES referrals (id), waived_at_closure INTEGER NOT NULL DEFAULT 0
    CHECK (waived_at_closure IN (0, 1)),
    CHECK (met_at IS NULL OR waived_at IS NULL),
    CHECK ((waived_at IS NULL) = (waived_reason IS NULL))
);
CREATE INDEX deadlines_open_by_due ON deadlines (due_at)
    WHERE met_at IS NULL AND waived_at IS NULL;
CREATE INDEX deadlines_open_by_escalation ON deadlines (escalation_id, due_at)
    WHERE met_at IS NULL AND waived_at IS NULL;
CREATE INDEX deadlines_by_escalation ON deadlines (escalation_id);

-- Keep escalations.next_due_at equal to the earliest open deadline, and
-- next_warn_at to the earliest start of an open deadline's warning (schema v6).
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

-- England & Wales (and other divisions') bank holidays, from GOV.UK's feed.
CREATE TABLE bank_holidays (
    division TEXT NOT NULL CHECK (division IN ('england-and-wales', 'scotland', 'northern-ireland')),
    date     TEXT NOT NULL CHECK (date GLOB '[0-9][0-9][0-9][0-9]-[0-9][0-9]-[0-9][0-9]'),
    title    TEXT NOT NULL CHECK (length(title) BETWEEN 1 AND 120), notes TEXT NOT NULL DEFAULT '' CHECK (length(notes) <= 200),
    PRIMARY KEY (division, date)
) WITHOUT ROWID;

-- Review series (bi-monthly DSL learning, quarterly log review, annual report...).
CREATE TABLE review_series (
    id             INTEGER PRIMARY KEY,
    code           TEXT NOT NULL UNIQUE CHECK (length(code) BETWEEN 1 AND 40),
    name           TEXT NOT NULL CHECK (length(name) BETWEEN 1 AND 120),
    cadence_months INTEGER NOT NULL CHECK (cadence_months BETWEEN 1 AND 24),
    next_meeting   TEXT NOT NULL CHECK (next_meeting GLOB '[0-9][0-9][0-9][0-9]-[0-9][0-9]-[0-9][0-9]'),
    active         INTEGER NOT NULL DEFAULT 1 CHECK (active IN (0, 1))
, anchor_day INTEGER CHECK (anchor_day IS NULL OR anchor_day BETWEEN 1 AND 31));

CREATE TABLE review_meetings (
    id        INTEGER PRIMARY KEY,
    series_id INTEGER NOT NULL REFERENCES review_series (id),
    scheduled TEXT NOT NULL CHECK (scheduled GLOB '[0-9][0-9][0-9][0-9]-[0-9][0-9]-[0-9][0-9]'),
    held_at   INTEGER,
    attendees TEXT CHECK (attendees IS NULL OR length(attendees) <= 2000),
    notes     TEXT CHECK (notes IS NULL OR length(notes) <= 20000)
);
CREATE INDEX review_meetings_by_series ON review_meetings (series_id, scheduled);

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
CREATE INDEX review_items_by_meeting ON review_items (meeting_id);

-- Actions agreed at a review: an owner and a due date, shown with the deadlines.
CREATE TABLE review_actions (
    id          INTEGER PRIMARY KEY,
    item_id     INTEGER NOT NULL REFERENCES review_items (id),
    owner_id    INTEGER NOT NULL REFERENCES staff (id),
    description TEXT NOT NULL CHECK (length(description) BETWEEN 1 AND 2000),
    due_at      INTEGER NOT NULL,
    done_at     INTEGER
);
CREATE INDEX review_actions_open ON review_actions (owner_id, due_at) WHERE done_at IS NULL;

-- Append-only, hash-chained trail of every view and every change.
-- hash = sha256(prev_hash | at | actor | action | entity | entity_id | detail [| covers]), hex;
-- the first row's prev_hash is 64 zeros. See store/audit.rs.
-- covers (schema v5; added by ALTER TABLE, hence its place on the closing line):
-- digests of the chronology and referral rows the write inserted or whose outcome
-- it recorded, e.g. 'chronology 120-123 4 <sha256>; referral 7-7 1 <sha256>;
-- outcome 5,9-10 <sha256>'. Hashed only when present, so older rows still verify.
-- See store/tamper.rs.
CREATE TABLE audit_log (
    id        INTEGER PRIMARY KEY,
    at        INTEGER NOT NULL,
    actor     TEXT NOT NULL,
    action    TEXT NOT NULL,
    entity    TEXT NOT NULL,
    entity_id TEXT,
    detail    TEXT,
    prev_hash TEXT NOT NULL CHECK (length(prev_hash) = 64),
    hash      TEXT NOT NULL CHECK (length(hash) = 64)
, covers TEXT);
CREATE INDEX audit_log_by_entity ON audit_log (entity, entity_id);
CREATE TRIGGER audit_log_no_update BEFORE UPDATE ON audit_log BEGIN
    SELECT RAISE(ABORT, 'audit_log is append-only');
END;
CREATE TRIGGER audit_log_no_delete BEFORE DELETE ON audit_log BEGIN
    SELECT RAISE(ABORT, 'audit_log is append-only');
END;

-- Which alerts each user has been given (schema v2), so an event is announced
-- once per user, not once per session. subject_id is the deadline's id for
-- 'due_soon' and 'overdue', the chronology entry's id for 'assigned', the
-- escalation's id for 'unacknowledged' (duty DSL) and 'unacknowledged_all',
-- the assignment's chronology id for 'taken' (schema v4: the previous holder
-- is told when another DSL takes their case).
CREATE TABLE notices (
    staff_id   INTEGER NOT NULL REFERENCES staff (id),
    event      TEXT NOT NULL CHECK (event IN (
                   'due_soon', 'overdue', 'assigned', 'unacknowledged', 'unacknowledged_all',
                   'taken')),
    subject_id INTEGER NOT NULL,
    at         INTEGER NOT NULL,
    PRIMARY KEY (staff_id, event, subject_id)
) WITHOUT ROWID;

-- For review agendas (schema v2): what closed, was signed off, re-opened, missed or
-- waived since the last meeting, found without reading the whole history.
CREATE INDEX escalations_by_closed ON escalations (closed_at) WHERE closed_at IS NOT NULL;
CREATE INDEX escalations_by_signed_off ON escalations (signed_off_at) WHERE signed_off_at IS NOT NULL;
CREATE INDEX chronology_reopened ON chronology (at, escalation_id) WHERE kind = 'reopened';
CREATE INDEX deadlines_by_due ON deadlines (due_at);
CREATE INDEX deadlines_waived ON deadlines (waived_at) WHERE waived_at IS NOT NULL;

-- For the review counts on the dashboard (schema v3): each kind of agenda item
-- is counted from an index alone, without reading the rows behind it (with
-- rule_id since schema v13: only deadlines a rule set are agenda items).
CREATE INDEX deadlines_missed ON deadlines (due_at, escalation_id, met_at, waived_at, rule_id)
    WHERE waived_at IS NULL AND (met_at IS NULL OR met_at > due_at);
CREATE INDEX escalations_open_by_raised ON escalations (raised_at, status)
    WHERE status <> 'closed';
CREATE INDEX escalations_restricted
    ON escalations (id, closed_at, signed_off_at, raised_at, status) WHERE restricted = 1;
CREATE INDEX deadlines_missed_by_escalation ON deadlines (escalation_id, due_at, met_at, waived_at, rule_id)
    WHERE waived_at IS NULL AND (met_at IS NULL OR met_at > due_at);
CREATE INDEX deadlines_waived_by_hand ON deadlines (waived_at, escalation_id, waived_reason, rule_id)
    WHERE waived_at IS NOT NULL AND waived_reason <> 'escalation closed';

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

-- Who held an escalation before and after each change of holder (schema v4):
-- one row per 'assigned' chronology entry, so the previous holder can be told
-- their case was taken, and a chronology can say who passed it to whom.
CREATE TABLE assignments (
    chronology_id INTEGER PRIMARY KEY REFERENCES chronology (id),
    escalation_id INTEGER NOT NULL REFERENCES escalations (id),
    from_id       INTEGER REFERENCES staff (id),
    to_id         INTEGER NOT NULL REFERENCES staff (id),
    at            INTEGER NOT NULL
);
CREATE INDEX assignments_from ON assignments (from_id, at) WHERE from_id IS NOT NULL;

-- Chronology and referrals are append-only (schema v5): a note is never edited
-- or deleted, only followed by another; a referral's outcome is recorded once.
-- The audit row of the write that adds them carries their digest (covers).
CREATE TRIGGER chronology_no_update BEFORE UPDATE ON chronology BEGIN
    SELECT RAISE(ABORT, 'chronology is append-only: add a note instead');
END;
CREATE TRIGGER chronology_no_delete BEFORE DELETE ON chronology BEGIN
    SELECT RAISE(ABORT, 'chronology is append-only: add a note instead');
END;
CREATE TRIGGER referrals_no_delete BEFORE DELETE ON referrals BEGIN
    SELECT RAISE(ABORT, 'referrals are append-only');
END;
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

-- The organisation's areas (schema v6): where people live and staff work,
-- which decides the authority to refer to. Names are matched without regard
-- to case; an alias ("Leicester City" for Leicester) finds its area. Senior
-- leads keep the list (`dutydesk areas`); a retired area stays on old records.
CREATE TABLE areas (
    name   TEXT PRIMARY KEY COLLATE NOCASE CHECK (length(name) BETWEEN 1 AND 80),
    active INTEGER NOT NULL DEFAULT 1 CHECK (active IN (0, 1))
);
CREATE TABLE area_aliases (
    alias TEXT PRIMARY KEY COLLATE NOCASE CHECK (length(alias) BETWEEN 1 AND 80),
    area  TEXT NOT NULL REFERENCES areas (name)
);

-- Review series anchor_day (schema v6, on review_series above): the day of
-- the month meetings fall on (31 = month end), so a series anchored on the
-- 31st returns to month end after February; each meeting moves to the nearest
-- working day before. Referral phone_rung (schema v6, on referrals above):
-- the number actually rung, the fallback when the office was shut.

-- Schema v7 (issue 19): reaching the duty DSL when nobody is at the terminal.
-- Escalation policies per kind of alert, each person's channels away from the
-- terminal, a weekly rota pattern beside the one-off shifts, acknowledgements
-- of alerts, and the notifier's record of what it delivered to whom.

-- Who is told, when, for each kind of alert (domain/policy.rs reads `steps`:
-- 'MINUTES:TARGET[,TARGET...]; ...', minutes after the alert starts; targets
-- holder, duty, deputies, dsls, seniors). After the last step everyone told
-- is told again every repeat_minutes until someone acknowledges in the desk.
CREATE TABLE alert_policies (
    kind           TEXT PRIMARY KEY CHECK (kind IN (
                       'unacknowledged', 'overdue', 'due_soon', 'signoff', 'assigned',
                       'nobody_on_duty', 'shift_start')),
    steps          TEXT NOT NULL CHECK (length(steps) BETWEEN 1 AND 400),
    repeat_minutes INTEGER CHECK (repeat_minutes IS NULL OR repeat_minutes BETWEEN 5 AND 10080),
    updated_at     INTEGER NOT NULL
);
INSERT INTO alert_policies (kind, steps, repeat_minutes, updated_at) VALUES
    ('unacknowledged', '0:duty; 15:dsls,deputies; 30:seniors', 15, 0),
    ('overdue',        '0:holder,duty; 60:dsls; 120:seniors', 240, 0),
    ('due_soon',       '0:holder,duty', NULL, 0),
    ('signoff',        '0:dsls; 240:seniors', 1440, 0),
    ('assigned',       '0:holder', NULL, 0),
    ('nobody_on_duty', '0:dsls,deputies; 30:seniors', 60, 0),
    ('shift_start',    '0:holder', NULL, 0);

-- Each person's channels away from the terminal, set by them or a senior
-- lead. The mail server and the hook command are never here: only the system
-- settings file chooses a program to run or a server to speak to.
CREATE TABLE staff_channels (
    staff_id   INTEGER PRIMARY KEY REFERENCES staff (id),
    email      TEXT CHECK (email IS NULL OR length(email) BETWEEN 3 AND 254),
    hook       INTEGER NOT NULL DEFAULT 0 CHECK (hook IN (0, 1)),
    hook_to    TEXT CHECK (hook_to IS NULL OR length(hook_to) BETWEEN 1 AND 64),
    quiet      TEXT CHECK (quiet IS NULL OR quiet GLOB '[0-2][0-9]:[0-5][0-9]-[0-2][0-9]:[0-5][0-9]'),
    updated_at INTEGER NOT NULL
);

-- The weekly rota, UK local time: on the days in `weekdays` (bit 0 Monday ...
-- bit 6 Sunday) from `starts` to `ends` (an end not after the start is the
-- next day). One-off shifts in `rota` override it where they overlap.
CREATE TABLE rota_patterns (
    id          INTEGER PRIMARY KEY,
    staff_id    INTEGER NOT NULL REFERENCES staff (id),
    weekdays    INTEGER NOT NULL CHECK (weekdays BETWEEN 1 AND 127),
    starts      TEXT NOT NULL CHECK (starts GLOB '[0-2][0-9]:[0-5][0-9]'),
    ends        TEXT NOT NULL CHECK (ends GLOB '[0-2][0-9]:[0-5][0-9]'),
    valid_from  TEXT CHECK (valid_from IS NULL OR valid_from GLOB '[0-9][0-9][0-9][0-9]-[0-9][0-9]-[0-9][0-9]'),
    valid_until TEXT CHECK (valid_until IS NULL OR valid_until GLOB '[0-9][0-9][0-9][0-9]-[0-9][0-9]-[0-9][0-9]'),
    active      INTEGER NOT NULL DEFAULT 1 CHECK (active IN (0, 1)),
    created_at  INTEGER NOT NULL,
    CHECK (starts <> ends)
);

-- An alert someone acknowledged in the desk: its escalation stops for everyone.
-- subject_id as in alert_deliveries.
CREATE TABLE alert_acks (
    kind       TEXT NOT NULL,
    subject_id INTEGER NOT NULL,
    staff_id   INTEGER NOT NULL REFERENCES staff (id),
    at         INTEGER NOT NULL,
    PRIMARY KEY (kind, subject_id)
) WITHOUT ROWID;

-- What the notifier sent, to whom, on which channel: one row per alert, round,
-- step, person and channel, so each is delivered once; failures are retried
-- (next_at) and reported. subject_id: the deadline for 'overdue'/'due_soon',
-- the escalation for 'unacknowledged', the sign-off request's chronology id for
-- 'signoff', the assignment's chronology id for 'assigned'/'taken', the start
-- of the gap for 'nobody_on_duty', the shift's start for 'shift_start'.
-- error holds a reason without record words (a status, "timed out").
CREATE TABLE alert_deliveries (
    id            INTEGER PRIMARY KEY,
    kind          TEXT NOT NULL CHECK (kind IN (
                      'unacknowledged', 'overdue', 'due_soon', 'signoff', 'assigned', 'taken',
                      'nobody_on_duty', 'shift_start')),
    subject_id    INTEGER NOT NULL,
    escalation_id INTEGER REFERENCES escalations (id),
    round         INTEGER NOT NULL CHECK (round >= 0),
    step          INTEGER NOT NULL CHECK (step >= 0),
    staff_id      INTEGER NOT NULL REFERENCES staff (id),
    channel       TEXT NOT NULL CHECK (channel IN ('email', 'hook')),
    state         TEXT NOT NULL CHECK (state IN (
                      'pending', 'sending', 'delivered', 'failed', 'gave_up', 'cancelled')),
    attempts      INTEGER NOT NULL DEFAULT 0 CHECK (attempts >= 0),
    next_at       INTEGER NOT NULL,
    created_at    INTEGER NOT NULL,
    done_at       INTEGER,
    error         TEXT CHECK (error IS NULL OR length(error) <= 200),
    UNIQUE (kind, subject_id, round, step, staff_id, channel)
);
CREATE INDEX alert_deliveries_due ON alert_deliveries (next_at)
    WHERE state IN ('pending', 'sending', 'failed');
-- Assignments of the last day, found without reading them all.
CREATE INDEX assignments_by_at ON assignments (at);


-- The receiving agency's decisions on a referral, per route (schema v6):
-- `dutydesk outcome` records one of these codes on a referral.
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
-- Schema v9 (issue 18): the DSL's workbench. Finding any case, following a
-- person, correcting the record, who raised it and who else is involved,
-- tasks, attachments.

-- escalations.subject_key (on the escalations table above): the subject's
-- name folded as domain::names folds names; repeats and search compare it.
-- Repeats compare it with its spaces removed (schema v12), so "O'Brien",
-- "O Brien" and "OBrien" are one name.

CREATE INDEX escalations_by_name_key ON escalations (replace(subject_key, ' ', ''), subject_dob);
-- Search filters that would otherwise read the whole history.
CREATE INDEX escalations_awaiting_signoff ON escalations (id)
    WHERE closed_by IS NOT NULL AND closed_at IS NULL;
CREATE INDEX escalations_unassigned ON escalations (id) WHERE assignee_id IS NULL;
-- A holder's cases newest raised first (search's "mine" filter, schema 14):
-- the rowid ends every entry, so ties fall newest row first.
CREATE INDEX escalations_by_holder ON escalations (assignee_id, raised_at);
-- What search reads of each case a word matches, to order them by the date
-- raised and apply need-to-know and the filters, from the index alone (schema
-- 14): a first name shared by thousands of cases costs 3-5 ms, not the
-- 10-20 ms of reading each wide case row.
CREATE INDEX escalations_search_keys ON escalations
    (id, raised_at, restricted, status, risk, assignee_id, closed_by, closed_at);

-- Search over every case (open and closed): the folded name, the area, the
-- reference and the date of birth, indexed by SQLite's FTS5 (contentless: no
-- second copy of the words, only the index). Since schema v17 (issue 21) each
-- case's index row is keyed by its search key, raised_at * 2^30 + id, which
-- orders the cases as search lists them (newest raised first, ties newest row
-- first; an imported case keeps its original date, so the id is not age), and
-- whose low 30 bits are the escalation's id (store::search::SEARCH_KEY_ID_BITS).
-- FTS5 reads a match newest first (ORDER BY rowid DESC) and stops at the
-- limit: a first name shared by 50,000 cases costs what the screen shows.
-- Keys hold for ids below 2^30 (a billion cases) and dates before 2242.
-- Every typed word is a prefix ("mas" finds Mason); FTS5 answers a prefix
-- from an index of prefixes of that length without reading each match, and
-- otherwise gathers every match of every word it begins in memory first
-- (2-7 ms at 1M for a common first name). Hence prefixes of 1 to 12
-- characters (schema v17; 2 and 3 before): the index is ~340 MB instead of
-- ~150 MB at 1,000,000 cases; a longer word still works, gathering first.
CREATE VIRTUAL TABLE escalation_search USING fts5 (
    subject_key, area, reference, subject_dob,
    content = '',
    tokenize = 'unicode61 remove_diacritics 2', prefix = '1 2 3 4 5 6 7 8 9 10 11 12'
);
CREATE TRIGGER escalation_search_insert AFTER INSERT ON escalations BEGIN
    INSERT INTO escalation_search (rowid, subject_key, area, reference, subject_dob)
        VALUES (NEW.raised_at * 1073741824 + NEW.id,
                NEW.subject_key, NEW.area, NEW.reference, NEW.subject_dob);
END;
CREATE TRIGGER escalation_search_update
AFTER UPDATE OF subject_key, area, reference, subject_dob, raised_at ON escalations BEGIN
    INSERT INTO escalation_search (escalation_search, rowid, subject_key, area, reference, subject_dob)
        VALUES ('delete', OLD.raised_at * 1073741824 + OLD.id,
                OLD.subject_key, OLD.area, OLD.reference, OLD.subject_dob);
    INSERT INTO escalation_search (rowid, subject_key, area, reference, subject_dob)
        VALUES (NEW.raised_at * 1073741824 + NEW.id,
                NEW.subject_key, NEW.area, NEW.reference, NEW.subject_dob);
END;
CREATE TRIGGER escalation_search_delete AFTER DELETE ON escalations BEGIN
    INSERT INTO escalation_search (escalation_search, rowid, subject_key, area, reference, subject_dob)
        VALUES ('delete', OLD.raised_at * 1073741824 + OLD.id,
                OLD.subject_key, OLD.area, OLD.reference, OLD.subject_dob);
END;

-- The alleged perpetrator and others involved (siblings, other children),
-- each optional. Removing one keeps the row, with who, when and why.
CREATE TABLE escalation_people (
    id             INTEGER PRIMARY KEY,
    escalation_id  INTEGER NOT NULL REFERENCES escalations (id),
    role           TEXT NOT NULL CHECK (role IN ('alleged_perpetrator', 'involved')),
    name           TEXT NOT NULL CHECK (length(name) BETWEEN 1 AND 100),
    relationship   TEXT CHECK (relationship IS NULL OR length(relationship) BETWEEN 1 AND 200),
    details        TEXT CHECK (details IS NULL OR length(details) BETWEEN 1 AND 4000),
    added_by       INTEGER NOT NULL REFERENCES staff (id),
    added_at       INTEGER NOT NULL,
    removed_by     INTEGER REFERENCES staff (id),
    removed_at     INTEGER,
    removed_reason TEXT CHECK (removed_reason IS NULL OR length(removed_reason) BETWEEN 1 AND 4000),
    CHECK ((removed_at IS NULL) = (removed_reason IS NULL))
);
CREATE INDEX escalation_people_by_escalation ON escalation_people (escalation_id);

-- Tasks: an action on a case with an owner and a due time. Each counts down
-- as a deadline (rule_id NULL), so the dashboard, the alerts and the
-- handover carry it; done is the deadline met, cancelled is it waived.
CREATE TABLE tasks (
    id            INTEGER PRIMARY KEY,
    deadline_id   INTEGER NOT NULL UNIQUE REFERENCES deadlines (id),
    escalation_id INTEGER NOT NULL REFERENCES escalations (id),
    owner_id      INTEGER NOT NULL REFERENCES staff (id),
    body          TEXT NOT NULL CHECK (length(body) BETWEEN 1 AND 2000),
    created_by    INTEGER NOT NULL REFERENCES staff (id),
    created_at    INTEGER NOT NULL
);
CREATE INDEX tasks_by_escalation ON tasks (escalation_id);

-- Attachments: a scanned record of concern, a body map, a letter. Kept as
-- added (never changed or removed); the audit row of the write that added one
-- carries its SHA-256, so the chain vouches for the bytes.
CREATE TABLE attachments (
    id            INTEGER PRIMARY KEY,
    escalation_id INTEGER NOT NULL REFERENCES escalations (id),
    name          TEXT NOT NULL CHECK (length(name) BETWEEN 1 AND 255),
    media_type    TEXT NOT NULL CHECK (length(media_type) BETWEEN 1 AND 100),
    size          INTEGER NOT NULL CHECK (size >= 0),
    sha256        TEXT NOT NULL CHECK (length(sha256) = 64),
    added_by      INTEGER NOT NULL REFERENCES staff (id),
    added_at      INTEGER NOT NULL,
    data          BLOB NOT NULL,
    CHECK (length(data) = size)
);
CREATE INDEX attachments_by_escalation ON attachments (escalation_id);
CREATE TRIGGER attachments_no_update BEFORE UPDATE ON attachments BEGIN
    SELECT RAISE(ABORT, 'attachments are kept as added: attach a new one instead');
END;
CREATE TRIGGER attachments_no_delete BEFORE DELETE ON attachments BEGIN
    SELECT RAISE(ABORT, 'attachments are kept as added: attach a new one instead');
END;

-- Schema v10 (issue 20): records brought in from an organisation's earlier log
-- (`dutydesk import`). One row per imported escalation: the row's key (the
-- old log's own number, or a digest of the row's values), so importing the
-- same file twice adds nothing; the file's name and row, for the record.
-- Rows are never changed or removed: what was imported stays known.
CREATE TABLE imports (
    escalation_id INTEGER PRIMARY KEY REFERENCES escalations (id),
    key           TEXT NOT NULL UNIQUE CHECK (length(key) = 64),
    source        TEXT NOT NULL CHECK (length(source) BETWEEN 1 AND 300),
    row           INTEGER NOT NULL CHECK (row >= 2),
    original_ref  TEXT CHECK (original_ref IS NULL OR length(original_ref) <= 100),
    imported_at   INTEGER NOT NULL
);
CREATE TRIGGER imports_no_update BEFORE UPDATE ON imports BEGIN
    SELECT RAISE(ABORT, 'imports are append-only');
END;
CREATE TRIGGER imports_no_delete BEFORE DELETE ON imports BEGIN
    SELECT RAISE(ABORT, 'imports are append-only');
END;

-- Schema v13 (issue 21): indexes that keep costs flat with history, and the
-- alert check's change counter (see migrations/13-flat-history.sql).

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
CREATE TRIGGER alert_changes_settings_insert AFTER INSERT ON settings BEGIN
    UPDATE alert_changes SET n = n + 1 WHERE id = 1;
    UPDATE alert_touched SET n = (SELECT n FROM alert_changes WHERE id = 1)
        WHERE escalation_id = 0;
    INSERT INTO alert_touched (escalation_id, n)
        SELECT 0, n FROM alert_changes WHERE id = 1
        AND NOT EXISTS (SELECT 1 FROM alert_touched WHERE escalation_id = 0);
END;
CREATE TRIGGER alert_changes_settings_update AFTER UPDATE ON settings BEGIN
    UPDATE alert_changes SET n = n + 1 WHERE id = 1;
    UPDATE alert_touched SET n = (SELECT n FROM alert_changes WHERE id = 1)
        WHERE escalation_id = 0;
    INSERT INTO alert_touched (escalation_id, n)
        SELECT 0, n FROM alert_changes WHERE id = 1
        AND NOT EXISTS (SELECT 1 FROM alert_touched WHERE escalation_id = 0);
END;
CREATE TRIGGER alert_changes_settings_delete AFTER DELETE ON settings BEGIN
    UPDATE alert_changes SET n = n + 1 WHERE id = 1;
    UPDATE alert_touched SET n = (SELECT n FROM alert_changes WHERE id = 1)
        WHERE escalation_id = 0;
    INSERT INTO alert_touched (escalation_id, n)
        SELECT 0, n FROM alert_changes WHERE id = 1
        AND NOT EXISTS (SELECT 1 FROM alert_touched WHERE escalation_id = 0);
END;
CREATE TRIGGER alert_changes_staff_insert AFTER INSERT ON staff BEGIN
    UPDATE alert_changes SET n = n + 1 WHERE id = 1;
    UPDATE alert_touched SET n = (SELECT n FROM alert_changes WHERE id = 1)
        WHERE escalation_id = 0;
    INSERT INTO alert_touched (escalation_id, n)
        SELECT 0, n FROM alert_changes WHERE id = 1
        AND NOT EXISTS (SELECT 1 FROM alert_touched WHERE escalation_id = 0);
END;
CREATE TRIGGER alert_changes_staff_update AFTER UPDATE ON staff BEGIN
    UPDATE alert_changes SET n = n + 1 WHERE id = 1;
    UPDATE alert_touched SET n = (SELECT n FROM alert_changes WHERE id = 1)
        WHERE escalation_id = 0;
    INSERT INTO alert_touched (escalation_id, n)
        SELECT 0, n FROM alert_changes WHERE id = 1
        AND NOT EXISTS (SELECT 1 FROM alert_touched WHERE escalation_id = 0);
END;
CREATE TRIGGER alert_changes_staff_delete AFTER DELETE ON staff BEGIN
    UPDATE alert_changes SET n = n + 1 WHERE id = 1;
    UPDATE alert_touched SET n = (SELECT n FROM alert_changes WHERE id = 1)
        WHERE escalation_id = 0;
    INSERT INTO alert_touched (escalation_id, n)
        SELECT 0, n FROM alert_changes WHERE id = 1
        AND NOT EXISTS (SELECT 1 FROM alert_touched WHERE escalation_id = 0);
END;
CREATE TRIGGER alert_changes_rota_insert AFTER INSERT ON rota BEGIN
    UPDATE alert_changes SET n = n + 1 WHERE id = 1;
    UPDATE alert_touched SET n = (SELECT n FROM alert_changes WHERE id = 1)
        WHERE escalation_id = 0;
    INSERT INTO alert_touched (escalation_id, n)
        SELECT 0, n FROM alert_changes WHERE id = 1
        AND NOT EXISTS (SELECT 1 FROM alert_touched WHERE escalation_id = 0);
END;
CREATE TRIGGER alert_changes_rota_update AFTER UPDATE ON rota BEGIN
    UPDATE alert_changes SET n = n + 1 WHERE id = 1;
    UPDATE alert_touched SET n = (SELECT n FROM alert_changes WHERE id = 1)
        WHERE escalation_id = 0;
    INSERT INTO alert_touched (escalation_id, n)
        SELECT 0, n FROM alert_changes WHERE id = 1
        AND NOT EXISTS (SELECT 1 FROM alert_touched WHERE escalation_id = 0);
END;
CREATE TRIGGER alert_changes_rota_delete AFTER DELETE ON rota BEGIN
    UPDATE alert_changes SET n = n + 1 WHERE id = 1;
    UPDATE alert_touched SET n = (SELECT n FROM alert_changes WHERE id = 1)
        WHERE escalation_id = 0;
    INSERT INTO alert_touched (escalation_id, n)
        SELECT 0, n FROM alert_changes WHERE id = 1
        AND NOT EXISTS (SELECT 1 FROM alert_touched WHERE escalation_id = 0);
END;
CREATE TRIGGER alert_changes_rota_patterns_insert AFTER INSERT ON rota_patterns BEGIN
    UPDATE alert_changes SET n = n + 1 WHERE id = 1;
    UPDATE alert_touched SET n = (SELECT n FROM alert_changes WHERE id = 1)
        WHERE escalation_id = 0;
    INSERT INTO alert_touched (escalation_id, n)
        SELECT 0, n FROM alert_changes WHERE id = 1
        AND NOT EXISTS (SELECT 1 FROM alert_touched WHERE escalation_id = 0);
END;
CREATE TRIGGER alert_changes_rota_patterns_update AFTER UPDATE ON rota_patterns BEGIN
    UPDATE alert_changes SET n = n + 1 WHERE id = 1;
    UPDATE alert_touched SET n = (SELECT n FROM alert_changes WHERE id = 1)
        WHERE escalation_id = 0;
    INSERT INTO alert_touched (escalation_id, n)
        SELECT 0, n FROM alert_changes WHERE id = 1
        AND NOT EXISTS (SELECT 1 FROM alert_touched WHERE escalation_id = 0);
END;
CREATE TRIGGER alert_changes_rota_patterns_delete AFTER DELETE ON rota_patterns BEGIN
    UPDATE alert_changes SET n = n + 1 WHERE id = 1;
    UPDATE alert_touched SET n = (SELECT n FROM alert_changes WHERE id = 1)
        WHERE escalation_id = 0;
    INSERT INTO alert_touched (escalation_id, n)
        SELECT 0, n FROM alert_changes WHERE id = 1
        AND NOT EXISTS (SELECT 1 FROM alert_touched WHERE escalation_id = 0);
END;
CREATE TRIGGER alert_changes_escalations_insert AFTER INSERT ON escalations BEGIN
    UPDATE alert_changes SET n = n + 1 WHERE id = 1;
    UPDATE alert_touched SET n = (SELECT n FROM alert_changes WHERE id = 1)
        WHERE escalation_id = coalesce(NEW.id, 0);
    INSERT INTO alert_touched (escalation_id, n)
        SELECT coalesce(NEW.id, 0), n FROM alert_changes WHERE id = 1
        AND NOT EXISTS (SELECT 1 FROM alert_touched WHERE escalation_id = coalesce(NEW.id, 0));
END;
CREATE TRIGGER alert_changes_escalations_update AFTER UPDATE ON escalations BEGIN
    UPDATE alert_changes SET n = n + 1 WHERE id = 1;
    UPDATE alert_touched SET n = (SELECT n FROM alert_changes WHERE id = 1)
        WHERE escalation_id = coalesce(NEW.id, 0);
    INSERT INTO alert_touched (escalation_id, n)
        SELECT coalesce(NEW.id, 0), n FROM alert_changes WHERE id = 1
        AND NOT EXISTS (SELECT 1 FROM alert_touched WHERE escalation_id = coalesce(NEW.id, 0));
END;
CREATE TRIGGER alert_changes_escalations_delete AFTER DELETE ON escalations BEGIN
    UPDATE alert_changes SET n = n + 1 WHERE id = 1;
    UPDATE alert_touched SET n = (SELECT n FROM alert_changes WHERE id = 1)
        WHERE escalation_id = coalesce(OLD.id, 0);
    INSERT INTO alert_touched (escalation_id, n)
        SELECT coalesce(OLD.id, 0), n FROM alert_changes WHERE id = 1
        AND NOT EXISTS (SELECT 1 FROM alert_touched WHERE escalation_id = coalesce(OLD.id, 0));
END;
CREATE TRIGGER alert_changes_escalation_access_insert AFTER INSERT ON escalation_access BEGIN
    UPDATE alert_changes SET n = n + 1 WHERE id = 1;
    UPDATE alert_touched SET n = (SELECT n FROM alert_changes WHERE id = 1)
        WHERE escalation_id = coalesce(NEW.escalation_id, 0);
    INSERT INTO alert_touched (escalation_id, n)
        SELECT coalesce(NEW.escalation_id, 0), n FROM alert_changes WHERE id = 1
        AND NOT EXISTS (SELECT 1 FROM alert_touched WHERE escalation_id = coalesce(NEW.escalation_id, 0));
END;
CREATE TRIGGER alert_changes_escalation_access_update AFTER UPDATE ON escalation_access BEGIN
    UPDATE alert_changes SET n = n + 1 WHERE id = 1;
    UPDATE alert_touched SET n = (SELECT n FROM alert_changes WHERE id = 1)
        WHERE escalation_id = coalesce(NEW.escalation_id, 0);
    INSERT INTO alert_touched (escalation_id, n)
        SELECT coalesce(NEW.escalation_id, 0), n FROM alert_changes WHERE id = 1
        AND NOT EXISTS (SELECT 1 FROM alert_touched WHERE escalation_id = coalesce(NEW.escalation_id, 0));
END;
CREATE TRIGGER alert_changes_escalation_access_delete AFTER DELETE ON escalation_access BEGIN
    UPDATE alert_changes SET n = n + 1 WHERE id = 1;
    UPDATE alert_touched SET n = (SELECT n FROM alert_changes WHERE id = 1)
        WHERE escalation_id = coalesce(OLD.escalation_id, 0);
    INSERT INTO alert_touched (escalation_id, n)
        SELECT coalesce(OLD.escalation_id, 0), n FROM alert_changes WHERE id = 1
        AND NOT EXISTS (SELECT 1 FROM alert_touched WHERE escalation_id = coalesce(OLD.escalation_id, 0));
END;
CREATE TRIGGER alert_changes_deadline_rules_insert AFTER INSERT ON deadline_rules BEGIN
    UPDATE alert_changes SET n = n + 1 WHERE id = 1;
    UPDATE alert_touched SET n = (SELECT n FROM alert_changes WHERE id = 1)
        WHERE escalation_id = 0;
    INSERT INTO alert_touched (escalation_id, n)
        SELECT 0, n FROM alert_changes WHERE id = 1
        AND NOT EXISTS (SELECT 1 FROM alert_touched WHERE escalation_id = 0);
END;
CREATE TRIGGER alert_changes_deadline_rules_update AFTER UPDATE ON deadline_rules BEGIN
    UPDATE alert_changes SET n = n + 1 WHERE id = 1;
    UPDATE alert_touched SET n = (SELECT n FROM alert_changes WHERE id = 1)
        WHERE escalation_id = 0;
    INSERT INTO alert_touched (escalation_id, n)
        SELECT 0, n FROM alert_changes WHERE id = 1
        AND NOT EXISTS (SELECT 1 FROM alert_touched WHERE escalation_id = 0);
END;
CREATE TRIGGER alert_changes_deadline_rules_delete AFTER DELETE ON deadline_rules BEGIN
    UPDATE alert_changes SET n = n + 1 WHERE id = 1;
    UPDATE alert_touched SET n = (SELECT n FROM alert_changes WHERE id = 1)
        WHERE escalation_id = 0;
    INSERT INTO alert_touched (escalation_id, n)
        SELECT 0, n FROM alert_changes WHERE id = 1
        AND NOT EXISTS (SELECT 1 FROM alert_touched WHERE escalation_id = 0);
END;
CREATE TRIGGER alert_changes_deadlines_insert AFTER INSERT ON deadlines BEGIN
    UPDATE alert_changes SET n = n + 1 WHERE id = 1;
    UPDATE alert_touched SET n = (SELECT n FROM alert_changes WHERE id = 1)
        WHERE escalation_id = coalesce(NEW.escalation_id, 0);
    INSERT INTO alert_touched (escalation_id, n)
        SELECT coalesce(NEW.escalation_id, 0), n FROM alert_changes WHERE id = 1
        AND NOT EXISTS (SELECT 1 FROM alert_touched WHERE escalation_id = coalesce(NEW.escalation_id, 0));
END;
CREATE TRIGGER alert_changes_deadlines_update AFTER UPDATE ON deadlines BEGIN
    UPDATE alert_changes SET n = n + 1 WHERE id = 1;
    UPDATE alert_touched SET n = (SELECT n FROM alert_changes WHERE id = 1)
        WHERE escalation_id = coalesce(NEW.escalation_id, 0);
    INSERT INTO alert_touched (escalation_id, n)
        SELECT coalesce(NEW.escalation_id, 0), n FROM alert_changes WHERE id = 1
        AND NOT EXISTS (SELECT 1 FROM alert_touched WHERE escalation_id = coalesce(NEW.escalation_id, 0));
END;
CREATE TRIGGER alert_changes_deadlines_delete AFTER DELETE ON deadlines BEGIN
    UPDATE alert_changes SET n = n + 1 WHERE id = 1;
    UPDATE alert_touched SET n = (SELECT n FROM alert_changes WHERE id = 1)
        WHERE escalation_id = coalesce(OLD.escalation_id, 0);
    INSERT INTO alert_touched (escalation_id, n)
        SELECT coalesce(OLD.escalation_id, 0), n FROM alert_changes WHERE id = 1
        AND NOT EXISTS (SELECT 1 FROM alert_touched WHERE escalation_id = coalesce(OLD.escalation_id, 0));
END;
CREATE TRIGGER alert_changes_tasks_insert AFTER INSERT ON tasks BEGIN
    UPDATE alert_changes SET n = n + 1 WHERE id = 1;
    UPDATE alert_touched SET n = (SELECT n FROM alert_changes WHERE id = 1)
        WHERE escalation_id = coalesce(NEW.escalation_id, 0);
    INSERT INTO alert_touched (escalation_id, n)
        SELECT coalesce(NEW.escalation_id, 0), n FROM alert_changes WHERE id = 1
        AND NOT EXISTS (SELECT 1 FROM alert_touched WHERE escalation_id = coalesce(NEW.escalation_id, 0));
END;
CREATE TRIGGER alert_changes_tasks_update AFTER UPDATE ON tasks BEGIN
    UPDATE alert_changes SET n = n + 1 WHERE id = 1;
    UPDATE alert_touched SET n = (SELECT n FROM alert_changes WHERE id = 1)
        WHERE escalation_id = coalesce(NEW.escalation_id, 0);
    INSERT INTO alert_touched (escalation_id, n)
        SELECT coalesce(NEW.escalation_id, 0), n FROM alert_changes WHERE id = 1
        AND NOT EXISTS (SELECT 1 FROM alert_touched WHERE escalation_id = coalesce(NEW.escalation_id, 0));
END;
CREATE TRIGGER alert_changes_tasks_delete AFTER DELETE ON tasks BEGIN
    UPDATE alert_changes SET n = n + 1 WHERE id = 1;
    UPDATE alert_touched SET n = (SELECT n FROM alert_changes WHERE id = 1)
        WHERE escalation_id = coalesce(OLD.escalation_id, 0);
    INSERT INTO alert_touched (escalation_id, n)
        SELECT coalesce(OLD.escalation_id, 0), n FROM alert_changes WHERE id = 1
        AND NOT EXISTS (SELECT 1 FROM alert_touched WHERE escalation_id = coalesce(OLD.escalation_id, 0));
END;
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
CREATE TRIGGER alert_changes_assignments_insert AFTER INSERT ON assignments BEGIN
    UPDATE alert_changes SET n = n + 1 WHERE id = 1;
    UPDATE alert_touched SET n = (SELECT n FROM alert_changes WHERE id = 1)
        WHERE escalation_id = coalesce(NEW.escalation_id, 0);
    INSERT INTO alert_touched (escalation_id, n)
        SELECT coalesce(NEW.escalation_id, 0), n FROM alert_changes WHERE id = 1
        AND NOT EXISTS (SELECT 1 FROM alert_touched WHERE escalation_id = coalesce(NEW.escalation_id, 0));
END;
CREATE TRIGGER alert_changes_chronology_insert AFTER INSERT ON chronology
    WHEN NEW.kind IN ('assigned', 'signoff_requested') BEGIN
    UPDATE alert_changes SET n = n + 1 WHERE id = 1;
    UPDATE alert_touched SET n = (SELECT n FROM alert_changes WHERE id = 1)
        WHERE escalation_id = coalesce(NEW.escalation_id, 0);
    INSERT INTO alert_touched (escalation_id, n)
        SELECT coalesce(NEW.escalation_id, 0), n FROM alert_changes WHERE id = 1
        AND NOT EXISTS (SELECT 1 FROM alert_touched WHERE escalation_id = coalesce(NEW.escalation_id, 0));
END;

-- Agenda items of the dated kinds counted in every series' window, per UTC
-- hour (span 3600, bucket = at / 3600) and per UTC day (span 86400), apart for
-- restricted records (restricted = 1) so the share a DSL kept off them may not
-- see is read here too: kind 1 a case closed (escalations.closed_at), 2 an
-- agency's decision recorded while the case was open or after it had closed
-- (referrals.outcome_at), 3 a rule's deadline missed, not waived and not met by
-- its due time (deadlines.due_at; counted once due), 4 a closure signed off
-- (escalations.signed_off_at). Kept by the triggers below.
CREATE TABLE review_tally (
    kind       INTEGER NOT NULL,
    restricted INTEGER NOT NULL,
    span       INTEGER NOT NULL,
    bucket     INTEGER NOT NULL,
    n          INTEGER NOT NULL,
    PRIMARY KEY (kind, restricted, span, bucket)
) WITHOUT ROWID;
INSERT INTO review_tally (kind, restricted, span, bucket, n)
    SELECT 1, e.restricted, s.span, e.closed_at / s.span, count(*)
    FROM escalations e CROSS JOIN (SELECT 3600 AS span UNION ALL SELECT 86400) s
    WHERE e.closed_at IS NOT NULL GROUP BY 1, 2, 3, 4;
INSERT INTO review_tally (kind, restricted, span, bucket, n)
    SELECT 2, e.restricted, s.span, r.outcome_at / s.span, count(*)
    FROM referrals r INDEXED BY referrals_by_outcome_at
    CROSS JOIN escalations e ON e.id = r.escalation_id
    CROSS JOIN (SELECT 3600 AS span UNION ALL SELECT 86400) s
    WHERE r.outcome_at IS NOT NULL AND (e.closed_at IS NULL OR e.closed_at < r.outcome_at)
    GROUP BY 1, 2, 3, 4;
INSERT INTO review_tally (kind, restricted, span, bucket, n)
    SELECT 3, e.restricted, s.span, d.due_at / s.span, count(*)
    FROM deadlines d INDEXED BY deadlines_missed
    CROSS JOIN escalations e ON e.id = d.escalation_id
    CROSS JOIN (SELECT 3600 AS span UNION ALL SELECT 86400) s
    WHERE d.waived_at IS NULL AND (d.met_at IS NULL OR d.met_at > d.due_at)
      AND d.rule_id IS NOT NULL
    GROUP BY 1, 2, 3, 4;
INSERT INTO review_tally (kind, restricted, span, bucket, n)
    SELECT 4, e.restricted, s.span, e.signed_off_at / s.span, count(*)
    FROM escalations e CROSS JOIN (SELECT 3600 AS span UNION ALL SELECT 86400) s
    WHERE e.signed_off_at IS NOT NULL GROUP BY 1, 2, 3, 4;
CREATE TRIGGER review_tally_escalation_insert AFTER INSERT ON escalations
WHEN NEW.closed_at IS NOT NULL OR NEW.signed_off_at IS NOT NULL BEGIN
    INSERT INTO review_tally (kind, restricted, span, bucket, n)
        SELECT k.kind, NEW.restricted, s.span, k.at / s.span, 1
        FROM (SELECT 1 AS kind, NEW.closed_at AS at UNION ALL SELECT 4, NEW.signed_off_at) k
        CROSS JOIN (SELECT 3600 AS span UNION ALL SELECT 86400) s
        WHERE k.at IS NOT NULL
        ON CONFLICT (kind, restricted, span, bucket) DO UPDATE SET n = n + excluded.n;
END;
-- Closing, re-opening, signing off or restricting a case moves its own items,
-- its decisions (counted while it is open or after it closed) and, when it is
-- restricted or no longer, its missed deadlines.
CREATE TRIGGER review_tally_escalation_update
AFTER UPDATE OF closed_at, signed_off_at, restricted ON escalations
WHEN OLD.closed_at IS NOT NEW.closed_at OR OLD.signed_off_at IS NOT NEW.signed_off_at
    OR OLD.restricted IS NOT NEW.restricted BEGIN
    INSERT INTO review_tally (kind, restricted, span, bucket, n)
        SELECT k.kind, k.restricted, s.span, k.at / s.span, k.n
        FROM (SELECT 1 AS kind, OLD.closed_at AS at, OLD.restricted AS restricted, -1 AS n,
                  OLD.closed_at IS NOT NEW.closed_at AS moved UNION ALL
              SELECT 1, NEW.closed_at, NEW.restricted, 1, OLD.closed_at IS NOT NEW.closed_at UNION ALL
              SELECT 4, OLD.signed_off_at, OLD.restricted, -1,
                  OLD.signed_off_at IS NOT NEW.signed_off_at UNION ALL
              SELECT 4, NEW.signed_off_at, NEW.restricted, 1,
                  OLD.signed_off_at IS NOT NEW.signed_off_at) k
        CROSS JOIN (SELECT 3600 AS span UNION ALL SELECT 86400) s
        WHERE k.at IS NOT NULL AND (k.moved OR OLD.restricted IS NOT NEW.restricted)
        ON CONFLICT (kind, restricted, span, bucket) DO UPDATE SET n = n + excluded.n;
    INSERT INTO review_tally (kind, restricted, span, bucket, n)
        SELECT 2, OLD.restricted, s.span, r.outcome_at / s.span, -1
        FROM referrals r CROSS JOIN (SELECT 3600 AS span UNION ALL SELECT 86400) s
        WHERE r.escalation_id = NEW.id AND r.outcome_at IS NOT NULL
          AND (OLD.closed_at IS NOT NEW.closed_at OR OLD.restricted IS NOT NEW.restricted)
          AND (OLD.closed_at IS NULL OR OLD.closed_at < r.outcome_at)
        ON CONFLICT (kind, restricted, span, bucket) DO UPDATE SET n = n + excluded.n;
    INSERT INTO review_tally (kind, restricted, span, bucket, n)
        SELECT 2, NEW.restricted, s.span, r.outcome_at / s.span, 1
        FROM referrals r CROSS JOIN (SELECT 3600 AS span UNION ALL SELECT 86400) s
        WHERE r.escalation_id = NEW.id AND r.outcome_at IS NOT NULL
          AND (OLD.closed_at IS NOT NEW.closed_at OR OLD.restricted IS NOT NEW.restricted)
          AND (NEW.closed_at IS NULL OR NEW.closed_at < r.outcome_at)
        ON CONFLICT (kind, restricted, span, bucket) DO UPDATE SET n = n + excluded.n;
    INSERT INTO review_tally (kind, restricted, span, bucket, n)
        SELECT 3, x.restricted, s.span, d.due_at / s.span, x.n
        FROM deadlines d
        CROSS JOIN (SELECT OLD.restricted AS restricted, -1 AS n UNION ALL
                    SELECT NEW.restricted, 1) x
        CROSS JOIN (SELECT 3600 AS span UNION ALL SELECT 86400) s
        WHERE d.escalation_id = NEW.id AND OLD.restricted IS NOT NEW.restricted
          AND d.rule_id IS NOT NULL AND d.waived_at IS NULL
          AND (d.met_at IS NULL OR d.met_at > d.due_at)
        ON CONFLICT (kind, restricted, span, bucket) DO UPDATE SET n = n + excluded.n;
END;
CREATE TRIGGER review_tally_escalation_delete AFTER DELETE ON escalations
WHEN OLD.closed_at IS NOT NULL OR OLD.signed_off_at IS NOT NULL BEGIN
    INSERT INTO review_tally (kind, restricted, span, bucket, n)
        SELECT k.kind, OLD.restricted, s.span, k.at / s.span, -1
        FROM (SELECT 1 AS kind, OLD.closed_at AS at UNION ALL SELECT 4, OLD.signed_off_at) k
        CROSS JOIN (SELECT 3600 AS span UNION ALL SELECT 86400) s
        WHERE k.at IS NOT NULL
        ON CONFLICT (kind, restricted, span, bucket) DO UPDATE SET n = n + excluded.n;
END;
CREATE TRIGGER review_tally_outcome_insert AFTER INSERT ON referrals
WHEN NEW.outcome_at IS NOT NULL BEGIN
    INSERT INTO review_tally (kind, restricted, span, bucket, n)
        SELECT 2, e.restricted, s.span, NEW.outcome_at / s.span, 1
        FROM escalations e CROSS JOIN (SELECT 3600 AS span UNION ALL SELECT 86400) s
        WHERE e.id = NEW.escalation_id AND (e.closed_at IS NULL OR e.closed_at < NEW.outcome_at)
        ON CONFLICT (kind, restricted, span, bucket) DO UPDATE SET n = n + excluded.n;
END;
CREATE TRIGGER review_tally_outcome_update AFTER UPDATE OF outcome_at, escalation_id ON referrals
WHEN OLD.outcome_at IS NOT NEW.outcome_at OR OLD.escalation_id IS NOT NEW.escalation_id BEGIN
    INSERT INTO review_tally (kind, restricted, span, bucket, n)
        SELECT 2, e.restricted, s.span, OLD.outcome_at / s.span, -1
        FROM escalations e CROSS JOIN (SELECT 3600 AS span UNION ALL SELECT 86400) s
        WHERE e.id = OLD.escalation_id AND OLD.outcome_at IS NOT NULL
          AND (e.closed_at IS NULL OR e.closed_at < OLD.outcome_at)
        ON CONFLICT (kind, restricted, span, bucket) DO UPDATE SET n = n + excluded.n;
    INSERT INTO review_tally (kind, restricted, span, bucket, n)
        SELECT 2, e.restricted, s.span, NEW.outcome_at / s.span, 1
        FROM escalations e CROSS JOIN (SELECT 3600 AS span UNION ALL SELECT 86400) s
        WHERE e.id = NEW.escalation_id AND NEW.outcome_at IS NOT NULL
          AND (e.closed_at IS NULL OR e.closed_at < NEW.outcome_at)
        ON CONFLICT (kind, restricted, span, bucket) DO UPDATE SET n = n + excluded.n;
END;
CREATE TRIGGER review_tally_missed_insert AFTER INSERT ON deadlines
WHEN NEW.rule_id IS NOT NULL AND NEW.waived_at IS NULL
          AND (NEW.met_at IS NULL OR NEW.met_at > NEW.due_at) BEGIN
    INSERT INTO review_tally (kind, restricted, span, bucket, n)
        SELECT 3, e.restricted, s.span, NEW.due_at / s.span, 1
        FROM escalations e CROSS JOIN (SELECT 3600 AS span UNION ALL SELECT 86400) s
        WHERE e.id = NEW.escalation_id
        ON CONFLICT (kind, restricted, span, bucket) DO UPDATE SET n = n + excluded.n;
END;
CREATE TRIGGER review_tally_missed_update
AFTER UPDATE OF rule_id, due_at, met_at, waived_at, escalation_id ON deadlines
WHEN (OLD.rule_id IS NOT NULL AND OLD.waived_at IS NULL
          AND (OLD.met_at IS NULL OR OLD.met_at > OLD.due_at))
    OR (NEW.rule_id IS NOT NULL AND NEW.waived_at IS NULL
          AND (NEW.met_at IS NULL OR NEW.met_at > NEW.due_at)) BEGIN
    INSERT INTO review_tally (kind, restricted, span, bucket, n)
        SELECT 3, e.restricted, s.span, OLD.due_at / s.span, -1
        FROM escalations e CROSS JOIN (SELECT 3600 AS span UNION ALL SELECT 86400) s
        WHERE e.id = OLD.escalation_id AND OLD.rule_id IS NOT NULL AND OLD.waived_at IS NULL
          AND (OLD.met_at IS NULL OR OLD.met_at > OLD.due_at)
        ON CONFLICT (kind, restricted, span, bucket) DO UPDATE SET n = n + excluded.n;
    INSERT INTO review_tally (kind, restricted, span, bucket, n)
        SELECT 3, e.restricted, s.span, NEW.due_at / s.span, 1
        FROM escalations e CROSS JOIN (SELECT 3600 AS span UNION ALL SELECT 86400) s
        WHERE e.id = NEW.escalation_id AND NEW.rule_id IS NOT NULL AND NEW.waived_at IS NULL
          AND (NEW.met_at IS NULL OR NEW.met_at > NEW.due_at)
        ON CONFLICT (kind, restricted, span, bucket) DO UPDATE SET n = n + excluded.n;
END;
CREATE TRIGGER review_tally_missed_delete AFTER DELETE ON deadlines
WHEN OLD.rule_id IS NOT NULL AND OLD.waived_at IS NULL
          AND (OLD.met_at IS NULL OR OLD.met_at > OLD.due_at) BEGIN
    INSERT INTO review_tally (kind, restricted, span, bucket, n)
        SELECT 3, e.restricted, s.span, OLD.due_at / s.span, -1
        FROM escalations e CROSS JOIN (SELECT 3600 AS span UNION ALL SELECT 86400) s
        WHERE e.id = OLD.escalation_id
        ON CONFLICT (kind, restricted, span, bucket) DO UPDATE SET n = n + excluded.n;
END;

-- Open restricted cases by the date raised, with their status (schema 15): a
-- DSL kept off restricted records has their share of "open a long time" taken
-- away from these few entries, not from every open restricted row.
CREATE INDEX escalations_open_restricted_by_raised ON escalations (raised_at, status)
    WHERE status <> 'closed' AND restricted = 1;

-- Referrals awaiting an outcome on open cases, in all (schema 15): the sum of
-- referrals_pending, kept by triggers (71,000 rows summed at every change on a
-- busy desk).
CREATE TABLE referrals_pending_total (
    id INTEGER PRIMARY KEY CHECK (id = 1),
    n  INTEGER NOT NULL
);
INSERT INTO referrals_pending_total (id, n) SELECT 1, coalesce(sum(n), 0) FROM referrals_pending;
CREATE TRIGGER referrals_pending_total_insert AFTER INSERT ON referrals_pending BEGIN
    UPDATE referrals_pending_total SET n = n + NEW.n WHERE id = 1;
END;
CREATE TRIGGER referrals_pending_total_update AFTER UPDATE OF n ON referrals_pending BEGIN
    UPDATE referrals_pending_total SET n = n - OLD.n + NEW.n WHERE id = 1;
END;
CREATE TRIGGER referrals_pending_total_delete AFTER DELETE ON referrals_pending BEGIN
    UPDATE referrals_pending_total SET n = n - OLD.n WHERE id = 1;
END;

-- A counter of changes to who may see what (schema 15): a restricted flag set
-- or cleared, a case made restricted, a name added to or taken off a record.
-- The review counts keep the sets of records hidden from a viewer while it
-- stands still (reading them cost 5 ms at 22,000 restricted records).
CREATE TABLE access_changes (
    id INTEGER PRIMARY KEY CHECK (id = 1),
    n  INTEGER NOT NULL
);
INSERT INTO access_changes (id, n) VALUES (1, 0);
CREATE TRIGGER access_changes_access_insert AFTER INSERT ON escalation_access BEGIN
    UPDATE access_changes SET n = n + 1 WHERE id = 1;
END;
CREATE TRIGGER access_changes_access_update AFTER UPDATE ON escalation_access BEGIN
    UPDATE access_changes SET n = n + 1 WHERE id = 1;
END;
CREATE TRIGGER access_changes_access_delete AFTER DELETE ON escalation_access BEGIN
    UPDATE access_changes SET n = n + 1 WHERE id = 1;
END;
CREATE TRIGGER access_changes_restricted_insert AFTER INSERT ON escalations
WHEN NEW.restricted = 1 BEGIN
    UPDATE access_changes SET n = n + 1 WHERE id = 1;
END;
CREATE TRIGGER access_changes_restricted_update AFTER UPDATE OF restricted ON escalations
WHEN OLD.restricted IS NOT NEW.restricted BEGIN
    UPDATE access_changes SET n = n + 1 WHERE id = 1;
END;
CREATE TRIGGER access_changes_restricted_delete AFTER DELETE ON escalations
WHEN OLD.restricted = 1 BEGIN
    UPDATE access_changes SET n = n + 1 WHERE id = 1;
END;
