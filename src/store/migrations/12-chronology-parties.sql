-- Schema v12: where third parties sit in a chronology line.
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
