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
fn a_keys_request_is_answered_while_the_side_lane_is_held_up() {
    let dir = common::private_dir();
    let (db, _) = common::demo_db(dir.path(), 40);
    let st = common::open(&db);
    let me = store::staff::authenticate(&st, common::USER).unwrap();
    let now = common::now();
    assert!(
        !store::notices::pending(&st, &me, now).unwrap().is_empty(),
        "the demo has alerts for the check to claim"
    );
    // Another session holds the write lock: the alert check's claim (the
    // side lane's only write, the desk's bookkeeping) waits for it, up to
    // the 5-second busy timeout.
    let holder = common::sql(&db);
    holder.execute_batch("BEGIN IMMEDIATE").unwrap();
    let (tx, rx) = channel();
    let worker = Worker::spawn(st, me, Clock::Fixed(now), move |r| tx.send(r).is_ok());
    // The first check begins 200 ms after start; then the start's side
    // read and the user's own request are asked for.
    std::thread::sleep(Duration::from_millis(600));
    let asked = Instant::now();
    worker.send(Request::Reviews);
    worker.send(dashboard());
    let (first, at) = answer(&rx, Duration::from_secs(4)).expect("an answer within 4 s");
    assert!(
        matches!(first, Reply::Dashboard(_)),
        "the dashboard first, not after the side lane: {first:?}"
    );
    assert!(
        at - asked < Duration::from_secs(2),
        "answered in {:?}, not after the held-up check",
        at - asked
    );
    holder.execute_batch("COMMIT").unwrap();
    let (next, _) = answer(&rx, Duration::from_secs(10)).expect("the review counts follow");
    assert!(matches!(next, Reply::Reviews(_)), "{next:?}");
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
    for req in [Request::Reviews, Request::Handover, Request::OpenAlerts] {
        worker.send(req);
        let (r, _) = answer(&rx, Duration::from_secs(5)).unwrap();
        assert!(matches!(r, Reply::Revoked(_)), "{r:?}");
    }
}
