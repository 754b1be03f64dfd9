//! Review agendas from a crafted log on a fixed clock, holding a meeting,
//! roll-over, and refusals.

mod common;

use assert_cmd::Command;
use common::private_dir;
use std::path::Path;

fn dd(user: &str, path: &Path, now: &str) -> Command {
    let mut c = Command::cargo_bin("dutydesk").unwrap();
    c.env("DUTYDESK_USER", user)
        .env("DUTYDESK_DB", path)
        .env("DUTYDESK_NOW", now);
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

const T0: &str = "2026-11-02T10:00:00Z";

fn agenda(path: &Path, now: &str, code: &str) -> Vec<(String, String)> {
    let (c, out, err) = run(dd("alice", path, now).args(["reviews", "--json"]));
    assert_eq!(c, 0, "{err}");
    let v: serde_json::Value = serde_json::from_str(&out).unwrap();
    let s = v["items"]
        .as_array()
        .unwrap()
        .iter()
        .find(|s| s["code"] == code)
        .unwrap()
        .clone();
    s["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|i| {
            (
                i["reference"].as_str().unwrap().to_string(),
                i["kind"].as_str().unwrap().to_string(),
            )
        })
        .collect()
}

#[test]
fn the_agenda_comes_from_the_log_and_rolls_on() {
    let dir = private_dir();
    let path = dir.path().join("desk.db");
    let staff = [("alice", "alice", "dsl"), ("bob", "Bob", "dsl")];
    common::desk_db(&path, "Safeguarding duty desk", &staff, common::at(T0));
    let new = |now: &str, name: &str, risk: &str| {
        let (c, out, err) = run(dd("alice", &path, now).args([
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
            risk,
            "--summary",
            "s",
        ]));
        assert_eq!(c, 0, "{err}");
        out.trim().to_string()
    };
    // A: closed in the period. B: referred, no outcome. C: open 30 days. D: added by hand.
    let a = new(T0, "A", "low");
    let b = new(T0, "B", "low");
    let c = new("2026-10-01T10:00:00Z", "C", "low");
    let d = new(T0, "D", "low");
    assert_eq!(
        run(dd("alice", &path, "2026-11-03T10:00:00Z").args([
            "close",
            &a,
            "--outcome",
            "advice-given",
            "--rationale",
            "advice",
            // No words were recorded at intake: the written record is open.
            "--met",
            "written_record=made on the paper form"
        ]))
        .0,
        0
    );
    assert_eq!(
        run(dd("alice", &path, "2026-11-03T10:00:00Z")
            .args(["refer", &b, "--route", "children", "--shared", "summary"]))
        .0,
        0
    );
    let (code, _, err) = run(dd("alice", &path, "2026-11-03T10:00:00Z").args([
        "reviews",
        "add",
        &d,
        "--series",
        "log_review",
        "--reason",
        "pattern of missed visits",
    ]));
    assert_eq!(code, 0, "{err}");
    let items = agenda(&path, "2026-11-05T10:00:00Z", "log_review");
    let has = |r: &str, k: &str| items.contains(&(r.to_string(), k.to_string()));
    assert!(has(&a, "closed"), "{items:?}");
    assert!(has(&b, "no_outcome"), "{items:?}");
    assert!(has(&c, "long_open"), "{items:?}");
    assert!(has(&d, "manual"), "{items:?}");
    // Holding the meeting keeps the agenda; the hand-added item, not reviewed, rolls on.
    let (code, _, err) = run(dd("alice", &path, "2026-11-05T10:00:00Z").args([
        "reviews",
        "hold",
        "log_review",
        "--attendees",
        "alice, bob",
    ]));
    assert_eq!(code, 0, "{err}");
    assert!(err.contains("1 rolled"), "{err}");
    let (code, _, err) = run(dd("alice", &path, "2026-11-05T11:00:00Z").args([
        "reviews",
        "hold",
        "log_review",
        "--attendees",
        "alice",
    ]));
    assert_eq!(code, 1, "recorded twice: {err}");
    assert!(err.contains("already recorded as held today"), "{err}");
    let after = agenda(&path, "2026-11-06T10:00:00Z", "log_review");
    assert!(
        after.contains(&(d.clone(), "manual".into())),
        "rolled on: {after:?}"
    );
    assert!(
        !after.contains(&(a.clone(), "closed".into())),
        "closed before the last meeting: {after:?}"
    );
    // Recording a decision with an action.
    let (_, out, _) =
        run(dd("alice", &path, "2026-11-06T10:00:00Z").args(["reviews", "items", "log_review"]));
    let first: i64 = out.split_whitespace().next().unwrap().parse().unwrap();
    let (code, _, err) = run(dd("alice", &path, "2026-11-06T10:00:00Z").args([
        "reviews",
        "record",
        &first.to_string(),
        "--discussion",
        "late chase",
        "--decision",
        "chase weekly",
        "--action",
        "write to MASH",
        "--owner",
        "bob",
        "--due",
        "2026-11-20",
    ]));
    assert_eq!(code, 0, "{err}");
    let (code, _, err) = run(dd("alice", &path, "2026-11-06T10:00:00Z").args([
        "reviews",
        "record",
        "9999",
        "--discussion",
        "x",
        "--decision",
        "y",
    ]));
    assert_eq!(code, 1);
    assert!(err.contains("no review item"), "{err}");
}

#[test]
fn report_figures_and_export_from_a_crafted_log() {
    let dir = private_dir();
    let path = dir.path().join("desk.db");
    common::desk_db(
        &path,
        "Safeguarding duty desk",
        &[("alice", "alice", "dsl")],
        common::at(T0),
    );
    let new = |now: &str, subject: &str, cat: &str, area: &str| {
        let (c, out, err) = run(dd("alice", &path, now).args([
            "new",
            "--subject",
            subject,
            "--name",
            "P",
            "--area",
            area,
            "--category",
            cat,
            "--risk",
            "medium",
            "--summary",
            "s",
            "--words",
            "what they said",
        ]));
        assert_eq!(c, 0, "{err}");
        out.trim().to_string()
    };
    // October (before): 1 child neglect. November: 2 child neglect, 1 adult domestic.
    new("2026-10-10T10:00:00Z", "child", "neglect", "Rutland");
    let a = new("2026-11-03T10:00:00Z", "child", "neglect", "Rutland");
    new("2026-11-04T10:00:00Z", "child", "neglect", "Leicester");
    new("2026-11-05T10:00:00Z", "adult", "domestic", "Walsall");
    assert_eq!(
        run(dd("alice", &path, "2026-11-03T16:00:00Z")
            .args(["refer", &a, "--route", "children", "--shared", "x"]))
        .0,
        0
    );
    let (c, out, err) = run(dd("alice", &path, "2026-12-01T10:00:00Z").args([
        "report",
        "--from",
        "2026-11-01",
        "--to",
        "2026-11-30",
        "--json",
    ]));
    assert_eq!(c, 0, "{err}");
    let v: serde_json::Value = serde_json::from_str(&out).unwrap();
    assert_eq!(v["total"], 3);
    assert_eq!(v["total_before"], 1, "the month before: October");
    let table = |t: &str| {
        v["tables"]
            .as_array()
            .unwrap()
            .iter()
            .find(|x| x["title"] == t)
            .unwrap()
            .clone()
    };
    let subj = table("By subject");
    assert_eq!(subj["rows"][0]["key"], "child");
    assert_eq!(subj["rows"][0]["now"], 2);
    assert_eq!(subj["rows"][0]["before"], 1);
    assert_eq!(subj["rows"][0]["change"], 100.0);
    assert_eq!(table("By route of referral")["rows"][0]["key"], "children");
    assert_eq!(v["median_hours_to_refer"], 6.0);
    let (_, md, _) = run(dd("alice", &path, "2026-12-01T10:00:00Z").args([
        "report",
        "--from",
        "2026-11-01",
        "--to",
        "2026-11-30",
        "--suppress-under",
        "5",
    ]));
    assert!(md.contains("| neglect | [c] | [c] | - |"), "{md}");
    let (c, _, err) =
        run(dd("alice", &path, T0).args(["report", "--from", "2026-11-30", "--to", "2026-11-01"]));
    assert_eq!(c, 2);
    assert!(err.contains("before it starts"), "{err}");
    // One record for an agency, third parties redacted, audited.
    let (c, out, err) = run(dd("alice", &path, T0).args(["export", &a, "--redact-third-parties"]));
    assert_eq!(c, 0, "{err}");
    assert!(
        out.contains("what they said") && out.contains("[redacted]"),
        "{out}"
    );
    assert!(
        !out.contains("· alice ·"),
        "chronology authors are redacted: {out}"
    );
    let (_, trail, _) = run(dd("alice", &path, T0).args(["audit", &a]));
    assert!(trail.contains("export"), "{trail}");
}
