//! Shared by the integration tests: a demo database at a fixed instant.
#![allow(dead_code)]

use chrono::{DateTime, TimeZone, Utc};
use dutydesk::demo::{DemoOptions, DemoSummary, generate};
use dutydesk::store::{self, Create, Store};
use std::path::{Path, PathBuf};

/// Monday 23 November 2026, 09:00 GMT: a working morning.
pub fn now() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 11, 23, 9, 0, 0).unwrap()
}

pub const USER: &str = "tester";

pub fn options(cases: usize) -> DemoOptions {
    DemoOptions {
        cases,
        org_name: "Demo Violence Reduction Partnership".into(),
        user: USER.into(),
        now: now(),
        seed: 2026,
        open: None,
    }
}

/// Generates the demo into `dir/demo.db` and returns the path and summary.
pub fn demo_db(dir: &Path, cases: usize) -> (PathBuf, DemoSummary) {
    let path = dir.join("demo.db");
    let mut store = store::open(&path, Create::IfMissing).unwrap();
    let summary = generate(&mut store, &options(cases)).unwrap();
    (path, summary)
}

pub fn open(path: &Path) -> Store {
    store::open(path, Create::No).unwrap()
}

/// A plain connection for checking what the store wrote.
pub fn sql(path: &Path) -> rusqlite::Connection {
    rusqlite::Connection::open(path).unwrap()
}

/// A temporary directory only its owner can list, as the desk requires of a
/// real database's directory.
pub fn private_dir() -> tempfile::TempDir {
    use std::os::unix::fs::PermissionsExt;
    let d = tempfile::tempdir().unwrap();
    std::fs::set_permissions(d.path(), std::fs::Permissions::from_mode(0o700)).unwrap();
    d
}

/// An instant from RFC 3339 text, e.g. `2026-11-23T08:00:00Z`.
pub fn at(text: &str) -> DateTime<Utc> {
    DateTime::parse_from_rfc3339(text)
        .unwrap()
        .with_timezone(&Utc)
}

/// An empty desk for tests that play several people: the defaults `init`
/// gives, exactly these staff (account, display name, role code: dsl, deputy,
/// senior, viewer), and no cases. It is marked as a demo (with the
/// `create database demo` audit row, as `dutydesk demo` writes), because
/// `DUTYDESK_USER` and `DUTYDESK_NOW` are honoured only on demo databases; a
/// database made by `init` refuses them. Written at `now`, as the first
/// account.
pub fn desk_db(path: &Path, org: &str, staff: &[(&str, &str, &str)], now: DateTime<Utc>) {
    use dutydesk::domain::staff::Role;
    use dutydesk::store::{seed, settings, staff as st};
    let mut store = store::open(path, Create::Demo).unwrap();
    let first = staff.first().map_or("tester", |(u, _, _)| *u);
    store
        .write(first, now, |w| {
            w.audit("create", "database", None, Some("demo"))?;
            seed::defaults(w, org)?;
            settings::set(w, settings::DEMO, "1")?;
            for (username, display_name, role) in staff {
                st::join_demo(
                    w,
                    &st::NewStaff {
                        username,
                        display_name,
                        role: Role::from_code(role).expect("a role code"),
                    },
                )?;
            }
            Ok(())
        })
        .unwrap();
}
