//! The benchmark cannot rot: it runs in a quick mode on a small demo here
//! (figures come from the full run, see docs/PERFORMANCE.md), and the
//! dashboard's queries keep their indexes.

mod common;

use common::{USER, demo_db, open, private_dir};

#[test]
fn the_dashboard_queries_use_their_indexes() {
    let dir = private_dir();
    let (path, _) = demo_db(dir.path(), 300);
    let store = open(&path);
    let plans = dutydesk::store::plans::dashboard(&store).unwrap();
    assert_eq!(plans.len(), 3);
    for (name, plan) in &plans {
        assert!(
            !dutydesk::store::plans::full_scan(plan),
            "{name} scans a whole table:\n{plan}"
        );
    }
    let (_, page) = &plans[0];
    assert!(page.contains("escalations_open_queue"), "{page}");
    assert!(
        plans[1].1.contains("deadlines_open_by_due"),
        "{}",
        plans[1].1
    );
    assert!(
        plans[2].1.contains("escalations_unacknowledged"),
        "{}",
        plans[2].1
    );
    // A lost index is caught: without the queue index the page is read
    // through another index and sorted whole, and the check above would fail.
    let c = common::sql(&path);
    c.execute_batch("DROP INDEX escalations_open_queue")
        .unwrap();
    drop(c);
    let store = open(&path);
    let plans = dutydesk::store::plans::dashboard(&store).unwrap();
    assert!(
        !plans[0].1.contains("escalations_open_queue"),
        "{}",
        plans[0].1
    );
}

#[test]
fn the_benchmark_runs_in_quick_mode() {
    let dir = private_dir();
    let (path, _) = demo_db(dir.path(), 200);
    let out = assert_cmd::Command::cargo_bin("dutydesk")
        .unwrap()
        .env("DUTYDESK_USER", USER)
        .env("DUTYDESK_NOW", "2026-11-23T09:00:00Z")
        .args(["bench", "--runs", "3", "--db"])
        .arg(&path)
        .output()
        .unwrap();
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success(),
        "{}{}",
        text,
        String::from_utf8_lossy(&out.stderr)
    );
    for figure in [
        "start to first frame",
        "query: open escalations page",
        "query: open deadlines page",
        "draw one frame 80×24",
        "draw one frame 200×60",
        "key to frame: move selection",
        "key to frame: open a record",
        "commit to another session's screen",
        "peak memory",
        "plan: open escalations page: indexed",
    ] {
        assert!(text.contains(figure), "missing {figure:?}:\n{text}");
    }
}
