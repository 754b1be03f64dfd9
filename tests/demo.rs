//! The demo generator: realistic, deterministic, and shaped so the dashboard
//! has something overdue, something due soon and something new.

mod common;

use chrono::Duration;
use common::{USER, demo_db, now, open, sql};
use dutydesk::demo::ensure_user;
use dutydesk::store::{self, Create, StoreError};

fn count(c: &rusqlite::Connection, q: &str) -> i64 {
    c.query_row(q, [], |r| r.get(0)).unwrap()
}

#[test]
fn the_summary_matches_what_was_written() {
    let dir = common::private_dir();
    let (path, s) = demo_db(dir.path(), 40);
    let c = sql(&path);
    assert_eq!(s.escalations, 40);
    assert_eq!(
        s.escalations as i64,
        count(&c, "SELECT count(*) FROM escalations")
    );
    assert_eq!(
        s.chronology as i64,
        count(&c, "SELECT count(*) FROM chronology")
    );
    assert_eq!(
        s.deadlines as i64,
        count(&c, "SELECT count(*) FROM deadlines")
    );
    assert_eq!(
        s.contacts as i64,
        count(&c, "SELECT count(*) FROM contacts")
    );
    assert_eq!(s.staff, 8);
    assert_eq!(8, count(&c, "SELECT count(*) FROM staff"));
    assert_eq!(24, count(&c, "SELECT count(*) FROM bank_holidays"));
    assert_eq!(
        "1",
        c.query_row("SELECT value FROM settings WHERE key = 'demo'", [], |r| {
            r.get::<_, String>(0)
        })
        .unwrap()
    );
}

#[test]
fn the_same_seed_gives_the_same_demo() {
    let dump = |cases| {
        let dir = common::private_dir();
        let (path, _) = demo_db(dir.path(), cases);
        let c = sql(&path);
        let mut stmt = c
            .prepare("SELECT reference, subject_name, status, risk, raised_at, coalesce(next_due_at, 0) FROM escalations ORDER BY id")
            .unwrap();
        stmt.query_map([], |r| {
            Ok(format!(
                "{} {} {} {} {} {}",
                r.get::<_, String>(0)?,
                r.get::<_, String>(1)?,
                r.get::<_, String>(2)?,
                r.get::<_, String>(3)?,
                r.get::<_, i64>(4)?,
                r.get::<_, i64>(5)?
            ))
        })
        .unwrap()
        .collect::<Result<Vec<_>, _>>()
        .unwrap()
    };
    let a = dump(40);
    assert_eq!(a.len(), 40);
    assert_eq!(a, dump(40));
}

#[test]
fn the_desk_has_a_realistic_mix() {
    let dir = common::private_dir();
    let (path, _) = demo_db(dir.path(), 40);
    let c = sql(&path);
    let t = now().timestamp();
    for kind in ["child", "adult", "staff"] {
        assert!(
            count(
                &c,
                &format!("SELECT count(*) FROM escalations WHERE subject_kind = '{kind}'")
            ) > 0,
            "no {kind}"
        );
    }
    for status in ["new", "assigned", "referred", "awaiting_outcome", "closed"] {
        // 40 cases may not hit every state by chance; the seed is fixed, so
        // this pins that the demo shows each state at least once.
        assert!(
            count(
                &c,
                &format!("SELECT count(*) FROM escalations WHERE status = '{status}'")
            ) > 0,
            "no {status}"
        );
    }
    let overdue = count(
        &c,
        &format!("SELECT count(*) FROM escalations WHERE status <> 'closed' AND next_due_at < {t}"),
    );
    let soon = count(
        &c,
        &format!(
            "SELECT count(*) FROM escalations WHERE status <> 'closed' AND next_due_at BETWEEN {t} AND {}",
            t + 4 * 3600
        ),
    );
    assert!(overdue >= 1, "nothing overdue");
    assert!(soon >= 1, "nothing due within the warning window");
    let areas = count(&c, "SELECT count(DISTINCT area) FROM escalations");
    assert!(areas >= 4, "only {areas} areas");
    // Every area a case names is on the organisation's list and has its own
    // children's and adults' lines, and an out-of-hours line for each.
    let bare = count(
        &c,
        "SELECT count(*) FROM (SELECT DISTINCT area FROM escalations) e
         WHERE e.area NOT IN (SELECT name FROM areas)
            OR (SELECT count(DISTINCT route) FROM contacts k
                WHERE k.area = e.area AND k.route IN ('children', 'adults')) < 2",
    );
    assert_eq!(bare, 0, "an area without its contacts");
    // Nothing has happened in the future.
    assert_eq!(
        0,
        count(
            &c,
            &format!("SELECT count(*) FROM chronology WHERE at > {t}")
        )
    );
    assert_eq!(
        0,
        count(
            &c,
            &format!("SELECT count(*) FROM escalations WHERE raised_at > {t}")
        )
    );
    // A closed case has no live deadline.
    assert_eq!(
        0,
        count(
            &c,
            "SELECT count(*) FROM escalations WHERE status = 'closed' AND next_due_at IS NOT NULL"
        )
    );
    // Every case has its "created" entry first.
    assert_eq!(
        0,
        count(
            &c,
            "SELECT count(*) FROM escalations e WHERE (SELECT kind FROM chronology WHERE escalation_id = e.id ORDER BY at, id LIMIT 1) <> 'created'"
        )
    );
}

#[test]
fn the_public_numbers_and_their_hours_come_from_the_seeds() {
    let dir = common::private_dir();
    let (path, _) = demo_db(dir.path(), 5);
    let c = sql(&path);
    let phone = |service: &str, area: &str| -> String {
        c.query_row(
            "SELECT phone FROM contacts WHERE service LIKE ?1 AND area = ?2",
            [service, area],
            |r| r.get(0),
        )
        .unwrap()
    };
    assert_eq!(phone("%Children's referrals%", "Rutland"), "01572 758 407");
    assert_eq!(phone("LADO", "Leicestershire"), "0116 305 4141");
    assert_eq!(
        phone("Adults' safeguarding", "Leicestershire"),
        "0116 305 0004"
    );
    // Rutland children's line: Friday closes at 16:30, and out of hours it
    // falls back to Leicestershire's 24/7 number.
    let (closes, fallback): (String, String) = c
        .query_row(
            "SELECT h.closes, f.phone FROM contacts k
             JOIN contact_hours h ON h.contact_id = k.id AND h.weekday = 5
             JOIN contacts f ON f.id = k.fallback_id
             WHERE k.phone = '01572 758 407'",
            [],
            |r| Ok((r.get(0)?, r.get(1)?)),
        )
        .unwrap();
    assert_eq!(
        (closes.as_str(), fallback.as_str()),
        ("16:30", "0116 305 0005")
    );
}

#[test]
fn the_user_is_a_dsl_on_duty_now() {
    let dir = common::private_dir();
    let (path, _) = demo_db(dir.path(), 5);
    let store = open(&path);
    let me = store::staff::authenticate(&store, USER).unwrap();
    assert_eq!(me.role.code(), "dsl");
    let duty = store::staff::on_duty(&store, now().timestamp())
        .unwrap()
        .unwrap();
    assert_eq!(duty.username, USER);
    let later = store::staff::on_duty(&store, (now() + Duration::hours(12)).timestamp()).unwrap();
    assert!(
        later.is_some_and(|s| s.username != USER),
        "the next shift is someone else's"
    );
    assert_eq!(store::audit::first_broken(&sql(&path)).unwrap(), None);
}

#[test]
fn others_can_join_a_demo_but_not_a_real_database() {
    let dir = common::private_dir();
    let (path, _) = demo_db(dir.path(), 5);
    let mut store = open(&path);
    ensure_user(&mut store, "second", now()).unwrap();
    ensure_user(&mut store, "second", now()).unwrap();
    assert!(store::staff::find(&store, "second").unwrap().is_some());

    let real = dir.path().join("real.db");
    let mut store = store::open(&real, Create::IfMissing).unwrap();
    store
        .write("admin", now(), |w| {
            store::seed::defaults(w, "Real Org")?;
            store::staff::bootstrap(
                w,
                &store::staff::NewStaff {
                    username: "admin",
                    display_name: "Admin",
                    role: dutydesk::domain::staff::Role::Dsl,
                },
            )
            .map(|_| ())
        })
        .unwrap();
    match ensure_user(&mut store, "intruder", now()) {
        Err(StoreError::Refused(m)) => assert!(m.contains("not a demo"), "{m}"),
        other => panic!("expected a refusal, got {other:?}"),
    }
    assert!(store::staff::find(&store, "intruder").unwrap().is_none());
}

#[test]
fn a_large_demo_is_chunked_and_complete() {
    let dir = common::private_dir();
    let (path, s) = demo_db(dir.path(), 12_000);
    let c = sql(&path);
    assert_eq!(12_000, count(&c, "SELECT count(*) FROM escalations"));
    assert_eq!(
        s.chronology as i64,
        count(&c, "SELECT count(*) FROM chronology")
    );
    // References are unique and in date order.
    assert_eq!(
        0,
        count(
            &c,
            "SELECT count(*) FROM escalations a JOIN escalations b ON b.id = a.id + 1 WHERE b.raised_at < a.raised_at"
        )
    );
    // Most old cases are closed, as on a real desk.
    let open = count(
        &c,
        "SELECT count(*) FROM escalations WHERE status <> 'closed'",
    );
    assert!(open > 100 && open < 6_000, "{open} open");
    // Three chunks, three audit rows, plus set-up.
    assert_eq!(
        3,
        count(&c, "SELECT count(*) FROM audit_log WHERE action = 'demo'")
    );
}

/// A big demo builds the reporting indexes after its cases: it ends with
/// exactly the schema of a small one, its directory has one contact per 200
/// cases, and the store's fast counts agree with the data.
#[test]
fn a_big_demo_ends_with_every_index_and_a_bigger_directory() {
    let shape = |c: &rusqlite::Connection| -> Vec<(String, String)> {
        let mut st = c
            .prepare("SELECT name, sql FROM sqlite_master WHERE sql IS NOT NULL ORDER BY name")
            .unwrap();
        st.query_map([], |r| Ok((r.get(0)?, r.get(1)?)))
            .unwrap()
            .map(Result::unwrap)
            .collect()
    };
    let small_dir = common::private_dir();
    let (small, _) = demo_db(small_dir.path(), 10);
    let big_dir = common::private_dir();
    let (big, s) = demo_db(big_dir.path(), dutydesk::demo::BULK * 3);
    assert_eq!(shape(&sql(&big)), shape(&sql(&small)));
    // One contact per 200 cases, the 25 real public services among them.
    assert_eq!(s.contacts, dutydesk::demo::BULK * 3 / 200);
    let c = sql(&big);
    assert_eq!(
        count(&c, "SELECT count(*) FROM contacts"),
        s.contacts as i64
    );
    assert_eq!(
        count(
            &c,
            "SELECT count(*) FROM contacts WHERE phone LIKE '01632 960%'"
        ),
        s.contacts as i64 - 25,
        "the made-up contacts use Ofcom's drama numbers"
    );
    let integrity: String = c
        .query_row("PRAGMA integrity_check", [], |r| r.get(0))
        .unwrap();
    assert_eq!(integrity, "ok");
}
