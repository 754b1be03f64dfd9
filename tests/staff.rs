//! Staff administration through the real binary: senior leads only, the last
//! senior lead stays, nobody changes their own account, every change audited,
//! and a refusal changes nothing.

mod common;

use assert_cmd::Command;
use common::sql;
use std::path::{Path, PathBuf};

fn dd(user: &str, path: &Path) -> Command {
    let mut c = Command::cargo_bin("dutydesk").unwrap();
    c.env("DUTYDESK_USER", user)
        .env("DUTYDESK_DB", path)
        .env("DUTYDESK_CONFIG", path.with_extension("toml"))
        .env_remove("DUTYDESK_NOW");
    c
}

/// (exit code, stdout, stderr)
fn run(c: &mut Command) -> (i32, String, String) {
    let o = c.output().unwrap();
    (
        o.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&o.stdout).into_owned(),
        String::from_utf8_lossy(&o.stderr).into_owned(),
    )
}

/// alice (the first account: a senior lead), bob (DSL), dee (deputy), vic (viewer).
fn desk(dir: &Path) -> PathBuf {
    let path = dir.join("desk.db");
    common::desk_db(
        &path,
        "Test",
        &[
            ("alice", "alice", "senior"),
            ("bob", "bob", "dsl"),
            ("dee", "dee", "deputy"),
            ("vic", "vic", "viewer"),
        ],
        chrono::Utc::now(),
    );
    path
}

/// Every account as (username, role, active), and how many audit rows.
fn state(path: &Path) -> (Vec<(String, String, bool)>, i64) {
    let c = sql(path);
    let mut stmt = c
        .prepare("SELECT username, role, active FROM staff ORDER BY username")
        .unwrap();
    let staff = stmt
        .query_map([], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))
        .unwrap()
        .collect::<Result<Vec<_>, _>>()
        .unwrap();
    let audit = c
        .query_row("SELECT count(*) FROM audit_log", [], |r| r.get(0))
        .unwrap();
    (staff, audit)
}

fn audit_rows(path: &Path, action: &str) -> Vec<(String, String, String)> {
    let c = sql(path);
    let mut stmt = c
        .prepare(
            "SELECT actor, entity_id, coalesce(detail, '') FROM audit_log
             WHERE entity = 'staff' AND action = ?1 ORDER BY id",
        )
        .unwrap();
    stmt.query_map([action], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))
        .unwrap()
        .collect::<Result<Vec<_>, _>>()
        .unwrap()
}

#[test]
fn init_makes_a_senior_lead_and_only_senior_leads_manage_staff() {
    let dir = common::private_dir();
    let path = desk(dir.path());
    let (staff, _) = state(&path);
    assert!(staff.contains(&("alice".into(), "senior".into(), true)));
    let before = state(&path);
    // A DSL, a deputy and a viewer may not add, change, deactivate or reactivate.
    for user in ["bob", "dee", "vic"] {
        for args in [
            vec!["staff", "add", "eve", "--name", "Eve", "--role", "dsl"],
            vec!["staff", "role", "dee", "senior"],
            vec!["staff", "role", user, "senior"],
            vec!["staff", "deactivate", "alice"],
            vec!["staff", "reactivate", "alice"],
        ] {
            let (code, _, err) = run(dd(user, &path).args(&args));
            assert_eq!(code, 1, "{user} {args:?}: {err}");
            assert!(err.contains("only a senior lead may"), "{err}");
        }
    }
    assert_eq!(state(&path), before, "refusals change nothing");
    // Rules and settings stay with DSLs and senior leads.
    let (code, _, err) = run(dd("bob", &path).args(["settings", "set", "ack_minutes", "20"]));
    assert_eq!(code, 0, "{err}");
    let (code, _, err) = run(dd("dee", &path).args(["settings", "set", "ack_minutes", "25"]));
    assert_eq!(code, 1, "{err}");
    assert!(err.contains("only an active DSL or senior lead"), "{err}");
}

#[test]
fn roles_change_and_accounts_come_and_go_audited() {
    let dir = common::private_dir();
    let path = desk(dir.path());
    let (code, _, err) = run(dd("alice", &path).args(["staff", "role", "bob", "senior"]));
    assert_eq!(code, 0, "{err}");
    assert!(err.contains("bob (bob) is now a senior lead"), "{err}");
    assert_eq!(
        audit_rows(&path, "role"),
        vec![("alice".into(), "bob".into(), "dsl -> senior".into())]
    );
    // Now bob can deactivate and reactivate the viewer.
    let (code, _, err) = run(dd("bob", &path).args(["staff", "deactivate", "vic"]));
    assert_eq!(code, 0, "{err}");
    let (code, _, err) = run(dd("vic", &path).args(["list"]));
    assert_eq!(code, 2, "a deactivated account is refused: {err}");
    assert!(
        err.contains("deactivated") && err.contains("staff reactivate vic"),
        "{err}"
    );
    let (code, _, err) = run(dd("bob", &path).args(["staff", "deactivate", "vic"]));
    assert_eq!(code, 1);
    assert!(err.contains("already deactivated"), "{err}");
    let (code, _, err) = run(dd("alice", &path).args(["staff", "reactivate", "vic"]));
    assert_eq!(code, 0, "{err}");
    assert!(err.contains("Reactivated vic as viewer"), "{err}");
    let (code, _, err) = run(dd("vic", &path).args(["list"]));
    assert_eq!(code, 0, "{err}");
    assert_eq!(
        audit_rows(&path, "deactivate"),
        vec![("bob".into(), "vic".into(), "viewer".into())]
    );
    assert_eq!(
        audit_rows(&path, "reactivate"),
        vec![("alice".into(), "vic".into(), "viewer".into())]
    );
    // bob demotes alice: one senior lead remains, bob.
    let (code, _, err) = run(dd("bob", &path).args(["staff", "role", "alice", "dsl"]));
    assert_eq!(code, 0, "{err}");
    let (code, _, err) = run(dd("alice", &path).args(["staff", "role", "bob", "dsl"]));
    assert_eq!(code, 1, "alice is no longer a senior lead: {err}");
    // An unknown account is named back with where to look.
    let (code, _, err) = run(dd("bob", &path).args(["staff", "deactivate", "nobody"]));
    assert_eq!(code, 2, "an unknown account is bad input");
    assert!(err.contains("staff list"), "{err}");
    let (code, _, err) = run(dd("bob", &path).args(["staff", "role", "dee", "boss"]));
    assert_eq!(code, 2, "clap refuses an unknown role: {err}");
}

#[test]
fn the_last_senior_lead_stays_and_nobody_changes_themselves() {
    let dir = common::private_dir();
    let path = desk(dir.path());
    let before = state(&path);
    for args in [
        ["staff", "role", "alice", "dsl"],
        ["staff", "deactivate", "alice", ""],
    ] {
        let args: Vec<&str> = args.into_iter().filter(|a| !a.is_empty()).collect();
        let (code, _, err) = run(dd("alice", &path).args(&args));
        assert_eq!(code, 1, "{args:?}: {err}");
        assert!(
            err.contains("alice is the last active senior lead: make another senior lead first"),
            "{err}"
        );
    }
    assert_eq!(state(&path), before);
    // With a second senior lead, still not yourself.
    let (code, _, err) =
        run(dd("alice", &path).args(["staff", "add", "sam", "--name", "Sam", "--role", "senior"]));
    assert_eq!(code, 0, "{err}");
    let (code, _, err) = run(dd("alice", &path).args(["staff", "deactivate", "alice"]));
    assert_eq!(code, 1);
    assert!(err.contains("cannot deactivate yourself"), "{err}");
    let (code, _, err) = run(dd("alice", &path).args(["staff", "role", "alice", "dsl"]));
    assert_eq!(code, 1);
    assert!(err.contains("your own role"), "{err}");
    // sam may deactivate alice; then sam is the last and stays.
    let (code, _, err) = run(dd("sam", &path).args(["staff", "deactivate", "alice"]));
    assert_eq!(code, 0, "{err}");
    let (code, _, err) = run(dd("sam", &path).args(["staff", "role", "sam", "deputy"]));
    assert_eq!(code, 1);
    assert!(err.contains("last active senior lead"), "{err}");
    // A deactivated senior lead does not count: bringing alice back is fine,
    // and then either may step down.
    let (code, _, err) = run(dd("sam", &path).args(["staff", "reactivate", "alice"]));
    assert_eq!(code, 0, "{err}");
    let (code, _, err) = run(dd("alice", &path).args(["staff", "role", "sam", "dsl"]));
    assert_eq!(code, 0, "{err}");
}

#[test]
fn the_demo_user_works_cases_and_keeps_the_desk_but_not_staff() {
    let dir = common::private_dir();
    let path = dir.path().join("demo.db");
    let (code, _, err) = run(dd("tester", &path).args(["demo", "--cases", "5", "--no-open"]));
    assert_eq!(code, 0, "{err}");
    let (staff, _) = state(&path);
    assert!(
        staff.contains(&("tester".into(), "dsl".into(), true)),
        "{staff:?}"
    );
    assert!(staff.contains(&("rwhite".into(), "senior".into(), true)));
    let (code, _, err) = run(dd("tester", &path).args(["settings", "set", "ack_minutes", "20"]));
    assert_eq!(code, 0, "{err}");
    let (code, _, _) = run(dd("tester", &path).args(["staff", "deactivate", "rwhite"]));
    assert_eq!(code, 1, "the demo's DSL is not a senior lead");
    // The demo's senior lead manages its staff.
    let (code, _, err) = run(dd("rwhite", &path).args(["staff", "role", "tester", "senior"]));
    assert_eq!(code, 0, "{err}");
    // Joining again as someone new still works (no senior lead needed on a demo).
    let (code, _, err) = run(dd("newcomer", &path).args(["demo", "--no-open"]));
    assert_eq!(code, 0, "{err}");
}

/// A dashboard open for an account that a senior lead deactivates, or gives
/// another role, in another session stops showing records within the poll
/// interval: from then on the worker answers every request with the reason.
#[test]
fn an_open_dashboard_follows_its_account() {
    use dutydesk::store::worker::{Reply, Request, Worker};
    use std::sync::mpsc::channel;
    use std::time::{Duration, Instant};
    let dir = common::private_dir();
    let path = desk(dir.path());
    let dashboard = Request::Dashboard {
        offset: 0,
        limit: 10,
        keep: None,
        deadlines_offset: 0,
    };
    for (user, change, why) in [
        ("bob", ["staff", "role", "bob", "senior"], "role"),
        (
            "dee",
            ["staff", "deactivate", "dee", ""],
            "no longer active",
        ),
    ] {
        let store = dutydesk::store::open(&path, dutydesk::store::Create::No).unwrap();
        let me = dutydesk::store::staff::authenticate(&store, user).unwrap();
        let (tx, rx) = channel();
        let worker = Worker::spawn(store, me, dutydesk::clock::Clock::System, move |r| {
            tx.send(r).is_ok()
        });
        // Waits for a reply matching `want`, skipping others (alerts, changes).
        let wait = |want: &dyn Fn(&Reply) -> bool| -> Reply {
            let start = Instant::now();
            loop {
                let left = Duration::from_secs(3).saturating_sub(start.elapsed());
                match rx.recv_timeout(left) {
                    Ok(r) if want(&r) => return r,
                    Ok(_) => {}
                    Err(e) => panic!("no such reply within 3 s: {e}"),
                }
            }
        };
        worker.send(dashboard.clone());
        wait(&|r| matches!(r, Reply::Dashboard(_)));
        let args: Vec<&str> = change.iter().copied().filter(|a| !a.is_empty()).collect();
        ok_run(dd("alice", &path).args(&args));
        let started = Instant::now();
        match wait(&|r| matches!(r, Reply::Revoked(_))) {
            Reply::Revoked(text) => assert!(text.contains(why), "{text}"),
            other => panic!("{other:?}"),
        }
        assert!(
            started.elapsed() < Duration::from_secs(2),
            "within the poll interval"
        );
        // From then on, nothing is read for the account.
        worker.send(dashboard.clone());
        let r = wait(&|r| matches!(r, Reply::Dashboard(_) | Reply::Revoked(_)));
        assert!(matches!(r, Reply::Revoked(_)), "{r:?}");
    }
}

fn ok_run(c: &mut Command) {
    let (code, _, err) = run(c);
    assert_eq!(code, 0, "{err}");
}
