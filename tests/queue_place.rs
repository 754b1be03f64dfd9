//! A case's place in the open queue (schema 19, issue 21): counted from the
//! queue's tally, the earlier bands and the viewer's hidden cases, it is the
//! place the listed queue gives it, for every kind of viewer, at instants
//! that move cases between the bands, and after changes that move the
//! tally; and the tally, kept by triggers, always equals a recount.

mod common;

use chrono::Duration;
use dutydesk::store::access::Viewer;
use dutydesk::store::escalations::{self, Which};
use dutydesk::store::{self, Create, staff};
use rusqlite::Connection;

/// Every (rank, no deadline, step, n) the tally should hold, from the records.
fn recount(c: &Connection) -> Vec<(i64, i64, i64, i64)> {
    rows(
        c,
        "SELECT CASE risk WHEN 'high' THEN 0 WHEN 'medium' THEN 1 ELSE 2 END, next_due_at IS NULL,
            CASE WHEN next_due_at IS NULL THEN raised_at / 86400 ELSE next_due_at / 3600 END, count(*)
         FROM escalations WHERE status <> 'closed' GROUP BY 1, 2, 3 ORDER BY 1, 2, 3",
    )
}

fn tally(c: &Connection) -> Vec<(i64, i64, i64, i64)> {
    rows(
        c,
        "SELECT rank, nodue, bucket, n FROM escalations_queue_tally ORDER BY 1, 2, 3",
    )
}

fn rows(c: &Connection, sql: &str) -> Vec<(i64, i64, i64, i64)> {
    let mut stmt = c.prepare(sql).unwrap();
    stmt.query_map([], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?)))
        .unwrap()
        .map(Result::unwrap)
        .collect()
}

/// A desk of 3,000 cases with about 600 open, restricted ones among them.
fn desk(dir: &std::path::Path) -> std::path::PathBuf {
    let path = dir.join("place.db");
    let mut s = store::open(&path, Create::IfMissing).unwrap();
    let mut opts = common::options(3000);
    opts.open = Some(600);
    dutydesk::demo::generate(&mut s, &opts).unwrap();
    path
}

/// Each open case the viewer sees: its place counted equals its index in
/// the listed queue, counted from either end; a case they may not see has
/// no place. Returns how many of the listed cases were in each band's
/// (life at risk .. the rest) share, to show the instant exercised them.
fn check_places(path: &std::path::Path, user: &str, now: chrono::DateTime<chrono::Utc>) -> usize {
    let s = common::open(path);
    let me = staff::find(&s, user).unwrap().unwrap();
    let viewer = Viewer::from(&me);
    let listed = escalations::list(&s, viewer, now, Which::Open, &Default::default()).unwrap();
    let total = listed.len() as i64;
    assert_eq!(
        escalations::open_count(&s, viewer).unwrap(),
        total,
        "{user}"
    );
    for (i, e) in listed.iter().enumerate() {
        for near_end in [None, Some(total)] {
            assert_eq!(
                escalations::position(&s, viewer, now, e.id, near_end).unwrap(),
                Some(i as i64),
                "{user} at {now}: {} ({near_end:?})",
                e.reference
            );
        }
    }
    let c = common::sql(path);
    let mut stmt = c
        .prepare("SELECT id FROM escalations WHERE status <> 'closed'")
        .unwrap();
    let open: Vec<i64> = stmt
        .query_map([], |r| r.get(0))
        .unwrap()
        .map(Result::unwrap)
        .collect();
    let mut unseen = 0;
    for id in open {
        if !listed.iter().any(|e| e.id == id) {
            unseen += 1;
            assert_eq!(
                escalations::position(&s, viewer, now, id, None).unwrap(),
                None,
                "{user}: a case they may not see has no place"
            );
        }
    }
    unseen
}

#[test]
fn every_open_case_is_placed_where_the_queue_lists_it() {
    let dir = common::private_dir();
    let path = desk(dir.path());
    let c = common::sql(&path);
    assert_eq!(tally(&c), recount(&c), "as the demo wrote it");
    // okhan is kept off one unrestricted open case too (an allegation).
    c.execute(
        "INSERT INTO escalation_access (escalation_id, staff_id, access)
         SELECT (SELECT id FROM escalations WHERE status <> 'closed' AND restricted = 0
                 ORDER BY raised_at LIMIT 1 OFFSET 300),
                id, 'excluded' FROM staff WHERE username = 'okhan'",
        [],
    )
    .unwrap();
    let now = common::now();
    // Later instants move cases from the last band into the warning and
    // unacknowledged bands, which the place is corrected for.
    for at in [
        now,
        now + Duration::hours(3),
        now + Duration::days(2),
        now - Duration::days(3),
    ] {
        // A senior lead sees everything; the demo's own user is named on
        // the restricted cases; okhan sees neither those nor the one he is
        // kept off; a viewer lists what a DSL without a name does.
        assert_eq!(check_places(&path, "rwhite", at), 0, "a senior lead");
        check_places(&path, common::USER, at);
        let unseen = check_places(&path, "okhan", at);
        assert!(unseen > 1, "restricted and excluded cases exist: {unseen}");
        check_places(&path, "cadeyemi", at);
    }
    // The bands at `now` all hold cases, so every correction was exercised.
    let s = common::open(&path);
    let me = staff::find(&s, "rwhite").unwrap().unwrap();
    let tiers: std::collections::HashSet<_> =
        escalations::list(&s, Viewer::from(&me), now, Which::Open, &Default::default())
            .unwrap()
            .iter()
            .map(|e| {
                dutydesk::domain::urgency::tier(&dutydesk::domain::urgency::Input::of(e), now, 15)
            })
            .collect();
    assert!(tiers.len() >= 4, "{tiers:?}");
}

#[test]
fn the_queue_tally_equals_a_recount_through_every_kind_of_change() {
    let dir = common::private_dir();
    let path = desk(dir.path());
    let c = common::sql(&path);
    let fresh = recount(&c);
    assert!(fresh.len() > 50, "steps of every kind: {}", fresh.len());
    assert!(fresh.iter().any(|x| x.1 == 1) && fresh.iter().any(|x| x.1 == 0));
    assert_eq!(tally(&c), fresh, "as the demo wrote it");
    let changes = [
        // Closed, re-opened, its risk raised, its raised time corrected.
        "UPDATE escalations SET status = 'closed', closed_at = 1900000000,
           outcome = 'early help offered', closure_rationale = 'test' WHERE id = (
           SELECT id FROM escalations WHERE status <> 'closed' ORDER BY id LIMIT 1)",
        "UPDATE escalations SET status = 'assigned', closed_at = NULL WHERE id = (
           SELECT id FROM escalations WHERE status = 'closed' ORDER BY id LIMIT 1)",
        "UPDATE escalations SET risk = 'high' WHERE id IN (
           SELECT id FROM escalations WHERE status <> 'closed' AND risk = 'low' ORDER BY id LIMIT 3)",
        "UPDATE escalations SET raised_at = raised_at - 86400 * 3 WHERE id IN (
           SELECT id FROM escalations WHERE status <> 'closed' AND next_due_at IS NULL
           ORDER BY id LIMIT 3)",
        // A closed case's risk changes nothing here.
        "UPDATE escalations SET risk = 'low' WHERE id = (
           SELECT id FROM escalations WHERE status = 'closed' AND risk <> 'low' ORDER BY id LIMIT 1)",
        // Deadlines move the next one due: a new earlier one, one met, one
        // waived, one moved by an hour (its step), one removed.
        "INSERT INTO deadlines (escalation_id, rule_id, label, due_at, created_at)
           SELECT id, NULL, 'A task', 1800000000, 1700000000 FROM escalations
           WHERE status <> 'closed' AND next_due_at IS NULL ORDER BY id LIMIT 2",
        "UPDATE deadlines SET met_at = due_at - 60 WHERE id IN (
           SELECT d.id FROM deadlines d JOIN escalations e ON e.id = d.escalation_id
           WHERE e.status <> 'closed' AND d.met_at IS NULL AND d.waived_at IS NULL
           ORDER BY d.id LIMIT 3)",
        "UPDATE deadlines SET waived_at = due_at, waived_reason = 'not needed' WHERE id = (
           SELECT d.id FROM deadlines d JOIN escalations e ON e.id = d.escalation_id
           WHERE e.status <> 'closed' AND d.met_at IS NULL AND d.waived_at IS NULL
           ORDER BY d.id DESC LIMIT 1)",
        "UPDATE deadlines SET due_at = due_at + 3600 WHERE id IN (
           SELECT d.id FROM deadlines d JOIN escalations e ON e.id = d.escalation_id
           WHERE e.status <> 'closed' AND d.met_at IS NULL AND d.waived_at IS NULL
           ORDER BY d.id LIMIT 5)",
        "DELETE FROM deadlines WHERE id = (SELECT max(id) FROM deadlines WHERE label = 'A task')",
    ];
    for sql in changes {
        let n = c.execute(sql, []).unwrap();
        assert!(n > 0, "changed nothing: {sql}");
        assert_eq!(tally(&c), recount(&c), "after {sql}");
    }
    // (The demo's own intake and closures wrote the tally checked above.)
    drop(c);
    let c = common::sql(&path);
    // verify recounts it and names it when a trigger was bypassed.
    let report = dutydesk::store::audit::verify(&c).unwrap();
    assert!(
        !report.problems.iter().any(|p| p.contains("queue_tally")),
        "{:?}",
        report.problems
    );
    c.execute_batch(
        "DROP TRIGGER escalations_queue_tally_update;
         UPDATE escalations SET risk = 'medium' WHERE id = (
           SELECT id FROM escalations WHERE status <> 'closed' AND risk = 'high' LIMIT 1);",
    )
    .unwrap();
    let report = dutydesk::store::audit::verify(&c).unwrap();
    assert!(
        report
            .problems
            .iter()
            .any(|p| p.contains("escalations_queue_tally")),
        "{:?}",
        report.problems
    );
}
