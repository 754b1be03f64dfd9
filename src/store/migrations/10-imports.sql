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
