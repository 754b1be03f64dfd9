-- Schema v9 (issue 18): the DSL's workbench. Finding any case, following a
-- person, correcting the record, who raised it and who else is involved,
-- tasks, attachments.

-- The subject's name folded as domain::names folds names (case beyond ASCII,
-- accents, look-alike letters, spacing and punctuation): repeats and search
-- compare this. Kept by the store on every insert and correction; filled here
-- by the function dutydesk_name_key, which every connection of the store has.
ALTER TABLE escalations ADD COLUMN subject_key TEXT;
-- Who raised the concern: their role (e.g. "class teacher") and how to reach them.
ALTER TABLE escalations ADD COLUMN raised_by_role TEXT CHECK (raised_by_role IS NULL OR length(raised_by_role) <= 100);
ALTER TABLE escalations ADD COLUMN raised_by_contact TEXT CHECK (raised_by_contact IS NULL OR length(raised_by_contact) <= 200);
UPDATE escalations SET subject_key = dutydesk_name_key(subject_name);

CREATE INDEX escalations_by_subject_key ON escalations (subject_key, subject_dob);
-- Search filters that would otherwise read the whole history.
CREATE INDEX escalations_awaiting_signoff ON escalations (id)
    WHERE closed_by IS NOT NULL AND closed_at IS NULL;
CREATE INDEX escalations_unassigned ON escalations (id) WHERE assignee_id IS NULL;
CREATE INDEX escalations_by_holder ON escalations (assignee_id, id);

-- Search over every case (open and closed): the folded name, the area, the
-- reference and the date of birth, indexed by SQLite's FTS5 over the
-- escalations table itself (external content: no second copy of the words).
CREATE VIRTUAL TABLE escalation_search USING fts5 (
    subject_key, area, reference, subject_dob,
    content = 'escalations', content_rowid = 'id',
    tokenize = 'unicode61 remove_diacritics 2', prefix = '2 3'
);
INSERT INTO escalation_search (escalation_search) VALUES ('rebuild');
CREATE TRIGGER escalation_search_insert AFTER INSERT ON escalations BEGIN
    INSERT INTO escalation_search (rowid, subject_key, area, reference, subject_dob)
        VALUES (NEW.id, NEW.subject_key, NEW.area, NEW.reference, NEW.subject_dob);
END;
CREATE TRIGGER escalation_search_update
AFTER UPDATE OF subject_key, area, reference, subject_dob ON escalations BEGIN
    INSERT INTO escalation_search (escalation_search, rowid, subject_key, area, reference, subject_dob)
        VALUES ('delete', OLD.id, OLD.subject_key, OLD.area, OLD.reference, OLD.subject_dob);
    INSERT INTO escalation_search (rowid, subject_key, area, reference, subject_dob)
        VALUES (NEW.id, NEW.subject_key, NEW.area, NEW.reference, NEW.subject_dob);
END;
CREATE TRIGGER escalation_search_delete AFTER DELETE ON escalations BEGIN
    INSERT INTO escalation_search (escalation_search, rowid, subject_key, area, reference, subject_dob)
        VALUES ('delete', OLD.id, OLD.subject_key, OLD.area, OLD.reference, OLD.subject_dob);
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
