//! Allegations about a desk user reach neither that user nor anyone not
//! named, whatever the spelling; senior leads restrict, name and exclude
//! later. Through the real binary.

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

/// alice (senior lead), jbrennan "Jo Brennan" (DSL), bob (DSL), sam (senior lead).
fn desk(dir: &Path) -> PathBuf {
    let path = dir.join("desk.db");
    common::desk_db(
        &path,
        "Test",
        &[
            ("alice", "alice", "senior"),
            ("jbrennan", "Jo Brennan", "dsl"),
            ("bob", "Bob Day", "dsl"),
            ("sam", "Sam Okoro", "senior"),
        ],
        chrono::Utc::now(),
    );
    path
}

fn new_args<'a>(name: &'a str, extra: &[&'a str]) -> Vec<&'a str> {
    let mut a = vec![
        "new",
        "--subject",
        "staff",
        "--name",
        name,
        "--area",
        "Leicester",
        "--category",
        "physical",
        "--risk",
        "medium",
        "--summary",
        "allegation",
        "--words",
        "secret words",
    ];
    a.extend_from_slice(extra);
    a
}

fn count(path: &Path, table: &str) -> i64 {
    sql(path)
        .query_row(&format!("SELECT count(*) FROM {table}"), [], |r| r.get(0))
        .unwrap()
}

/// The references `user` sees in `list --status all`.
fn listed(path: &Path, user: &str) -> Vec<String> {
    let (code, out, err) = run(dd(user, path).args(["list", "--json", "--status", "all"]));
    assert_eq!(code, 0, "{err}");
    let v: serde_json::Value = serde_json::from_str(&out).unwrap();
    v["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["reference"].as_str().unwrap().to_string())
        .collect()
}

fn last_access(path: &Path, reference: &str) -> String {
    sql(path)
        .query_row(
            "SELECT detail FROM audit_log WHERE action = 'access' AND entity_id = ?1
             ORDER BY id DESC LIMIT 1",
            [reference],
            |r| r.get(0),
        )
        .unwrap()
}

#[test]
fn a_name_near_a_desk_user_forces_the_question() {
    let dir = common::private_dir();
    let path = desk(dir.path());
    let before = (count(&path, "escalations"), count(&path, "audit_log"));
    for spelling in [
        "Jo Brennan",
        "J. Brennan",
        "Joanne Brennan (DSL)",
        "Jo  Brennan",
        "Brennan, Jo",
        "Вrennan",
        "JO BRÉNNAN",
        "jbrennan",
    ] {
        let (code, out, err) = run(dd("bob", &path).args(new_args(spelling, &[])));
        assert_eq!(code, 1, "{spelling:?} must be refused: {err}");
        assert!(out.is_empty(), "{out}");
        assert!(
            err.contains("--about USER") && err.contains("--about none"),
            "{err}"
        );
        // The refusal names the answers, never the colleague.
        assert!(
            !err.contains("jbrennan") && !err.contains("Jo Brennan"),
            "{err}"
        );
    }
    assert_eq!(
        (count(&path, "escalations"), count(&path, "audit_log")),
        before,
        "refusals write nothing"
    );
    // A name near nobody needs no answer.
    let (code, _, err) = run(dd("bob", &path).args(new_args("Pat Doe", &[])));
    assert_eq!(code, 0, "{err}");
    // --about is only for staff subjects.
    let mut child = new_args("Kai Doe", &["--about", "none"]);
    child[2] = "child";
    let (code, _, err) = run(dd("bob", &path).args(&child));
    assert_eq!(code, 1);
    assert!(err.contains("only for an allegation about staff"), "{err}");
    // An unknown account, or yourself, is refused.
    let (code, _, err) = run(dd("bob", &path).args(new_args("J. Brennan", &["--about", "jo"])));
    assert_eq!(code, 1);
    assert!(err.contains("staff list"), "{err}");
    let (code, _, err) = run(dd("bob", &path).args(new_args("Bob Day", &["--about", "bob"])));
    assert_eq!(code, 1);
    assert!(err.contains("yourself"), "{err}");
}

#[test]
fn naming_the_desk_user_restricts_and_excludes_them() {
    let dir = common::private_dir();
    let path = desk(dir.path());
    let (code, out, err) =
        run(dd("bob", &path).args(new_args("Joanne Brennan (DSL)", &["--about", "jbrennan"])));
    assert_eq!(code, 0, "{err}");
    let r = out.trim().to_string();
    assert!(err.contains("restricted"), "{err}");
    // Jo never sees it, nor can tell it exists.
    assert!(!listed(&path, "jbrennan").contains(&r));
    let (code, _, hidden) = run(dd("jbrennan", &path).args(["show", &r]));
    assert_eq!(code, 1);
    let (_, _, missing) = run(dd("jbrennan", &path).args(["show", "SG-2000-0001"]));
    assert_eq!(
        hidden.replace(&r, "REF"),
        missing.replace("SG-2000-0001", "REF"),
        "hidden and missing read alike: {hidden} / {missing}"
    );
    let (_, out, _) = run(dd("jbrennan", &path).args(["deadlines", "--json", "--all"]));
    assert!(!out.contains(&r), "{out}");
    // The recorder is named; senior leads see it.
    for user in ["bob", "alice", "sam"] {
        assert!(listed(&path, user).contains(&r), "{user}");
    }
    assert_eq!(
        last_access(&path, &r),
        "restricted=1; named=bob; excluded=jbrennan"
    );
    let (_, out, _) = run(dd("alice", &path).args(["show", &r]));
    assert!(out.contains("their account jbrennan is excluded"), "{out}");
}

#[test]
fn answering_none_on_a_near_name_is_recorded() {
    let dir = common::private_dir();
    let path = desk(dir.path());
    let (code, out, err) = run(dd("bob", &path).args(new_args("J. Brennan", &["--about", "none"])));
    assert_eq!(code, 0, "{err}");
    let r = out.trim().to_string();
    assert!(listed(&path, "jbrennan").contains(&r), "not restricted");
    let detail: String = sql(&path)
        .query_row(
            "SELECT detail FROM audit_log WHERE action = 'not_desk_user' AND entity_id = ?1",
            [&r],
            |x| x.get(0),
        )
        .unwrap();
    assert_eq!(detail, "near=jbrennan");
    let (_, out, _) = run(dd("bob", &path).args(["show", &r]));
    assert!(out.contains("does not use this desk"), "{out}");
    // A later answer fixes it: a senior lead restricts and excludes.
    let (code, out, err) = run(dd("sam", &path).args([
        "access",
        &r,
        "--restrict",
        "--exclude",
        "jbrennan",
        "--reason",
        "the subject is our Jo",
    ]));
    assert_eq!(code, 0, "{err}");
    assert!(out.contains("restricted=1"), "{out}");
    assert!(!listed(&path, "jbrennan").contains(&r));
    assert!(
        !listed(&path, "bob").contains(&r),
        "the recorder holds nothing here and was not named"
    );
}

#[test]
fn senior_leads_restrict_name_and_exclude_later_audited() {
    let dir = common::private_dir();
    let path = desk(dir.path());
    let (_, out, _) = run(dd("bob", &path).args(new_args("Pat Doe", &[])));
    let r = out.trim().to_string();
    assert!(listed(&path, "jbrennan").contains(&r));
    // A DSL may not; nothing changes.
    let before = count(&path, "audit_log");
    let (code, _, err) = run(dd("bob", &path).args(["access", &r, "--restrict", "--reason", "x"]));
    assert_eq!(code, 1);
    assert!(err.contains("only a senior lead"), "{err}");
    assert_eq!(count(&path, "audit_log"), before);
    // Refusals: no reason, unknown account, both ways (bad input, 2);
    // yourself, not restricted (the desk says no, 1).
    for (args, why, want) in [
        (vec!["--restrict"], "reason", 2),
        (vec!["--name", "zed", "--reason", "x"], "no staff member", 2),
        (
            vec!["--name", "bob", "--exclude", "bob", "--reason", "x"],
            "both",
            2,
        ),
        (vec!["--exclude", "sam", "--reason", "x"], "yourself", 1),
        (vec!["--unrestrict", "--reason", "x"], "not restricted", 1),
    ] {
        let mut a = vec!["access", r.as_str()];
        a.extend(args.iter().copied());
        let (code, _, err) = run(dd("sam", &path).args(&a));
        assert_eq!(code, want, "{args:?}: {err}");
        assert!(err.contains(why), "{args:?}: {err}");
    }
    assert_eq!(count(&path, "audit_log"), before, "refusals write nothing");
    // Restrict: bob (who holds nothing here) loses sight, jbrennan too.
    let (code, out, err) = run(dd("sam", &path).args([
        "access",
        &r,
        "--restrict",
        "--name",
        "jbrennan",
        "--reason",
        "allegation about a DSL",
    ]));
    assert_eq!(code, 0, "{err}");
    assert_eq!(
        out.trim(),
        format!("{r}: restricted=1; named=jbrennan; excluded=")
    );
    assert!(!listed(&path, "bob").contains(&r));
    assert!(listed(&path, "jbrennan").contains(&r));
    // Switch: jbrennan is excluded after all, bob named.
    let (code, _, err) = run(dd("sam", &path).args([
        "access",
        &r,
        "--exclude",
        "jbrennan",
        "--name",
        "bob",
        "--reason",
        "it is about Jo",
    ]));
    assert_eq!(code, 0, "{err}");
    assert_eq!(
        last_access(&path, &r),
        "restricted=1; named=bob; excluded=jbrennan"
    );
    assert!(!listed(&path, "jbrennan").contains(&r));
    // Lifting the restriction keeps the exclusion.
    let (code, _, err) =
        run(dd("sam", &path).args(["access", &r, "--unrestrict", "--reason", "concluded"]));
    assert_eq!(code, 0, "{err}");
    assert!(!listed(&path, "jbrennan").contains(&r));
    // Naming an excluded account needs --unexclude in the same command.
    let (code, _, err) =
        run(dd("sam", &path).args(["access", &r, "--name", "jbrennan", "--reason", "x"]));
    assert_eq!(code, 1);
    assert!(err.contains("--unexclude"), "{err}");
    // Without a change: who may see it.
    let (code, out, _) = run(dd("alice", &path).args(["access", &r]));
    assert_eq!(code, 0);
    assert_eq!(out.trim(), "restricted=0; named=bob; excluded=jbrennan");
    // An excluded senior lead cannot touch it: the same refusal as a missing case.
    let (code, _, err) = run(dd("alice", &path).args([
        "access",
        &r,
        "--exclude",
        "sam",
        "--reason",
        "sam is involved",
    ]));
    assert_eq!(code, 0, "{err}");
    let (code, _, err) = run(dd("sam", &path).args([
        "access",
        &r,
        "--unexclude",
        "sam",
        "--reason",
        "let me back",
    ]));
    assert_eq!(code, 1);
    assert!(err.contains("that you may see"), "{err}");
    // Every change is in the trail and the chronology.
    let n: i64 = sql(&path)
        .query_row(
            "SELECT count(*) FROM audit_log WHERE action = 'access' AND entity_id = ?1",
            [&r],
            |x| x.get(0),
        )
        .unwrap();
    assert_eq!(n, 4);
    let (_, out, _) = run(dd("alice", &path).args(["show", &r]));
    assert_eq!(out.matches("Who may see it changed by").count(), 4, "{out}");
    assert!(out.contains("Reason: it is about Jo"), "{out}");
}

#[test]
fn restricting_keeps_the_holder_and_the_holder_cannot_be_excluded() {
    let dir = common::private_dir();
    let path = desk(dir.path());
    let (_, out, _) = run(dd("bob", &path).args(new_args("Pat Doe", &[])));
    let r = out.trim().to_string();
    let (code, _, err) = run(dd("bob", &path).args(["ack", &r]));
    assert_eq!(code, 0, "{err}");
    let (code, out, err) =
        run(dd("sam", &path).args(["access", &r, "--restrict", "--reason", "sensitive"]));
    assert_eq!(code, 0, "{err}");
    assert!(out.contains("named=bob"), "the holder keeps it: {out}");
    assert!(listed(&path, "bob").contains(&r));
    let (code, _, err) =
        run(dd("sam", &path).args(["access", &r, "--exclude", "bob", "--reason", "x"]));
    assert_eq!(code, 1);
    assert!(err.contains("bob holds") && err.contains("--take"), "{err}");
}
