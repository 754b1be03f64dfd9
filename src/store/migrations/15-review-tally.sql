-- Schema v15 (issue 21, the review counts at 1,000,000 cases): the dashboard's
-- strip counted each series' window item by item from an index (a year's window
-- holds 300,000 items on a busy desk: 52 ms, ten times its budget, at every
-- change). Now the dated kinds are tallied by triggers per UTC hour and per UTC
-- day, so a window costs its days and the hours at its two ends.

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
