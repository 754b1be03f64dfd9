-- Schema v10: faults found in testing issues 15 and 17.
--
-- * The seeded rules an event sets count from when the event was held (the
--   ICPC 15 working days from the strategy discussion; the DBS barring duty
--   from the removal), not from when it was typed in. Only rows still as the
--   desk seeded them are changed: an organisation's own choice is kept.
-- * The seeded LADO referral follows routing's decision (allegation:lado):
--   an allegation about someone who works only with adults at risk goes to
--   the PiPoT lead, and no LADO clock starts for it.

UPDATE deadline_rules SET counts_from = 'occurred'
    WHERE code IN ('icpc', 'dbs_referral') AND counts_from = 'recorded'
      AND trigger_event = 'event_recorded';
UPDATE deadline_rules SET trigger_match = 'allegation:lado'
    WHERE code = 'lado_referral' AND trigger_match = 'subject:staff';
