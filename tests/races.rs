//! Every verb acts on the version its user saw: two real processes racing to
//! acknowledge or sign off, a case taken from its holder (who is told), and a
//! sign-off on a proposal that changed since it was read.

mod common;

use assert_cmd::Command;
use common::sql;
use std::path::{Path, PathBuf};
use std::process::{Child, Stdio};

fn dd(user: &str, path: &Path) -> Command {
    let mut c = Command::cargo_bin("dutydesk").unwrap();
    c.env("DUTYDESK_USER", user)
        .env("DUTYDESK_DB", path)
        .env("DUTYDESK_CONFIG", path.with_extension("toml"))
        .env_remove("DBUS_SESSION_BUS_ADDRESS")
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

fn ok(user: &str, path: &Path, args: &[&str]) -> String {
    let (code, out, err) = run(dd(user, path).args(args));
    assert_eq!(code, 0, "{user} {args:?}: {err}");
    format!("{out}{err}")
}

/// A separate process, started now; its result is read later.
fn spawn(user: &str, path: &Path, args: &[&str]) -> Child {
    std::process::Command::new(assert_cmd::cargo::cargo_bin("dutydesk"))
        .env("DUTYDESK_USER", user)
        .env("DUTYDESK_DB", path)
        .env("DUTYDESK_CONFIG", path.with_extension("toml"))
        .env_remove("DBUS_SESSION_BUS_ADDRESS")
        .env_remove("DUTYDESK_NOW")
        .args(args)
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap()
}

fn finish(c: Child) -> (i32, String, String) {
    let o = c.wait_with_output().unwrap();
    (
        o.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&o.stdout).into_owned(),
        String::from_utf8_lossy(&o.stderr).into_owned(),
    )
}

/// alice (senior lead), bob, carol and dee (DSLs).
fn desk(dir: &Path) -> PathBuf {
    let path = dir.join("desk.db");
    common::desk_db(
        &path,
        "Test",
        &[
            ("alice", "alice", "senior"),
            ("bob", "Bob Day", "dsl"),
            ("carol", "Carol Ede", "dsl"),
            ("dee", "Dee Fox", "dsl"),
        ],
        chrono::Utc::now(),
    );
    path
}

/// A new high-risk concern about a child (closing it needs a second DSL).
fn concern(path: &Path, name: &str) -> String {
    ok(
        "alice",
        path,
        &[
            "new",
            "--subject",
            "child",
            "--name",
            name,
            "--area",
            "Rutland",
            "--category",
            "neglect",
            "--risk",
            "high",
            "--summary",
            "concern",
        ],
    )
    .lines()
    .next()
    .unwrap()
    .trim()
    .to_string()
}

fn version(path: &Path, user: &str, r: &str) -> String {
    let (code, out, err) = run(dd(user, path).args(["show", r, "--json"]));
    assert_eq!(code, 0, "{err}");
    let v: serde_json::Value = serde_json::from_str(&out).unwrap();
    v["escalation"]["version"].as_i64().unwrap().to_string()
}

fn holder(path: &Path, r: &str) -> Option<String> {
    sql(path)
        .query_row(
            "SELECT s.username FROM escalations e LEFT JOIN staff s ON s.id = e.assignee_id
             WHERE e.reference = ?1",
            [r],
            |x| x.get(0),
        )
        .unwrap()
}

#[test]
fn two_acks_at_once_one_wins_the_other_is_told_who_and_when() {
    let dir = common::private_dir();
    let path = desk(dir.path());
    for i in 0..4 {
        let r = concern(&path, &format!("Child {i}"));
        let a = spawn("bob", &path, &["ack", &r]);
        let b = spawn("carol", &path, &["ack", &r]);
        let results = [("bob", finish(a)), ("carol", finish(b))];
        let winners: Vec<&str> = results
            .iter()
            .filter(|(_, (code, _, _))| *code == 0)
            .map(|(u, _)| *u)
            .collect();
        assert_eq!(winners.len(), 1, "exactly one wins: {results:?}");
        let winner = winners[0];
        let (loser, (code, _, err)) = results.iter().find(|(u, _)| *u != winner).unwrap();
        assert_eq!(*code, 1, "{loser}: {err}");
        let name = if winner == "bob" {
            "Bob Day"
        } else {
            "Carol Ede"
        };
        assert!(
            err.contains(&format!("held by {name} (acknowledged by {name} at ")),
            "the loser is told who and when: {err}"
        );
        assert!(err.contains("--take"), "and what to do instead: {err}");
        assert_eq!(holder(&path, &r).as_deref(), Some(winner));
        // The winner again: already theirs.
        let (code, _, err) = run(dd(winner, &path).args(["ack", &r]));
        assert_eq!(code, 1);
        assert!(err.contains("already yours"), "{err}");
    }
}

#[test]
fn taking_a_case_tells_its_holder_without_names() {
    let dir = common::private_dir();
    let path = desk(dir.path());
    let r = concern(&path, "Kai Doe");
    ok("bob", &path, &["ack", &r]);
    let before: i64 = sql(&path)
        .query_row("SELECT count(*) FROM audit_log", [], |x| x.get(0))
        .unwrap();
    // Assigning bob's case elsewhere needs --take too, and changes nothing without.
    let (code, _, err) = run(dd("carol", &path).args(["assign", &r, "dee"]));
    assert_eq!(code, 1);
    assert!(
        err.contains("held by Bob Day") && err.contains("--take"),
        "{err}"
    );
    let after: i64 = sql(&path)
        .query_row("SELECT count(*) FROM audit_log", [], |x| x.get(0))
        .unwrap();
    assert_eq!(before, after);
    let out = ok("carol", &path, &["ack", &r, "--take"]);
    assert!(out.contains("Bob Day is told"), "{out}");
    assert_eq!(holder(&path, &r).as_deref(), Some("carol"));
    // The previous holder is told, once, with no name or words.
    let (code, out, err) = run(dd("bob", &path).args(["notify", "--once"]));
    assert_eq!(code, 0, "{err}");
    let line = out
        .lines()
        .find(|l| l.contains("was taken"))
        .unwrap_or_else(|| panic!("bob is not told: {out}"));
    assert_eq!(
        line,
        format!("{r} was taken by another DSL: Open dutydesk to see who holds it now")
    );
    let (_, again, _) = run(dd("bob", &path).args(["notify", "--once"]));
    assert!(!again.contains("was taken"), "told once: {again}");
    let (_, carol, _) = run(dd("carol", &path).args(["notify", "--once"]));
    assert!(!carol.contains("was taken"), "the taker is not: {carol}");
    // carol passes it to dee herself: she is not "taken from".
    ok("carol", &path, &["assign", &r, "dee"]);
    let (_, carol, _) = run(dd("carol", &path).args(["notify", "--once"]));
    assert!(!carol.contains("was taken"), "{carol}");
    // alice takes it from dee for bob: dee is told.
    ok("alice", &path, &["assign", &r, "bob", "--take"]);
    let (_, dee, _) = run(dd("dee", &path).args(["notify", "--once"]));
    assert!(
        dee.contains(&format!("{r} was taken by another DSL")),
        "{dee}"
    );
    // Every change of holder is a row, in order.
    let c = sql(&path);
    let mut stmt = c
        .prepare(
            "SELECT coalesce(f.username, '-'), t.username FROM assignments a
             LEFT JOIN staff f ON f.id = a.from_id JOIN staff t ON t.id = a.to_id
             ORDER BY a.chronology_id",
        )
        .unwrap();
    let rows: Vec<(String, String)> = stmt
        .query_map([], |x| Ok((x.get(0)?, x.get(1)?)))
        .unwrap()
        .collect::<Result<_, _>>()
        .unwrap();
    let pair = |a: &str, b: &str| (a.to_string(), b.to_string());
    assert_eq!(
        rows,
        vec![
            pair("-", "bob"),
            pair("bob", "carol"),
            pair("carol", "dee"),
            pair("dee", "bob")
        ]
    );
    let kinds: i64 = c
        .query_row(
            "SELECT count(*) FROM assignments a JOIN chronology c ON c.id = a.chronology_id
             WHERE c.kind = 'assigned'",
            [],
            |x| x.get(0),
        )
        .unwrap();
    assert_eq!(kinds, 4, "each row is an 'assigned' line of the chronology");
}

#[test]
fn sign_off_approves_only_the_proposal_that_was_read() {
    let dir = common::private_dir();
    let path = desk(dir.path());
    let r = concern(&path, "Ama Doe");
    ok("bob", &path, &["ack", &r]);
    ok(
        "bob",
        &path,
        &[
            "close",
            &r,
            "--outcome",
            "advice-given",
            "--rationale",
            "Family given advice",
            "--met",
            "written_record",
        ],
    );
    // alice reads the first proposal.
    let (_, shown, _) = run(dd("alice", &path).args(["show", &r]));
    assert!(
        shown.contains("closure proposed, awaiting sign-off: advice given"),
        "{shown}"
    );
    assert!(shown.contains("rationale: Family given advice"), "{shown}");
    let seen = version(&path, "alice", &r);
    // Meanwhile carol sends it back and bob proposes another outcome.
    ok(
        "carol",
        &path,
        &["signoff", &r, "--reject", "--reason", "not yet"],
    );
    ok(
        "bob",
        &path,
        &[
            "close",
            &r,
            "--outcome",
            "no-further-action",
            "--rationale",
            "Nothing more to do",
            "--met",
            "written_record",
        ],
    );
    // alice's approval of what she read is refused: who changed it, and when.
    let (code, out, err) = run(dd("alice", &path).args([
        "signoff",
        &r,
        "--approve",
        "--version",
        &seen,
        "--reason",
        "agreed",
    ]));
    assert_eq!(code, 1, "{err}");
    assert!(out.is_empty());
    assert!(
        err.contains("Bob Day changed it at") && err.contains("reload"),
        "{err}"
    );
    // Without a version, an approval is refused; with the old outcome, too.
    let (code, _, err) =
        run(dd("alice", &path).args(["signoff", &r, "--approve", "--reason", "agreed"]));
    assert_eq!(code, 2, "clap requires --version: {err}");
    let now_v = version(&path, "alice", &r);
    let (code, _, err) = run(dd("alice", &path).args([
        "signoff",
        &r,
        "--approve",
        "--version",
        &now_v,
        "--outcome",
        "advice-given",
        "--reason",
        "agreed",
    ]));
    assert_eq!(code, 1);
    assert!(
        err.contains("is no-further-action, not advice-given"),
        "{err}"
    );
    let status: String = sql(&path)
        .query_row(
            "SELECT status FROM escalations WHERE reference = ?1",
            [&r],
            |x| x.get(0),
        )
        .unwrap();
    assert_ne!(status, "closed", "nothing was approved");
    // The proposal read now is approved, and the command prints what.
    let (code, out, err) = run(dd("alice", &path).args([
        "signoff",
        &r,
        "--approve",
        "--version",
        &now_v,
        "--outcome",
        "no-further-action",
        "--reason",
        "agreed",
    ]));
    assert_eq!(code, 0, "{err}");
    assert_eq!(
        out,
        "Approved outcome: no further action\nApproved rationale: Nothing more to do\n"
    );
    assert!(err.contains("closed as no further action"), "{err}");
}

#[test]
fn two_sign_offs_at_once_one_wins_the_other_is_told_why() {
    let dir = common::private_dir();
    let path = desk(dir.path());
    for i in 0..3 {
        let r = concern(&path, &format!("Sam Doe {i}"));
        ok("bob", &path, &["ack", &r]);
        ok(
            "bob",
            &path,
            &[
                "close",
                &r,
                "--outcome",
                "signposted",
                "--rationale",
                "Signposted to early help",
                "--met",
                "written_record",
            ],
        );
        let v = version(&path, "alice", &r);
        let args = [
            "signoff",
            &r,
            "--approve",
            "--version",
            &v,
            "--reason",
            "ok",
        ];
        let a = spawn("alice", &path, &args);
        let c = spawn("carol", &path, &args);
        let results = [finish(a), finish(c)];
        let wins = results.iter().filter(|(code, _, _)| *code == 0).count();
        assert_eq!(wins, 1, "{results:?}");
        let (code, out, err) = results.iter().find(|(code, _, _)| *code != 0).unwrap();
        assert_eq!(*code, 1, "{err}");
        assert!(out.is_empty(), "the loser approved nothing: {out}");
        assert!(
            err.contains("already closed") || err.contains("changed it at"),
            "the loser is told why: {err}"
        );
        let signed: i64 = sql(&path)
            .query_row(
                "SELECT count(*) FROM chronology c JOIN escalations e ON e.id = c.escalation_id
                 WHERE e.reference = ?1 AND c.kind = 'signed_off'",
                [&r],
                |x| x.get(0),
            )
            .unwrap();
        assert_eq!(signed, 1);
    }
}
