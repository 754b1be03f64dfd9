//! The shared host: need-to-know, the audit trail and its verification,
//! backups while others work, and a writer killed mid-transaction.

mod common;

use assert_cmd::Command;
use common::{private_dir, sql};
use std::path::{Path, PathBuf};
use std::time::Duration;

fn dd(user: &str, path: &Path) -> Command {
    let mut c = Command::cargo_bin("dutydesk").unwrap();
    c.env("DUTYDESK_USER", user)
        .env("DUTYDESK_DB", path)
        .env_remove("DUTYDESK_NOW");
    c
}

fn run(c: &mut Command) -> (i32, String, String) {
    let o = c.output().unwrap();
    (
        o.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&o.stdout).into_owned(),
        String::from_utf8_lossy(&o.stderr).into_owned(),
    )
}

/// alice (DSL), sam (senior), vic (viewer), dee (deputy); one ordinary and one
/// restricted escalation.
fn desk(dir: &Path) -> (PathBuf, String, String) {
    let path = dir.join("desk.db");
    let staff = [
        ("alice", "alice", "dsl"),
        ("sam", "sam", "senior"),
        ("vic", "vic", "viewer"),
        ("dee", "dee", "deputy"),
        ("bob", "bob", "dsl"),
    ];
    common::desk_db(&path, "Safeguarding duty desk", &staff, chrono::Utc::now());
    let new = |extra: &[&str]| {
        let mut args = vec![
            "new",
            "--subject",
            "staff",
            "--name",
            "Pat Doe",
            "--area",
            "Leicester",
            "--category",
            "physical",
            "--risk",
            "high",
            "--summary",
            "allegation",
            "--words",
            "secret words",
        ];
        args.extend_from_slice(extra);
        let (code, out, err) = run(dd("alice", &path).args(&args));
        assert_eq!(code, 0, "{err}");
        out.trim().to_string()
    };
    let open = new(&[]);
    let restricted = new(&["--restricted"]);
    (path, open, restricted)
}

#[test]
fn restricted_records_are_invisible_to_those_not_named() {
    let dir = private_dir();
    let (path, open, restricted) = desk(dir.path());
    let refs = |user: &str| {
        let (code, out, err) = run(dd(user, &path).args(["list", "--json"]));
        assert_eq!(code, 0, "{err}");
        let v: serde_json::Value = serde_json::from_str(&out).unwrap();
        v["items"]
            .as_array()
            .unwrap()
            .iter()
            .map(|r| r["reference"].as_str().unwrap().to_string())
            .collect::<Vec<_>>()
    };
    // The senior lead sees both; a deputy, a viewer and even another DSL do not
    // see the restricted one, nor count it.
    assert_eq!(refs("sam"), vec![open.clone(), restricted.clone()]);
    for user in ["dee", "vic", "bob"] {
        assert_eq!(refs(user), vec![open.clone()], "{user}");
        let (code, _, err) = run(dd(user, &path).args(["show", &restricted]));
        assert_eq!(code, 1, "{user}: {err}");
        assert!(err.contains("that you may see"), "{err}");
        let (_, out, _) = run(dd(user, &path).args(["deadlines", "--json"]));
        assert!(
            !out.contains(&restricted),
            "{user} sees its deadlines: {out}"
        );
    }
    // Whoever recorded it is named on it, and keeps seeing it.
    assert_eq!(refs("alice"), vec![open.clone(), restricted.clone()]);
}

#[test]
fn viewers_see_lists_but_not_words_or_names() {
    let dir = private_dir();
    let (path, open, _) = desk(dir.path());
    let (code, out, err) = run(dd("vic", &path).args(["show", &open, "--json"]));
    assert_eq!(code, 0, "{err}");
    assert!(!out.contains("secret words"), "{out}");
    assert!(!out.contains("Pat Doe"), "{out}");
    let (_, out, _) = run(dd("dee", &path).args(["show", &open, "--json"]));
    assert!(
        out.contains("secret words") && out.contains("Pat Doe"),
        "{out}"
    );
    let (code, _, err) = run(dd("vic", &path).args(["note", &open, "hello"]));
    assert_eq!(code, 1);
    assert!(err.contains("viewers"), "{err}");
}

#[test]
fn views_exports_and_changes_are_audited_and_verified() {
    let dir = private_dir();
    let (path, open, _) = desk(dir.path());
    run(dd("dee", &path).args(["show", &open]));
    run(dd("dee", &path).args(["list"]));
    run(dd("alice", &path).args(["contacts", "export"]));
    let (code, out, err) = run(dd("alice", &path).args(["audit", &open]));
    assert_eq!(code, 0, "{err}");
    assert!(out.contains("dee") && out.contains("view"), "{out}");
    let (_, out, _) = run(dd("alice", &path).args(["audit", "--user", "dee"]));
    assert!(
        out.contains("export") && out.contains("escalations"),
        "{out}"
    );
    let (code, _, err) = run(dd("vic", &path).args(["audit"]));
    assert_eq!(code, 1, "{err}");
    let (code, out, _) = run(dd("alice", &path).args(["verify"]));
    assert_eq!(code, 0, "{out}");
    assert!(out.starts_with("OK"), "{out}");
    // Tampering: with the guard triggers dropped, a row is edited.
    let c = sql(&path);
    c.execute_batch(
        "DROP TRIGGER audit_log_no_update; UPDATE audit_log SET actor = 'nobody' WHERE id = 3;",
    )
    .unwrap();
    drop(c);
    let (code, out, _) = run(dd("alice", &path).args(["verify"]));
    assert_eq!(code, 1);
    assert!(
        out.contains("trigger audit_log_no_update is missing"),
        "{out}"
    );
    assert!(out.contains("audit trail: row 3"), "{out}");
}

/// `verify` knows the whole schema and the tallies triggers keep: a dropped
/// index and a tally changed by hand are both reported.
#[test]
fn verify_finds_a_lost_index_and_a_tally_changed_by_hand() {
    let dir = private_dir();
    let (path, _, _) = desk(dir.path());
    let (code, out, _) = run(dd("alice", &path).args(["verify"]));
    assert_eq!(code, 0, "{out}");
    let c = sql(&path);
    c.execute_batch("DROP INDEX deadlines_missed;").unwrap();
    drop(c);
    let (code, out, _) = run(dd("alice", &path).args(["verify"]));
    assert_eq!(code, 1);
    assert!(out.contains("index deadlines_missed is missing"), "{out}");
    let c = sql(&path);
    c.execute_batch(
        "CREATE INDEX deadlines_missed ON deadlines (due_at, escalation_id, met_at, waived_at, rule_id)
             WHERE waived_at IS NULL AND (met_at IS NULL OR met_at > due_at);
         INSERT INTO referrals_pending (escalation_id, n) VALUES (999999, 3);",
    )
    .unwrap();
    drop(c);
    let (code, out, _) = run(dd("alice", &path).args(["verify"]));
    assert_eq!(code, 1);
    assert!(!out.contains("deadlines_missed"), "{out}");
    assert!(
        out.contains("referrals_pending disagrees with the records in 1 row(s)"),
        "{out}"
    );
    // The open count's tally (schema v16), changed by hand, is caught too.
    let c = sql(&path);
    c.execute_batch(
        "DELETE FROM referrals_pending WHERE escalation_id = 999999;
         UPDATE escalations_open_tally SET n = n + 5;",
    )
    .unwrap();
    drop(c);
    let (code, out, _) = run(dd("alice", &path).args(["verify"]));
    assert_eq!(code, 1);
    assert!(!out.contains("referrals_pending"), "{out}");
    assert!(
        out.contains("escalations_open_tally disagrees with the records"),
        "{out}"
    );
}

#[test]
fn backup_while_others_write_and_a_killed_writer_loses_nothing_committed() {
    let dir = private_dir();
    let (path, open, _) = desk(dir.path());
    let bin = assert_cmd::cargo::cargo_bin("dutydesk");
    let spawn = |args: &[&str]| {
        std::process::Command::new(&bin)
            .env("DUTYDESK_USER", "alice")
            .env("DUTYDESK_DB", &path)
            .args(args)
            .stdout(std::process::Stdio::piped())
            .stderr(std::process::Stdio::null())
            .spawn()
            .unwrap()
    };
    // Writers killed at different moments, some surely mid-transaction.
    let mut kept = Vec::new();
    for i in 0..24u64 {
        let mut child = spawn(&["note", &open, &format!("note {i}")]);
        std::thread::sleep(Duration::from_millis(i % 6 * 3));
        if i % 2 == 0 {
            let _ = child.kill(); // SIGKILL
            let _ = child.wait();
        } else {
            kept.push((i, child));
        }
    }
    // A backup while the survivors are still writing.
    let dest = dir.path().join("copy.db");
    let (code, out, err) = run(dd("sam", &path).args(["backup"]).arg(&dest));
    assert_eq!(code, 0, "{err}");
    assert!(out.contains("verified"), "{out}");
    for (i, c) in kept {
        let o = c.wait_with_output().unwrap();
        assert!(o.status.success(), "note {i} failed");
    }
    let (code, out, _) = run(dd("alice", &path).args(["verify"]));
    assert_eq!(code, 0, "after SIGKILLs: {out}");
    // Every note whose process finished is there.
    let c = sql(&path);
    for i in (1..24).step_by(2) {
        let n: i64 = c
            .query_row(
                "SELECT count(*) FROM chronology WHERE body = ?1",
                [format!("note {i}")],
                |r| r.get(0),
            )
            .unwrap();
        assert_eq!(n, 1, "note {i}");
    }
    // The copy opens as a dutydesk database and verifies.
    let (code, out, _) = run(dd("alice", &dest).args(["verify"]));
    assert_eq!(code, 0, "{out}");
}

#[test]
fn a_corrupt_file_gets_a_clear_message_not_a_panic() {
    use std::os::unix::fs::PermissionsExt;
    let dir = private_dir();
    let path = dir.path().join("corrupt.db");
    let mut bytes = b"SQLite format 3\0".to_vec();
    bytes.extend((0..8192u32).map(|i| (i * 7 % 251) as u8));
    std::fs::write(&path, &bytes).unwrap();
    std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o660)).unwrap();
    for args in [vec!["snapshot"], vec!["verify"], vec!["list"]] {
        let (code, _, err) = run(dd("alice", &path).args(&args));
        assert!(code == 1 || code == 2, "{args:?}: {code} {err}");
        assert!(!err.contains("panicked"), "{err}");
        assert!(err.starts_with("dutydesk: "), "{err}");
        assert_eq!(err.trim().lines().count(), 1, "{err}");
    }
    assert_eq!(std::fs::read(&path).unwrap(), bytes, "left untouched");
}

#[test]
fn an_allegation_naming_a_dsl_is_restricted_and_hidden_from_them() {
    let dir = private_dir();
    let (path, _, _) = desk(dir.path());
    // "dee" is a deputy DSL; alice records an allegation about her. The name
    // is hers, so intake asks whether the person uses the desk (tests/access.rs
    // has the spellings); the answer restricts it and excludes her.
    let args = [
        "new",
        "--subject",
        "staff",
        "--name",
        "dee",
        "--area",
        "Leicester",
        "--category",
        "emotional",
        "--risk",
        "medium",
        "--summary",
        "allegation about a DSL",
    ];
    let (code, _, err) = run(dd("alice", &path).args(args));
    assert_eq!(code, 1, "a desk user's name forces the question: {err}");
    assert!(err.contains("--about"), "{err}");
    let (code, out, err) = run(dd("alice", &path).args(args).args(["--about", "dee"]));
    assert_eq!(code, 0, "{err}");
    let r = out.trim().to_string();
    let sees = |user: &str| {
        let (_, out, _) = run(dd(user, &path).args(["list", "--json"]));
        out.contains(&r)
    };
    assert!(!sees("dee"), "the DSL named never sees it");
    assert!(!sees("bob"), "restricted: other DSLs do not see it");
    assert!(sees("sam"), "senior leads do");
    assert!(sees("alice"), "whoever recorded it is named on it");
}
