-- Schema v12: where third parties sit in a chronology line; names compared
-- with apostrophes and hyphens as spaces.
--
-- A correction of who raised a concern, or a person added or removed, writes
-- their name, role, contact or relationship into the chronology line. A
-- redacted export must blank exactly those places (issue 18, fault F6: the
-- header was redacted and the chronology line kept the raiser's contact), so
-- the line now stores them beside it: byte ranges of `body`, "12-20,40-55",
-- NULL when the line names no third party. The trail covers the column with
-- the line (appended to the digest only when present, as referrals'
-- phone_rung, so lines covered before it still verify).
--
-- Lines written before this step have no ranges: an export finds the ones
-- that name third parties from their audit rows (store::exports) and hides
-- each whole.

ALTER TABLE chronology ADD COLUMN parties TEXT CHECK (parties IS NULL OR length(parties) BETWEEN 3 AND 4000);

-- Names fold apostrophes and hyphens as word breaks, as spaces (issue 18,
-- fault F2: "SIOBHAN O BRIEN NI" was not offered as a repeat of "Siobhán
-- O'Brien-Ní"): every stored key is folded again by the same function
-- (dutydesk_name_key, registered on every store connection; the search
-- index follows by its trigger), and repeats compare keys with their spaces
-- removed, through an index on that expression.
UPDATE escalations SET subject_key = dutydesk_name_key(subject_name);
DROP INDEX escalations_by_subject_key;
CREATE INDEX escalations_by_name_key ON escalations (replace(subject_key, ' ', ''), subject_dob);
