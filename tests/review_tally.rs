//! The review counts' tally (schema 15, issue 21): kept by triggers, it
//! always equals the items counted afresh, through every change the desk
//! makes to what an agenda counts.

mod common;

use rusqlite::Connection;

/// Every (kind, restricted, span, bucket, n) the tally should hold, counted
/// from the records themselves; zero buckets left out.
fn recount(c: &Connection) -> Vec<(i64, i64, i64, i64, i64)> {
    let mut stmt = c
        .prepare(
            "WITH s(span) AS (SELECT 3600 UNION ALL SELECT 86400),
             items(kind, restricted, at) AS (
               SELECT 1, restricted, closed_at FROM escalations WHERE closed_at IS NOT NULL
               UNION ALL
               SELECT 2, e.restricted, r.outcome_at FROM referrals r
                 JOIN escalations e ON e.id = r.escalation_id
                 WHERE r.outcome_at IS NOT NULL AND (e.closed_at IS NULL OR e.closed_at < r.outcome_at)
               UNION ALL
               SELECT 3, e.restricted, d.due_at FROM deadlines d
                 JOIN escalations e ON e.id = d.escalation_id
                 WHERE d.rule_id IS NOT NULL AND d.waived_at IS NULL
                   AND (d.met_at IS NULL OR d.met_at > d.due_at)
               UNION ALL
               SELECT 4, restricted, signed_off_at FROM escalations WHERE signed_off_at IS NOT NULL)
             SELECT kind, restricted, span, at / span, count(*) FROM items CROSS JOIN s
             GROUP BY 1, 2, 3, 4 ORDER BY 1, 2, 3, 4",
        )
        .unwrap();
    stmt.query_map([], |r| {
        Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?, r.get(4)?))
    })
    .unwrap()
    .map(Result::unwrap)
    .collect()
}

fn tally(c: &Connection) -> Vec<(i64, i64, i64, i64, i64)> {
    let mut stmt = c
        .prepare(
            "SELECT kind, restricted, span, bucket, n FROM review_tally WHERE n <> 0
             ORDER BY 1, 2, 3, 4",
        )
        .unwrap();
    stmt.query_map([], |r| {
        Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?, r.get(4)?))
    })
    .unwrap()
    .map(Result::unwrap)
    .collect()
}

fn scalar(c: &Connection, sql: &str) -> i64 {
    c.query_row(sql, [], |r| r.get(0)).unwrap()
}

#[test]
fn the_tally_equals_a_recount_through_every_kind_of_change() {
    let dir = common::private_dir();
    let (path, _) = common::demo_db(dir.path(), 400);
    let c = common::sql(&path);
    let fresh = recount(&c);
    assert!(
        fresh.len() > 20,
        "the demo has items of every kind: {fresh:?}"
    );
    // (The demo signs no closure off: a change below does.)
    for kind in 1..=3 {
        assert!(fresh.iter().any(|x| x.0 == kind), "no kind {kind}");
    }
    assert_eq!(tally(&c), fresh, "as the demo wrote it");
    let pending = "SELECT coalesce(sum(n), 0) FROM referrals_pending";
    let total = "SELECT n FROM referrals_pending_total WHERE id = 1";
    assert_eq!(scalar(&c, total), scalar(&c, pending));
    let access = "SELECT n FROM access_changes WHERE id = 1";
    let before = scalar(&c, access);
    // Each change below, done as the desk's triggers see it, then checked.
    let changes = [
        // Re-open a closed case that had decisions before it closed: they
        // count again; close it later than its decisions: they stay.
        "UPDATE escalations SET closed_at = NULL, status = 'assigned' WHERE id = (
           SELECT e.id FROM escalations e JOIN referrals r ON r.escalation_id = e.id
           WHERE e.closed_at IS NOT NULL AND r.outcome_at < e.closed_at ORDER BY e.id LIMIT 1)",
        "UPDATE escalations SET closed_at = 2000000000, status = 'closed' WHERE id = (
           SELECT e.id FROM escalations e JOIN referrals r ON r.escalation_id = e.id
           WHERE e.closed_at IS NULL AND r.outcome_at IS NOT NULL ORDER BY e.id LIMIT 1)",
        // A closure signed off, and one whose sign-off is undone.
        "UPDATE escalations SET signed_off_at = closed_at + 60 WHERE id = (
           SELECT id FROM escalations WHERE closed_at IS NOT NULL AND signed_off_at IS NULL
           ORDER BY id LIMIT 1)",
        "UPDATE escalations SET signed_off_at = NULL WHERE id = (
           SELECT id FROM escalations WHERE signed_off_at IS NOT NULL ORDER BY id DESC LIMIT 1)",
        // Restricting a case with every kind of item moves them all.
        "UPDATE escalations SET restricted = 1 WHERE id IN (
           SELECT escalation_id FROM referrals WHERE outcome_at IS NOT NULL
           ORDER BY id LIMIT 3)",
        "UPDATE escalations SET restricted = 1 WHERE id IN (
           SELECT escalation_id FROM deadlines WHERE met_at IS NULL AND waived_at IS NULL
           ORDER BY id LIMIT 3)",
        "UPDATE escalations SET restricted = 0 WHERE id = (
           SELECT id FROM escalations WHERE restricted = 1 AND closed_at IS NOT NULL
           ORDER BY id LIMIT 1)",
        // A decision recorded on a case now open, and one on a closed case.
        "UPDATE referrals SET outcome = 'nfa', outcome_at = 1900000000 WHERE id = (
           SELECT r.id FROM referrals r JOIN escalations e ON e.id = r.escalation_id
           WHERE r.outcome IS NULL AND e.closed_at IS NULL ORDER BY r.id LIMIT 1)",
        // Deadlines: met late (still missed), met on time, waived, moved,
        // a new one overdue and one set by hand (not counted).
        "UPDATE deadlines SET met_at = due_at + 7200 WHERE id = (
           SELECT id FROM deadlines WHERE met_at IS NULL AND waived_at IS NULL AND rule_id IS NOT NULL
           ORDER BY id LIMIT 1)",
        "UPDATE deadlines SET met_at = due_at - 60 WHERE id = (
           SELECT id FROM deadlines WHERE met_at IS NULL AND waived_at IS NULL AND rule_id IS NOT NULL
           ORDER BY id DESC LIMIT 1)",
        "UPDATE deadlines SET waived_at = due_at + 60, waived_reason = 'not needed' WHERE id = (
           SELECT id FROM deadlines WHERE met_at IS NULL AND waived_at IS NULL AND rule_id IS NOT NULL
           ORDER BY id LIMIT 1 OFFSET 1)",
        "UPDATE deadlines SET due_at = due_at - 86400 * 40 WHERE id = (
           SELECT id FROM deadlines WHERE met_at IS NULL AND waived_at IS NULL AND rule_id IS NOT NULL
           ORDER BY id LIMIT 1 OFFSET 2)",
        "INSERT INTO deadlines (escalation_id, rule_id, label, due_at, created_at)
           SELECT escalation_id, rule_id, label, 1700000000, 1700000000 FROM deadlines
           WHERE rule_id IS NOT NULL ORDER BY id LIMIT 1",
        "INSERT INTO deadlines (escalation_id, rule_id, label, due_at, created_at)
           SELECT escalation_id, NULL, 'A task', 1700000000, 1700000000 FROM deadlines
           ORDER BY id LIMIT 1",
        "DELETE FROM deadlines WHERE id = (SELECT max(id) FROM deadlines WHERE rule_id IS NOT NULL)",
        // Access: a name added and taken off.
        "INSERT INTO escalation_access (escalation_id, staff_id, access)
           SELECT min(id), (SELECT id FROM staff WHERE username = 'okhan'), 'named'
           FROM escalations WHERE restricted = 1",
        "DELETE FROM escalation_access WHERE staff_id = (SELECT id FROM staff WHERE username = 'okhan')",
    ];
    for sql in changes {
        let n = c.execute(sql, []).unwrap();
        assert!(n > 0, "changed nothing: {sql}");
        assert_eq!(tally(&c), recount(&c), "after {sql}");
        assert_eq!(scalar(&c, total), scalar(&c, pending), "after {sql}");
    }
    // Restricting 7 cases (3 + 3 + 1 unrestricted) and two changes of names.
    assert!(scalar(&c, access) >= before + 4);
}

/// The strip's counts follow a change of who may see what at once, though
/// the sets of hidden records are kept on the connection between counts.
#[test]
fn the_strip_follows_a_change_of_access_on_the_same_connection() {
    use dutydesk::store::escalations::Viewer;
    use dutydesk::store::{reviews, staff};
    let dir = common::private_dir();
    let (path, _) = common::demo_db(dir.path(), 400);
    let now = common::now();
    let kept = common::open(&path);
    let me = staff::authenticate(&kept, "okhan").unwrap();
    let viewer = Viewer::from(&me);
    let c = common::sql(&path);
    // Restrict the cases on the agendas, so okhan's strip counts fewer.
    c.execute_batch(
        "UPDATE escalations SET restricted = 1 WHERE id IN (
           SELECT escalation_id FROM referrals WHERE outcome_at IS NOT NULL
           UNION SELECT id FROM escalations WHERE closed_at IS NOT NULL ORDER BY 1 LIMIT 40)",
    )
    .unwrap();
    let total =
        |a: &[dutydesk::domain::review::Agenda]| -> usize { a.iter().map(|s| s.total()).sum() };
    let before = reviews::summaries(&kept, viewer, now).unwrap();
    assert_eq!(
        before,
        reviews::summaries(&common::open(&path), viewer, now).unwrap()
    );
    // okhan is named on every restricted record: they count for okhan now.
    c.execute_batch(&format!(
        "INSERT INTO escalation_access (escalation_id, staff_id, access)
           SELECT id, {}, 'named' FROM escalations WHERE restricted = 1",
        me.id
    ))
    .unwrap();
    let after = reviews::summaries(&kept, viewer, now).unwrap();
    assert!(total(&after) > total(&before), "{after:?}");
    assert_eq!(
        after,
        reviews::summaries(&common::open(&path), viewer, now).unwrap()
    );
}
