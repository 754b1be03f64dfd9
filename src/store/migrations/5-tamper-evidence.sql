-- Schema v5: tamper evidence. Audit rows carry digests of the chronology and
-- referral rows their write added (covers); both tables become append-only.
-- store/migrate.rs then covers the rows that exist already, in Rust (SQLite
-- has no sha256), in the same transaction.
ALTER TABLE audit_log ADD COLUMN covers TEXT;

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
    AND NEW.made_at IS OLD.made_at) BEGIN
    SELECT RAISE(ABORT, 'referrals are append-only: only an outcome may be recorded, once');
END;
