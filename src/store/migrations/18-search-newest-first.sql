-- Schema v18 (issue 21, search at 1,000,000 cases): the search index keyed
-- newest first. A first name shared by 50,000 cases was counted, then every
-- match read and sorted before the 200 newest were known (10-35 ms at 1M,
-- growing with history). Keyed by raised_at * 2^30 + id, FTS5 reads the
-- matches newest first and the search stops at its limit. The index becomes
-- contentless (rowids are no longer escalation ids, so the escalations table
-- cannot be its content); nothing reads the words back from it.
DROP TRIGGER escalation_search_insert;
DROP TRIGGER escalation_search_update;
DROP TRIGGER escalation_search_delete;
DROP TABLE escalation_search;
-- Search over every case (open and closed): the folded name, the area, the
-- reference and the date of birth, indexed by SQLite's FTS5 (contentless: no
-- second copy of the words, only the index). Since schema v18 (issue 21) each
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
-- characters (schema v18; 2 and 3 before): the index is ~340 MB instead of
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

-- Every case indexed again under its search key, then the index merged into
-- one segment (reading newest first walks one doclist per word).
INSERT INTO escalation_search (rowid, subject_key, area, reference, subject_dob)
    SELECT raised_at * 1073741824 + id, subject_key, area, reference, subject_dob
    FROM escalations;
INSERT INTO escalation_search (escalation_search) VALUES ('optimize');
