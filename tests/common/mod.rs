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
