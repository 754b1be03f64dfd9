//! Identity you can stake the audit on (issue 14, point 4), as far as an
//! ordinary (not setgid) binary shows it: `DUTYDESK_USER` and `DUTYDESK_NOW`
//! count only on a demo database; `init` makes a senior lead, records the
//! database's creation and leaves no file when it fails; a real database's
//! directory is checked, with the fix. The setgid install, and sidecars in
//! the wrong group (SQLite running as root mends those itself), are in
//! tests/setgid.rs.

mod common;

use assert_cmd::Command;
use common::{private_dir, sql};
use std::os::unix::fs::PermissionsExt;
use std::path::Path;

/// The binary as the OS account running the tests, on the real clock.
fn real(path: &Path) -> Command {
    let mut c = Command::cargo_bin("dutydesk").unwrap();
    c.env_remove("DUTYDESK_USER")
        .env_remove("DUTYDESK_NOW")
        .env_remove("DUTYDESK_SYSTEM_CONFIG")
        .env("DUTYDESK_DB", path)
        .env("DUTYDESK_CONFIG", path.with_extension("toml"));
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

fn count(path: &Path, table: &str) -> i64 {
    sql(path)
        .query_row(&format!("SELECT count(*) FROM {table}"), [], |r| r.get(0))
        .unwrap()
}

fn leftovers(path: &Path) -> Vec<String> {
    ["", "-wal", "-shm"]
        .iter()
        .map(|s| format!("{}{s}", path.display()))
        .filter(|p| Path::new(p).exists())
        .collect()
}

/// A database made by `init` as the OS account, with bob (DSL) added by it.
fn real_desk(dir: &Path) -> std::path::PathBuf {
    let path = dir.join("desk.db");
    let (code, _, err) = run(real(&path).args(["init", "--org", "Test"]));
    assert_eq!(code, 0, "{err}");
    let (code, _, err) =
        run(real(&path).args(["staff", "add", "bob", "--name", "Bob", "--role", "dsl"]));
    assert_eq!(code, 0, "{err}");
    path
}

#[test]
fn init_makes_a_senior_lead_and_records_the_creation() {
    let dir = private_dir();
    let path = real_desk(dir.path());
    let me = dutydesk::identity::os_account().unwrap();
    let c = sql(&path);
    let role: String = c
        .query_row("SELECT role FROM staff WHERE username = ?1", [&me], |r| {
            r.get(0)
        })
        .unwrap();
    assert_eq!(role, "senior");
    let first: (String, String, String, Option<String>, String) = c
        .query_row(
            "SELECT actor, action, entity, entity_id, detail FROM audit_log ORDER BY id LIMIT 1",
            [],
            |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?, r.get(4)?)),
        )
        .unwrap();
    assert_eq!(
        first,
        (me, "create".into(), "database".into(), None, "init".into())
    );
    let demo: i64 = c
        .query_row(
            "SELECT count(*) FROM settings WHERE key = 'demo'",
            [],
            |r| r.get(0),
        )
        .unwrap();
    assert_eq!(demo, 0, "init never marks a demo");

    // The demo records its own creation the same way.
    let (code, _, err) = run(Command::cargo_bin("dutydesk")
        .unwrap()
        .env("DUTYDESK_USER", "tester")
        .env_remove("DUTYDESK_NOW")
        .current_dir(dir.path())
        .args(["demo", "--no-open", "--cases", "3"]));
    assert_eq!(code, 0, "{err}");
    let detail: String = sql(&dir.path().join("dutydesk-demo.db"))
        .query_row(
            "SELECT detail FROM audit_log WHERE action = 'create' AND entity = 'database'",
            [],
            |r| r.get(0),
        )
        .unwrap();
    assert_eq!(detail, "demo");
}

#[test]
fn init_refuses_the_overrides_and_leaves_no_file() {
    let dir = private_dir();
    let path = dir.path().join("desk.db");
    for (var, value) in [
        ("DUTYDESK_USER", "alice"),
        ("DUTYDESK_NOW", "2026-11-23T09:00:00Z"),
    ] {
        let (code, _, err) = run(real(&path).env(var, value).arg("init"));
        assert_eq!(code, 2, "{err}");
        assert!(
            err.contains(var) && err.contains(&format!("unset {var}")),
            "{err}"
        );
        assert_eq!(err.trim().lines().count(), 1, "{err}");
        assert!(leftovers(&path).is_empty());
    }
    let (_, _, err) = run(real(&path).env("DUTYDESK_USER", "alice").arg("init"));
    assert!(err.contains("--admin USER"), "{err}");
}

#[test]
fn an_init_that_fails_after_creating_the_file_removes_it() {
    let dir = private_dir();
    let path = dir.path().join("desk.db");
    // The account name is checked inside the first write, after the file,
    // its schema and its sidecars exist.
    let (code, _, err) = run(real(&path).args(["init", "--admin", "x y"]));
    assert_eq!(code, 2, "bad input: {err}");
    assert!(err.contains("account name"), "{err}");
    assert_eq!(leftovers(&path), Vec::<String>::new());
    let (code, _, err) = run(real(&path).arg("init"));
    assert_eq!(code, 0, "a clean retry works: {err}");
}

#[test]
fn the_overrides_are_refused_on_a_real_database_and_change_nothing() {
    let dir = private_dir();
    let path = real_desk(dir.path());
    let audit = count(&path, "audit_log");
    for (var, value) in [
        ("DUTYDESK_USER", "bob"),
        ("DUTYDESK_NOW", "2026-11-23T09:00:00Z"),
    ] {
        for args in [
            vec!["list"],
            vec!["snapshot"],
            vec![
                "new",
                "--subject",
                "child",
                "--name",
                "P",
                "--area",
                "Rutland",
                "--category",
                "neglect",
                "--risk",
                "low",
                "--summary",
                "s",
            ],
            vec!["staff", "list"],
            vec!["verify"],
            vec![],
        ] {
            let (code, out, err) = run(real(&path).env(var, value).args(&args));
            assert_eq!(code, 2, "{var} {args:?}: {out}{err}");
            assert!(
                err.contains(var)
                    && err.contains("demo database")
                    && err.contains(&format!("unset {var}")),
                "{var} {args:?}: {err}"
            );
            assert!(!err.contains(value) || var == "DUTYDESK_NOW", "{err}");
            assert!(out.is_empty(), "{out}");
        }
    }
    assert_eq!(count(&path, "audit_log"), audit, "nothing was written");
    assert_eq!(count(&path, "escalations"), 0);
    // Without them, the OS account works as itself.
    let (code, _, err) = run(real(&path).arg("list"));
    assert_eq!(code, 0, "{err}");
}

#[test]
fn the_demo_flag_cannot_be_set_and_demo_does_not_join_a_real_database() {
    let dir = private_dir();
    let path = real_desk(dir.path());
    let audit = count(&path, "audit_log");
    for value in ["1", "0"] {
        let (code, _, err) = run(real(&path).args(["settings", "set", "demo", value]));
        assert_eq!(code, 2, "{err}");
        assert!(err.contains("no setting \"demo\""), "{err}");
    }
    let (code, _, err) = run(real(&path).args(["demo", "--no-open"]));
    assert_eq!(code, 2, "{err}");
    assert!(
        err.contains("not a demo database") && err.contains("--db"),
        "{err}"
    );
    assert_eq!(count(&path, "audit_log"), audit, "nothing was written");
    assert_eq!(count(&path, "staff"), 2);
    let demo: i64 = sql(&path)
        .query_row(
            "SELECT count(*) FROM settings WHERE key = 'demo'",
            [],
            |r| r.get(0),
        )
        .unwrap();
    assert_eq!(demo, 0);
}

#[test]
fn a_group_directory_without_the_setgid_bit_is_refused_with_the_fix() {
    let dir = private_dir();
    let shared = dir.path().join("shared");
    std::fs::create_dir(&shared).unwrap();
    std::fs::set_permissions(&shared, std::fs::Permissions::from_mode(0o770)).unwrap();
    let path = shared.join("desk.db");
    let (code, _, err) = run(real(&path).arg("init"));
    assert_eq!(code, 2, "{err}");
    assert!(
        err.contains(&format!("chmod g+s {}", shared.display())),
        "{err}"
    );
    assert!(leftovers(&path).is_empty(), "refused before creating");
    std::fs::set_permissions(&shared, std::fs::Permissions::from_mode(0o2770)).unwrap();
    let (code, _, err) = run(real(&path).arg("init"));
    assert_eq!(code, 0, "{err}");
    let (code, out, err) = run(real(&path).arg("verify"));
    assert_eq!(code, 0, "{out}{err}");
    // The bit lost later: every command refuses, verify included.
    std::fs::set_permissions(&shared, std::fs::Permissions::from_mode(0o770)).unwrap();
    for args in [vec!["list"], vec!["verify"]] {
        let (code, _, err) = run(real(&path).args(&args));
        assert_eq!(code, 2, "{args:?}: {err}");
        assert!(err.contains("chmod g+s"), "{args:?}: {err}");
    }
}
