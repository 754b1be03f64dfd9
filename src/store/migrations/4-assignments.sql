-- Schema v4: notices learn 'taken' (a case taken from its holder), and
-- assignments record who held an escalation before and after each change.
-- notices is rebuilt to widen its CHECK, keeping every announcement made.
CREATE TEMP TABLE notices_v3 AS SELECT * FROM notices;
DROP TABLE notices;
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
INSERT INTO notices SELECT * FROM notices_v3;
DROP TABLE notices_v3;

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
