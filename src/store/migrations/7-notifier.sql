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
