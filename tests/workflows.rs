//! The desk's verbs through the commands (the dashboard calls the same store
//! functions), refusals, sign-off rules, and several processes at once.

mod common;

use assert_cmd::Command;
use common::sql;
use dutydesk::store::{self as st, Create, StoreError};
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

/// A desk with alice and bob (DSLs), vic (viewer), and one staff allegation.
fn desk(dir: &Path) -> (PathBuf, String) {
    let path = dir.join("desk.db");
    let staff = [
        ("alice", "alice", "dsl"),
        ("bob", "bob", "dsl"),
        ("vic", "vic", "viewer"),
    ];
    common::desk_db(&path, "Test", &staff, chrono::Utc::now());
    let (code, out, err) = run(dd("alice", &path).args([
        "new",
        "--subject",
        "staff",
        "--name",
        "J. Smith",
        "--area",
        "Leicester",
        "--category",
        "physical,emotional",
        "--risk",
        "medium",
        "--summary",
        "Coach grabbed a boy's arm",
        "--words",
        "he grabbed me\nhard",
    ]));
    assert_eq!(code, 0, "{err}");
    (path, out.trim().to_string())
}

#[test]
fn new_prints_the_reference_alone_and_sets_the_rules_deadlines() {
    let dir = common::private_dir();
    let (path, r) = desk(dir.path());
    assert!(r.starts_with("SG-20") && r.len() == 12, "{r:?}");
    let c = sql(&path);
    let (words, deadlines): (String, i64) = c
        .query_row(
            "SELECT exact_words, (SELECT count(*) FROM deadlines WHERE escalation_id = e.id) FROM escalations e WHERE reference = ?1",
            [&r],
            |x| Ok((x.get(0)?, x.get(1)?)),
        )
        .unwrap();
    assert_eq!(words, "he grabbed me\nhard", "stored exactly as typed");
    assert_eq!(deadlines, 2, "LADO referral and written record");
    let (code, out, _) = run(dd("alice", &path).args(["list", "--json"]));
    assert_eq!(code, 0);
    let v: serde_json::Value = serde_json::from_str(&out).unwrap();
    assert_eq!(v["items"][0]["reference"], r.as_str());
}

#[test]
fn the_whole_life_of_an_escalation() {
    let dir = common::private_dir();
    let (path, r) = desk(dir.path());
    let ok = |user: &str, args: &[&str]| {
        let (code, _, err) = run(dd(user, &path).args(args));
        assert_eq!(code, 0, "{args:?}: {err}");
        err
    };
    assert!(ok("alice", &["ack", &r]).contains("is yours"));
    assert!(ok("alice", &["assign", &r, "bob"]).contains("assigned to bob"));
    ok("bob", &["note", &r, "Spoke to the head teacher"]);
    assert!(
        ok(
            "bob",
            &[
                "refer",
                &r,
                "--route",
                "lado",
                "--reference",
                "L-77",
                "--shared",
                "the account and dates"
            ]
        )
        .contains("referred to LADO")
    );
    // A referral was made: closing needs a second DSL.
    assert!(
        ok(
            "bob",
            &[
                "close",
                &r,
                "--outcome",
                "lado-concluded",
                "--rationale",
                "LADO concluded; HR action"
            ]
        )
        .contains("sign-off")
    );
    let (code, _, err) = run(dd("bob", &path).args([
        "signoff",
        &r,
        "--approve",
        "--version",
        "9",
        "--reason",
        "fine",
    ]));
    assert_eq!(code, 1);
    assert!(err.contains("second DSL"), "{err}");
    ok(
        "alice",
        &[
            "signoff",
            &r,
            "--reject",
            "--reason",
            "record the HR outcome first",
        ],
    );
    ok("bob", &["note", &r, "HR outcome: final written warning"]);
    ok(
        "bob",
        &[
            "close",
            &r,
            "--outcome",
            "lado-concluded",
            "--rationale",
            "LADO concluded; HR outcome recorded",
        ],
    );
    // Approving names the version read with the proposal (`show`).
    let (_, shown, _) = run(dd("alice", &path).args(["show", &r]));
    assert!(
        shown.contains("closure proposed, awaiting sign-off: LADO process concluded"),
        "{shown}"
    );
    // The agenda says the route and the date as people do.
    // The agenda counts what happened strictly before its own moment, in
    // whole seconds, on the real clock: a closure in this very second would
    // not be on it yet.
    std::thread::sleep(std::time::Duration::from_millis(1100));
    let (_, agenda, _) = run(dd("alice", &path).args(["reviews"]));
    let today = dutydesk::domain::calendar::format_day(chrono::Utc::now());
    assert!(
        agenda.contains(&format!("referred to LADO on {today}")),
        "{agenda}"
    );
    let version = shown
        .lines()
        .find_map(|l| l.strip_prefix("version "))
        .and_then(|l| l.split_whitespace().next())
        .unwrap()
        .to_string();
    assert!(
        ok(
            "alice",
            &[
                "signoff",
                &r,
                "--approve",
                "--version",
                &version,
                "--reason",
                "agreed"
            ]
        )
        .contains("closed")
    );
    let (code, _, err) = run(dd("alice", &path).args(["note", &r, "late note"]));
    assert_eq!(code, 1);
    assert!(err.contains("closed"), "{err}");
    // A person reads the outcome in words, never its code, and no key of
    // the screen is named to a command.
    assert!(!err.contains("(o)") && !err.contains("press"), "{err}");
    let (_, shown, _) = run(dd("alice", &path).args(["show", &r]));
    assert!(shown.contains("Closed (LADO process concluded)"), "{shown}");
    let (_, agenda, _) = run(dd("alice", &path).args(["reviews"]));
    let (_, listed, _) = run(dd("alice", &path).args(["list", "--status", "closed"]));
    let (_, handover, _) = run(dd("alice", &path).args(["handover"]));
    for (what, text) in [
        ("show", &shown),
        ("reviews", &agenda),
        ("list", &listed),
        ("handover", &handover),
    ] {
        assert!(!text.contains("lado-concluded"), "{what}: {text}");
        assert!(
            !text.contains("awaiting_outcome") && !text.contains("signoff_requested"),
            "{what}: {text}"
        );
    }
    assert!(agenda.contains("LADO process concluded"), "{agenda}");
    ok(
        "alice",
        &["reopen", &r, "--reason", "new information from the school"],
    );
    let (_, out, _) = run(dd("alice", &path).args(["show", &r, "--json"]));
    let v: serde_json::Value = serde_json::from_str(&out).unwrap();
    let kinds: Vec<&str> = v["chronology"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["kind"].as_str().unwrap())
        .collect();
    assert_eq!(
        kinds,
        [
            "created",
            "note",
            "acknowledged",
            "assigned",
            "assigned",
            "note",
            "referral",
            "signoff_requested",
            "reopened",
            "note",
            "signoff_requested",
            "signed_off",
            "closed",
            "reopened"
        ]
    );
    // Every change is in the audit log, and the chain is intact.
    let c = sql(&path);
    assert_eq!(st::audit::first_broken(&c).unwrap(), None);
    let lado_met: bool = c
        .query_row("SELECT met_at IS NOT NULL FROM deadlines d JOIN deadline_rules r ON r.id = d.rule_id WHERE r.code = 'lado_referral'", [], |x| x.get(0))
        .unwrap();
    assert!(lado_met, "referring to the LADO meets the LADO deadline");
}

#[test]
fn refusals_exit_1_bad_input_2_and_nothing_changes() {
    let dir = common::private_dir();
    let (path, r) = desk(dir.path());
    let before: i64 = sql(&path)
        .query_row("SELECT count(*) FROM audit_log", [], |x| x.get(0))
        .unwrap();
    // Bad input (a value that is wrong whatever the case's state) exits 2.
    for (user, args, why) in [
        (
            "alice",
            vec!["refer", r.as_str(), "--route", "social", "--shared", "x"],
            "not a route",
        ),
        (
            "alice",
            vec!["close", r.as_str(), "--outcome", "done", "--rationale", "x"],
            "not an outcome",
        ),
        (
            "alice",
            vec![
                "new",
                "--subject",
                "child",
                "--name",
                "A",
                "--area",
                "Leicester",
                "--category",
                "nonsense",
                "--risk",
                "low",
                "--summary",
                "s",
            ],
            "unknown category",
        ),
    ] {
        let (code, _, err) = run(dd(user, &path).args(&args));
        assert_eq!(code, 2, "{args:?}: {err}");
        assert!(err.to_lowercase().contains(why), "{args:?}: {err}");
    }
    for (user, args, why) in [
        (
            "alice",
            vec!["assign", r.as_str(), "nobody"],
            "no active staff member",
        ),
        ("alice", vec!["assign", r.as_str(), "vic"], "viewer"),
        ("vic", vec!["note", r.as_str(), "hello"], "viewers"),
        ("alice", vec!["note", r.as_str(), "   "], "required"),
        ("alice", vec!["ack", "SG-1999-0001"], "no escalation"),
        (
            "alice",
            vec!["reopen", r.as_str(), "--reason", "x"],
            "not closed",
        ),
        (
            "alice",
            vec![
                "new",
                "--subject",
                "child",
                "--name",
                "A",
                "--area",
                "Leicester",
                "--category",
                "neglect",
                "--risk",
                "low",
                "--summary",
                "s",
                "--dob",
                "2099-01-01",
            ],
            "future",
        ),
        (
            "alice",
            vec![
                "new",
                "--subject",
                "child",
                "--name",
                "A\u{1b}]0;x\u{7}",
                "--area",
                "Leicester",
                "--category",
                "neglect",
                "--risk",
                "low",
                "--summary",
                "s",
            ],
            "control",
        ),
    ] {
        let (code, _, err) = run(dd(user, &path).args(&args));
        // A value that is wrong whatever the case's state (an unknown
        // account, one that cannot hold a case, empty required text, a date
        // in the future, a control character) is bad input, exit 2; the desk
        // saying no (a viewer, a case not closed, one not there) is 1.
        let expected = if ["viewers", "not closed", "no escalation"].contains(&why) {
            1
        } else {
            2
        };
        assert_eq!(code, expected, "{args:?}: {err}");
        assert!(err.to_lowercase().contains(why), "{args:?}: {err}");
    }
    let long = "x".repeat(20_001);
    let (code, _, err) = run(dd("alice", &path).args(["note", &r, &long]));
    assert_eq!(code, 2, "a value out of range");
    assert!(err.contains("too long"), "{err}");
    // More of each kind, swept from the store's refusals.
    for (user, args, why, expected) in [
        (
            "alice",
            vec![
                "policy", "set", "overdue", "--steps", "banana", "--repeat", "30",
            ],
            "minutes:targets",
            2,
        ),
        (
            "vic",
            vec![
                "policy", "set", "overdue", "--steps", "0:duty", "--repeat", "30",
            ],
            "may not change an escalation policy",
            1,
        ),
        (
            "alice",
            vec!["staff", "add", "eve", "--name", "Eve", "--role", "dsl"],
            "only a senior lead",
            1,
        ),
        (
            "alice",
            vec![
                "task",
                "add",
                r.as_str(),
                "--owner",
                "nobody",
                "--due",
                "2099-01-01 09:00",
                "ring",
                "back",
            ],
            "no active staff member",
            2,
        ),
        (
            "alice",
            vec![
                "rota",
                "add",
                "nobody",
                "--from",
                "2099-01-01 09:00",
                "--to",
                "2099-01-01 17:00",
            ],
            "no active dsl",
            2,
        ),
        (
            "alice",
            vec!["staff", "set", "alice", "--email", "not-an-address"],
            "not an e-mail address",
            2,
        ),
    ] {
        let (code, _, err) = run(dd(user, &path).args(&args));
        assert!(
            err.to_lowercase().contains(why),
            "{args:?}: exit {code}: {err}"
        );
        assert_eq!(code, expected, "{args:?}: {err}");
    }
    let after: i64 = sql(&path)
        .query_row("SELECT count(*) FROM audit_log", [], |x| x.get(0))
        .unwrap();
    assert_eq!(before, after, "a refusal writes nothing");
    // Usage errors are 2; so is an unknown user.
    assert_eq!(run(dd("alice", &path).args(["refer", &r])).0, 2);
    assert_eq!(run(dd("mallory", &path).args(["note", &r, "x"])).0, 2);
}

#[test]
fn a_stale_change_is_refused_with_who_and_when() {
    let dir = common::private_dir();
    let (path, _) = desk(dir.path());
    let now = chrono::Utc::now();
    let mut a = st::open(&path, Create::No).unwrap();
    let mut b = st::open(&path, Create::No).unwrap();
    // Both sessions show version 1 of escalation 1.
    let v = 1;
    let first = a.write("alice", now, |w| {
        st::workflow::assign(w, 1, "bob", Some(v), false)
    });
    let second = b.write("bob", now, |w| {
        st::workflow::acknowledge(w, 1, Some(v), false)
    });
    assert!(first.is_ok());
    match second {
        Err(StoreError::Conflict(who, _)) => assert_eq!(who, "alice"),
        other => panic!("expected a conflict, got {other:?}"),
    }
    let assignee: String = sql(&path)
        .query_row(
            "SELECT s.username FROM escalations e JOIN staff s ON s.id = e.assignee_id",
            [],
            |x| x.get(0),
        )
        .unwrap();
    assert_eq!(assignee, "bob");
}

#[test]
fn many_processes_at_once_lose_nothing() {
    let dir = common::private_dir();
    let (path, r) = desk(dir.path());
    let bin = assert_cmd::cargo::cargo_bin("dutydesk");
    let spawn = |user: &str, args: Vec<String>| {
        std::process::Command::new(&bin)
            .env("DUTYDESK_USER", user)
            .env("DUTYDESK_DB", &path)
            .env("DUTYDESK_CONFIG", path.with_extension("toml"))
            .args(args)
            .stdout(std::process::Stdio::piped())
            .stderr(std::process::Stdio::piped())
            .spawn()
            .unwrap()
    };
    let mut children = Vec::new();
    for p in 0..6 {
        for n in 0..5 {
            let user = if p % 2 == 0 { "alice" } else { "bob" };
            children.push(spawn(
                user,
                vec!["note".into(), r.clone(), format!("note {p}-{n}")],
            ));
        }
        children.push(spawn(
            "alice",
            vec![
                "assign".into(),
                r.clone(),
                if p % 2 == 0 {
                    "bob".into()
                } else {
                    "alice".into()
                },
                // Back and forth: the case is often bob's, so take it.
                "--take".into(),
            ],
        ));
        children.push(spawn(
            "bob",
            vec![
                "new".into(),
                "--subject".into(),
                "child".into(),
                "--name".into(),
                format!("Child {p}"),
                "--area".into(),
                "Rutland".into(),
                "--category".into(),
                "neglect".into(),
                "--risk".into(),
                "low".into(),
                "--summary".into(),
                "concurrent intake".into(),
            ],
        ));
    }
    let mut refs = Vec::new();
    for c in children {
        let out = c.wait_with_output().unwrap();
        let err = String::from_utf8_lossy(&out.stderr);
        assert!(!err.contains("locked"), "a user saw a lock: {err}");
        let text = String::from_utf8_lossy(&out.stdout).trim().to_string();
        if text.starts_with("SG-") {
            refs.push(text);
        }
        // An assign to the current assignee is a clean refusal; nothing else fails.
        assert!(
            out.status.success() || err.contains("already assigned"),
            "{err}"
        );
    }
    let c = sql(&path);
    let notes: i64 = c
        .query_row(
            "SELECT count(*) FROM chronology WHERE kind = 'note' AND body LIKE 'note %'",
            [],
            |x| x.get(0),
        )
        .unwrap();
    assert_eq!(notes, 30, "every note is there");
    assert_eq!(refs.len(), 6);
    let mut unique = refs.clone();
    unique.sort();
    unique.dedup();
    assert_eq!(unique.len(), 6, "references stay unique: {refs:?}");
    assert_eq!(st::audit::first_broken(&c).unwrap(), None);
}

#[test]
fn repeat_concerns_are_offered_and_a_third_raises_the_flag() {
    let dir = common::private_dir();
    let (path, _) = desk(dir.path());
    let new = |name: &str, area: &str| {
        let (code, out, err) = run(dd("alice", &path).args([
            "new",
            "--subject",
            "adult",
            "--name",
            name,
            "--area",
            area,
            "--category",
            "domestic",
            "--risk",
            "medium",
            "--summary",
            "ex-partner at the door again",
        ]));
        assert_eq!(code, 0, "{err}");
        (out.trim().to_string(), err)
    };
    let (first, err) = new("Dana Price", "Walsall");
    assert!(!err.contains("possible earlier concern"), "{err}");
    let (second, err) = new("dana price ", "walsall");
    assert!(
        err.contains(&format!(
            "possible earlier concern about the same person: {first} (same name and area"
        )),
        "{err}"
    );
    // Same name elsewhere is not offered.
    let (_, err) = new("Dana Price", "Dudley");
    assert!(!err.contains("possible earlier concern"), "{err}");
    let (third, err) = new("Dana Price", "Walsall");
    assert!(err.contains(&first) && err.contains(&second), "{err}");
    for other in [&first, &second] {
        let (code, _, err) = run(dd("alice", &path).args(["link", &third, other]));
        assert_eq!(code, 0, "{err}");
    }
    let (code, _, err) = run(dd("alice", &path).args(["link", &third, &first]));
    assert_eq!(code, 1);
    assert!(err.contains("already linked"), "{err}");
    let (_, out, _) = run(dd("alice", &path).args(["list", "--json"]));
    let v: serde_json::Value = serde_json::from_str(&out).unwrap();
    let row = v["items"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["reference"] == third.as_str())
        .unwrap();
    assert_eq!(row["linked_12m"], 2, "{row}");
}

/// A strategy discussion recorded on Friday 18 December 2026 sets the initial
/// child protection conference 15 working days on, past Christmas Day, the
/// Boxing Day substitute (Monday 28th) and New Year's Day: Wednesday 13
/// January 2027. An event no rule waits for is refused and changes nothing.
#[test]
fn a_strategy_discussion_sets_the_conference_deadline_over_christmas() {
    let dir = common::private_dir();
    let (path, _) = desk(dir.path());
    let at = "2026-12-18T10:00:00Z";
    let (code, reference, err) = run(dd("alice", &path).env("DUTYDESK_NOW", at).args([
        "new",
        "--subject",
        "child",
        "--name",
        "K. Morgan",
        "--area",
        "Leicester",
        "--category",
        "physical",
        "--risk",
        "high",
        "--summary",
        "Bruising on the arm seen in PE; disclosed at school.",
        "--words",
        "He said his dad hit him with a belt.",
        "--consent",
        "not-sought",
        "--consent-reason",
        "telling the family would put him at risk",
    ]));
    assert_eq!(code, 0, "{err}");
    let reference = reference.trim().to_string();
    let (code, out, err) = run(dd("alice", &path).env("DUTYDESK_NOW", at).args([
        "event",
        &reference,
        "strategy discussion",
        "--note",
        "Police and social care agreed a section 47 enquiry.",
    ]));
    assert_eq!(code, 0, "{err}");
    assert!(
        format!("{out}{err}").contains("1 deadline(s) set"),
        "{out}{err}"
    );
    let c = sql(&path);
    let due: i64 = c
        .query_row(
            "SELECT d.due_at FROM deadlines d JOIN deadline_rules r ON r.id = d.rule_id
             WHERE r.code = 'icpc'",
            [],
            |r| r.get(0),
        )
        .unwrap();
    assert_eq!(
        chrono::DateTime::from_timestamp(due, 0)
            .unwrap()
            .to_rfc3339(),
        "2027-01-13T17:00:00+00:00",
        "close of business on the 15th working day"
    );
    let body: String = c
        .query_row(
            "SELECT body FROM chronology WHERE kind = 'note' ORDER BY id DESC LIMIT 1",
            [],
            |r| r.get(0),
        )
        .unwrap();
    assert!(
        body.starts_with("Event recorded: strategy discussion held.")
            && body.ends_with("Sets: Initial child protection conference."),
        "{body}"
    );
    let before: i64 = c
        .query_row("SELECT count(*) FROM deadlines", [], |r| r.get(0))
        .unwrap();
    drop(c);
    let (code, _, err) = run(dd("alice", &path).env("DUTYDESK_NOW", at).args([
        "event",
        &reference,
        "case conference",
    ]));
    assert_eq!(code, 2, "an unknown event is bad input");
    assert!(
        err.contains("the events are strategy_discussion, icpc_held"),
        "{err}"
    );
    let after: i64 = sql(&path)
        .query_row("SELECT count(*) FROM deadlines", [], |r| r.get(0))
        .unwrap();
    assert_eq!(before, after);
}
