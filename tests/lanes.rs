//! The store worker's two lanes (issue 21): a key's request is answered on
//! the user lane while the side lane (review counts, handover, open alerts,
//! the alert check) is busy, and a revoked session's side lane answers
//! nothing but the refusal.

mod common;

use dutydesk::clock::Clock;
use dutydesk::store::worker::{Reply, Request, Worker};
use dutydesk::store::{self, Create};
use std::sync::mpsc::{Receiver, channel};
use std::time::{Duration, Instant};

fn dashboard() -> Request {
    Request::Dashboard {
        offset: 0,
        limit: 50,
        keep: None,
        deadlines_offset: 0,
    }
}

/// The next reply that answers a request (what the worker says of itself,
/// another session's change or the alert check's news, is skipped), and
/// when it came; `None` if none came within `within`.
fn answer(rx: &Receiver<Reply>, within: Duration) -> Option<(Reply, Instant)> {
    let until = Instant::now() + within;
    loop {
        match rx.recv_timeout(until.saturating_duration_since(Instant::now())) {
            Ok(Reply::Changed | Reply::Alerts(_) | Reply::OpenAlerts(_)) => {}
            Ok(Reply::Error(e)) if e.starts_with("checking deadlines for alerts") => {}
            Ok(r) => return Some((r, Instant::now())),
            Err(_) => return None,
        }
    }
}

#[test]
fn a_held_lock_delays_neither_a_key_nor_the_side_reads_and_alerts_come_after() {
    let dir = common::private_dir();
    let (db, _) = common::demo_db(dir.path(), 40);
    let st = common::open(&db);
    let me = store::staff::authenticate(&st, common::USER).unwrap();
    let now = common::now();
    assert!(
        !store::notices::pending(&st, &me, now).unwrap().is_empty(),
        "the demo has alerts for the check to claim"
    );
    // Another session holds the write lock while the first alert check
    // (200 ms after start) claims what it found: the claim does not wait
    // for it, so neither lane is held up.
    let holder = common::sql(&db);
    holder.execute_batch("BEGIN IMMEDIATE").unwrap();
    let (tx, rx) = channel();
    let worker = Worker::spawn(st, me, Clock::Fixed(now), move |r| tx.send(r).is_ok());
    std::thread::sleep(Duration::from_millis(600));
    let asked = Instant::now();
    worker.send(Request::Reviews);
    worker.send(dashboard());
    let mut got = Vec::new();
    let until = asked + Duration::from_secs(2);
    while got.len() < 2 {
        match rx.recv_timeout(until.saturating_duration_since(Instant::now())) {
            Ok(r @ (Reply::Dashboard(_) | Reply::Reviews(_))) => got.push(r),
            // The lock met once is not a fault to show.
            Ok(Reply::Error(e)) => panic!("shown: {e}"),
            Ok(_) => {}
            Err(e) => panic!("within 2 s, {} of 2 answers: {e}", got.len()),
        }
    }
    // Once the lock is released, the next check (10 s on) claims and
    // announces them.
    holder.execute_batch("COMMIT").unwrap();
    let until = Instant::now() + Duration::from_secs(15);
    loop {
        match rx.recv_timeout(until.saturating_duration_since(Instant::now())) {
            Ok(Reply::Alerts(a)) => {
                assert!(!a.is_empty());
                break;
            }
            Ok(Reply::Error(e)) => panic!("shown: {e}"),
            Ok(_) => {}
            Err(e) => panic!("no alerts after the lock: {e}"),
        }
    }
}

#[test]
fn a_revoked_sessions_side_lane_answers_only_the_refusal() {
    let dir = common::private_dir();
    let (db, _) = common::demo_db(dir.path(), 20);
    let st = common::open(&db);
    let me = store::staff::authenticate(&st, common::USER).unwrap();
    let now = common::now();
    let (tx, rx) = channel();
    let worker = Worker::spawn(st, me, Clock::Fixed(now), move |r| tx.send(r).is_ok());
    worker.send(Request::Handover);
    let (r, _) = answer(&rx, Duration::from_secs(5)).unwrap();
    assert!(matches!(r, Reply::Handover(_)), "{r:?}");
    // Another session takes the account off the desk.
    let mut other = store::open(&db, Create::No).unwrap();
    other
        .write("someone", now, |w| {
            w.tx().execute(
                "UPDATE staff SET active = 0 WHERE username = ?1",
                [common::USER],
            )?;
            w.audit("deactivate", "staff", Some(common::USER), None)
        })
        .unwrap();
    let (r, _) = answer(&rx, Duration::from_secs(5)).expect("told within a poll");
    assert!(matches!(r, Reply::Revoked(_)), "{r:?}");
    for req in [
        Request::Reviews,
        Request::Side(Box::new(Request::Handover)),
        Request::OpenAlerts,
        Request::Handover,
    ] {
        worker.send(req);
        let (r, _) = answer(&rx, Duration::from_secs(5)).unwrap();
        assert!(matches!(r, Reply::Revoked(_)), "{r:?}");
    }
}

/// The alert check runs on the side lane but its claims are written by the
/// user lane's connection: the commit is the session's own, so the screen is
/// not told "another session changed something" and does not reload.
#[test]
fn the_alert_checks_claims_are_not_taken_for_another_sessions_change() {
    let dir = common::private_dir();
    let (db, _) = common::demo_db(dir.path(), 40);
    let st = common::open(&db);
    let me = store::staff::authenticate(&st, common::USER).unwrap();
    let (tx, rx) = channel();
    let worker = Worker::spawn(st, me, Clock::Fixed(common::now()), move |r| {
        tx.send(r).is_ok()
    });
    let until = Instant::now() + Duration::from_secs(2);
    let mut claimed = false;
    while let Ok(r) = rx.recv_timeout(until.saturating_duration_since(Instant::now())) {
        match r {
            Reply::Alerts(a) => claimed |= !a.is_empty(),
            Reply::Changed => panic!("the session's own claim taken for another's change"),
            _ => {}
        }
    }
    assert!(claimed, "the first check claimed the demo's alerts");
    drop(worker);
}

/// The side lane only reads: a change wrapped as a side read is refused
/// and nothing is written; a side read is answered as asked.
#[test]
fn only_a_read_may_be_asked_for_on_the_side_lane() {
    use dutydesk::store::worker::respond;
    let dir = common::private_dir();
    let (db, _) = common::demo_db(dir.path(), 20);
    let mut st = common::open(&db);
    let me = store::staff::authenticate(&st, common::USER).unwrap();
    let clock = Clock::Fixed(common::now());
    let rows = |c: &rusqlite::Connection| -> i64 {
        c.query_row("SELECT count(*) FROM audit_log", [], |r| r.get(0))
            .unwrap()
    };
    let before = rows(&common::sql(&db));
    let note = Request::HandoverNote {
        text: "wrapped".into(),
    };
    let r = respond(&mut st, &me, clock, Request::Side(Box::new(note)));
    assert!(
        matches!(&r, Reply::Error(e) if e.contains("only a read")),
        "{r:?}"
    );
    assert_eq!(rows(&common::sql(&db)), before);
    let side = respond(
        &mut st,
        &me,
        clock,
        Request::Side(Box::new(Request::Handover)),
    );
    assert_eq!(side, respond(&mut st, &me, clock, Request::Handover));
}
