//! Alarms a DSL can believe (issue 15), end to end through the commands and
//! the store, on the real calendar with a fixed clock: the clock starts when
//! it happened, working-day deadlines end at close of business, what meets a
//! deadline is data (a route, the Nth referral, an event, an outcome), FGM as
//! the duty is written, closing never waives in silence, the one order of
//! urgency, and bad input refused with exit code 2 and nothing changed.

mod common;

use assert_cmd::Command;
use chrono::{DateTime, TimeZone, Utc};
use common::sql;
use dutydesk::domain::escalation::{AgeBand, Consent, LocationType, Risk, SubjectKind};
use dutydesk::store::escalations::{self, NewEscalation, Viewer, Which};
use dutydesk::store::{self as st, Create};
use std::path::{Path, PathBuf};

fn utc(y: i32, mo: u32, d: u32, h: u32, mi: u32) -> DateTime<Utc> {
    Utc.with_ymd_and_hms(y, mo, d, h, mi, 0).unwrap()
}

/// Monday 23 November 2026, 09:00 GMT.
const MON: &str = "2026-11-23T09:00:00Z";

fn desk(dir: &Path) -> PathBuf {
    let path = dir.join("desk.db");
    common::desk_db(
        &path,
        "Test",
        &[
            ("alice", "Alice Moore", "dsl"),
            ("bob", "Bob Day", "dsl"),
            ("sam", "Sam Lee", "senior"),
            ("vic", "Vic Viewer", "viewer"),
        ],
        common::at("2026-11-01T09:00:00Z"),
    );
    path
}

fn dd(user: &str, path: &Path, now: &str) -> Command {
    let mut c = Command::cargo_bin("dutydesk").unwrap();
    c.env("DUTYDESK_USER", user)
        .env("DUTYDESK_NOW", now)
        .env("DUTYDESK_DB", path)
        .env("DUTYDESK_CONFIG", "/dev/null");
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

fn ok(path: &Path, now: &str, args: &[&str]) -> String {
    let (code, out, err) = run(dd("alice", path, now).args(args));
    assert_eq!(code, 0, "{args:?}: {err}");
    format!("{out}{err}")
}

/// Refused as bad input: exit 2, the reason names `why`, nothing written.
fn bad(path: &Path, now: &str, args: &[&str], why: &str) {
    let before = audit_rows(path);
    let (code, _, err) = run(dd("alice", path, now).args(args));
    assert_eq!(code, 2, "{args:?}: {err}");
    assert!(err.contains(why), "{args:?}: {err}");
    assert_eq!(audit_rows(path), before, "{args:?} changed something");
}

fn audit_rows(path: &Path) -> i64 {
    sql(path)
        .query_row("SELECT count(*) FROM audit_log", [], |r| r.get(0))
        .unwrap()
}

fn new_case(path: &Path, now: &str, args: &[&str]) -> String {
    let mut all = vec![
        "new",
        "--risk",
        "medium",
        "--summary",
        "s",
        "--area",
        "Leicester",
    ];
    all.extend_from_slice(args);
    let (code, out, err) = run(dd("alice", path, now).args(&all));
    assert_eq!(code, 0, "{all:?}: {err}");
    out.trim().to_string()
}

fn show(path: &Path, now: &str, r: &str) -> serde_json::Value {
    let (code, out, err) = run(dd("alice", path, now).args(["show", r, "--json"]));
    assert_eq!(code, 0, "{err}");
    serde_json::from_str(&out).unwrap()
}

/// (label, due as RFC 3339 UK time, status) of a case's deadlines.
fn deadlines_of(path: &Path, now: &str, r: &str) -> Vec<(String, String, String)> {
    let (code, out, err) = run(dd("alice", path, now).args(["deadlines", "--json", "--all"]));
    assert_eq!(code, 0, "{err}");
    let v: serde_json::Value = serde_json::from_str(&out).unwrap();
    v["items"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|d| d["reference"] == r)
        .map(|d| {
            (
                d["label"].as_str().unwrap().to_string(),
                d["due_at"].as_str().unwrap().to_string(),
                d["status"].as_str().unwrap().to_string(),
            )
        })
        .collect()
}

fn status_of(list: &[(String, String, String)], label: &str) -> Vec<String> {
    list.iter()
        .filter(|d| d.0 == label)
        .map(|d| d.2.clone())
        .collect()
}

fn due_of(list: &[(String, String, String)], label: &str) -> String {
    list.iter()
        .find(|d| d.0 == label)
        .unwrap_or_else(|| panic!("no {label} in {list:?}"))
        .1
        .clone()
}

#[test]
fn a_disclosure_recorded_late_shows_as_late() {
    let dir = common::private_dir();
    let path = desk(dir.path());
    // Friday 15:00's disclosure about a member of staff, recorded on Monday
    // morning with no exact words.
    let r = new_case(
        &path,
        MON,
        &[
            "--subject",
            "staff",
            "--name",
            "P. Cole",
            "--category",
            "physical",
            "--occurred",
            "Fri 15:00",
            "--place",
            "the youth club",
        ],
    );
    let v = show(&path, MON, &r);
    assert_eq!(v["occurred_at"], "2026-11-20T15:00:00+00:00");
    assert_eq!(v["occurred_place"], "the youth club");
    let late = &v["practice"]["lateness"];
    assert_eq!(late["text"], "2d 18h after it happened", "{late}");
    assert_eq!(late["late"], true);
    assert_eq!(late["already_due"][0], "Written record of disclosure");
    // Counted from Friday: the written record was due Friday 23:59 (already
    // overdue); the LADO at Monday's close, not Tuesday's.
    let d = deadlines_of(&path, MON, &r);
    assert_eq!(
        due_of(&d, "Written record of disclosure"),
        "2026-11-20T23:59:00+00:00"
    );
    assert_eq!(status_of(&d, "Written record of disclosure"), ["overdue"]);
    assert_eq!(due_of(&d, "LADO referral"), "2026-11-23T17:00:00+00:00");
    let chronology: Vec<String> = v["chronology"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["body"].as_str().unwrap().to_string())
        .collect();
    assert!(
        chronology
            .iter()
            .any(|b| b.starts_with("Recorded 2d 18h after it happened")
                && b.contains("the youth club")
                && b.contains("Recorded late")),
        "{chronology:?}"
    );
    let (_, text, _) = run(dd("alice", &path, MON).args(["show", &r]));
    assert!(text.contains("RECORDED LATE"), "{text}");
    // Recorded at once (the default): not late, and the words meet the record.
    let r2 = new_case(
        &path,
        MON,
        &[
            "--subject",
            "child",
            "--name",
            "K. Shaw",
            "--category",
            "neglect",
            "--words",
            "nobody feeds us",
        ],
    );
    let v = show(&path, MON, &r2);
    assert!(v["practice"]["lateness"].is_null(), "{v}");
    assert_eq!(
        status_of(
            &deadlines_of(&path, MON, &r2),
            "Written record of disclosure"
        ),
        ["met"]
    );
    // When it happened cannot be in the future, nor after the recording.
    let cases = || -> i64 {
        sql(&path)
            .query_row("SELECT count(*) FROM escalations", [], |x| x.get(0))
            .unwrap()
    };
    let before = cases();
    for when in ["24/11/2026 10:00", "10:00", "tomorrow 09:00", "20/11/2026"] {
        bad(
            &path,
            MON,
            &[
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
                "--occurred",
                when,
            ],
            "--occurred",
        );
    }
    assert_eq!(cases(), before);
}

#[test]
fn routes_events_and_outcomes_meet_what_their_rules_say() {
    let dir = common::private_dir();
    let path = desk(dir.path());
    let t = "2026-11-23T10:00:00Z";
    let r = new_case(
        &path,
        t,
        &[
            "--subject",
            "child",
            "--name",
            "K. Morgan",
            "--category",
            "physical",
            "--words",
            "he hit me",
        ],
    );
    ok(
        &path,
        t,
        &[
            "refer",
            &r,
            "--route",
            "children",
            "--shared",
            "the account",
        ],
    );
    let chase = "Children's social care decision (chase)";
    assert_eq!(
        due_of(&deadlines_of(&path, t, &r), chase),
        "2026-11-24T17:00:00+00:00"
    );
    // An outcome that is not the route's, or a route with nothing awaited.
    bad(
        &path,
        t,
        &[
            "outcome",
            &r,
            "--route",
            "children",
            "--outcome",
            "accepted",
        ],
        "accepted_for_assessment, strategy_s47 (strategy discussion / s47 enquiry)",
    );
    bad(
        &path,
        t,
        &[
            "outcome",
            &r,
            "--route",
            "lado",
            "--outcome",
            "substantiated",
        ],
        "no referral to lado awaiting an outcome",
    );
    bad(
        &path,
        t,
        &[
            "outcome",
            &r,
            "--referral",
            "99",
            "--outcome",
            "advice_given",
        ],
        "no referral #99",
    );
    bad(
        &path,
        t,
        &[
            "outcome",
            &r,
            "--route",
            "children",
            "--outcome",
            "strategy-s47",
            "--removed",
        ],
        "LADO",
    );
    let said = ok(
        &path,
        "2026-11-24T11:00:00Z",
        &[
            "outcome",
            &r,
            "--route",
            "children",
            "--outcome",
            "strategy-s47",
        ],
    );
    assert!(said.contains("strategy discussion / s47 enquiry"), "{said}");
    assert_eq!(status_of(&deadlines_of(&path, t, &r), chase), ["met"]);
    let v = show(&path, t, &r);
    assert_eq!(v["practice"]["referrals"][0]["outcome"], "strategy_s47");
    // Once only.
    let (code, _, err) = run(dd("alice", &path, t).args([
        "outcome",
        &r,
        "--referral",
        "1",
        "--outcome",
        "no_further_action",
    ]));
    assert_eq!(code, 1, "{err}");
    assert!(err.contains("already has its outcome"), "{err}");
    // A strategy discussion sets the ICPC at close of the 15th working day;
    // a second one keeps it.
    ok(&path, t, &["event", &r, "strategy_discussion"]);
    let icpc = "Initial child protection conference";
    assert_eq!(
        due_of(&deadlines_of(&path, t, &r), icpc),
        "2026-12-14T17:00:00+00:00"
    );
    let said = ok(
        &path,
        "2026-11-30T10:00:00Z",
        &["event", &r, "strategy-discussion"],
    );
    assert!(said.contains("kept as already open"), "{said}");
    assert_eq!(status_of(&deadlines_of(&path, t, &r), icpc), ["ok"]);
    // The ICPC held meets it and sets the first review three months on,
    // from when it was held.
    let held = "2026-12-10T15:00:00Z";
    ok(
        &path,
        held,
        &["event", &r, "icpc_held", "--at", "10/12/2026 14:00"],
    );
    let d = deadlines_of(&path, held, &r);
    assert_eq!(status_of(&d, icpc), ["met"]);
    let first = "First review child protection conference";
    assert_eq!(due_of(&d, first), "2027-03-10T14:00:00+00:00");
    // Each review conference meets the review due and sets the next at six
    // months (in BST by then).
    let review = "2027-03-09T10:00:00Z";
    ok(&path, review, &["event", &r, "review_conference_held"]);
    let d = deadlines_of(&path, review, &r);
    assert_eq!(status_of(&d, first), ["met"]);
    assert_eq!(
        due_of(&d, "Next review child protection conference"),
        "2027-09-09T10:00:00+01:00"
    );
    // An event the desk does not know, or one held in the future: bad input.
    bad(
        &path,
        review,
        &["event", &r, "case_conference"],
        "the events are",
    );
    bad(
        &path,
        review,
        &[
            "event",
            &r,
            "review_conference_held",
            "--at",
            "10/03/2027 10:00",
        ],
        "future",
    );
}

#[test]
fn the_home_office_follow_up_is_met_by_the_second_report() {
    let dir = common::private_dir();
    let path = desk(dir.path());
    let r = new_case(
        &path,
        MON,
        &[
            "--subject",
            "adult",
            "--name",
            "R. Price",
            "--category",
            "domestic",
            "--critical",
            "--words",
            "he said he would kill me",
        ],
    );
    let shared = ["--shared", "Annex B form"];
    ok(
        &path,
        MON,
        &[&["refer", &r, "--route", "home-office"][..], &shared].concat(),
    );
    let d = deadlines_of(&path, MON, &r);
    assert_eq!(status_of(&d, "Home Office initial report"), ["met"]);
    assert_eq!(status_of(&d, "Home Office follow-up report"), ["ok"]);
    ok(
        &path,
        "2026-11-25T09:00:00Z",
        &[&["refer", &r, "--route", "home-office"][..], &shared].concat(),
    );
    let d = deadlines_of(&path, MON, &r);
    assert_eq!(status_of(&d, "Home Office follow-up report"), ["met"]);
}

#[test]
fn a_lado_allegation_concluded_with_removal_prompts_the_dbs_duty() {
    let dir = common::private_dir();
    let path = desk(dir.path());
    let r = new_case(
        &path,
        MON,
        &[
            "--subject",
            "staff",
            "--name",
            "T. Grant",
            "--category",
            "physical",
            "--words",
            "the coach hit him",
        ],
    );
    ok(
        &path,
        MON,
        &["refer", &r, "--route", "lado", "--shared", "the account"],
    );
    assert_eq!(
        status_of(&deadlines_of(&path, MON, &r), "LADO referral"),
        ["met"]
    );
    let said = ok(
        &path,
        "2026-12-14T11:00:00Z",
        &[
            "outcome",
            &r,
            "--route",
            "lado",
            "--outcome",
            "substantiated",
            "--removed",
        ],
    );
    assert!(said.contains("DBS barring referral duty applies"), "{said}");
    let d = deadlines_of(&path, MON, &r);
    assert_eq!(
        due_of(&d, "DBS barring referral (legal duty)"),
        "2027-01-14T11:00:00+00:00"
    );
    ok(
        &path,
        "2026-12-15T11:00:00Z",
        &[
            "refer",
            &r,
            "--route",
            "dbs",
            "--shared",
            "the referral form",
        ],
    );
    assert_eq!(
        status_of(
            &deadlines_of(&path, MON, &r),
            "DBS barring referral (legal duty)"
        ),
        ["met"]
    );
    // Closed and signed off, the agency's decision is on the review agenda.
    let t = "2026-12-16T10:00:00Z";
    ok(
        &path,
        t,
        &[
            "close",
            &r,
            "--outcome",
            "lado-concluded",
            "--rationale",
            "concluded",
        ],
    );
    let version = show(&path, t, &r)["escalation"]["version"]
        .as_i64()
        .unwrap()
        .to_string();
    let (code, _, err) = run(dd("bob", &path, t).args([
        "signoff",
        &r,
        "--approve",
        "--version",
        &version,
        "--reason",
        "agreed",
    ]));
    assert_eq!(code, 0, "{err}");
    let (_, out, _) = run(dd("alice", &path, "2026-12-17T10:00:00Z").args(["reviews", "--json"]));
    assert!(out.contains("decisions: LADO substantiated"), "{out}");
}

#[test]
fn fgm_is_a_personal_duty_to_report_known_fgm() {
    let dir = common::private_dir();
    let path = desk(dir.path());
    let fgm = |extra: &[&str]| -> Vec<String> {
        let mut a: Vec<String> = [
            "new",
            "--subject",
            "child",
            "--name",
            "A. Girl",
            "--area",
            "Leicester",
            "--category",
            "fgm",
            "--risk",
            "high",
            "--summary",
            "s",
            "--words",
            "she told her teacher",
        ]
        .iter()
        .map(|s| s.to_string())
        .collect();
        a.extend(extra.iter().map(|s| s.to_string()));
        a
    };
    // Known or at risk must be said.
    let args = fgm(&[]);
    let args: Vec<&str> = args.iter().map(String::as_str).collect();
    bad(&path, MON, &args, "known");
    // Known, seen by a teacher on Friday at 16:00: the police told by close
    // of the next working day (Monday 17:00), a month at most (20 Dec 16:00).
    let args = fgm(&["--fgm", "known", "--occurred", "20/11/2026 16:00"]);
    let args: Vec<&str> = args.iter().map(String::as_str).collect();
    let (code, out, err) = run(dd("alice", &path, MON).args(&args));
    assert_eq!(code, 0, "{err}");
    let r = out.trim().to_string();
    let next_day = "FGM: police told (Home Office: by close of next working day)";
    let limit = "FGM: police told (legal limit, 1 month)";
    let d = deadlines_of(&path, MON, &r);
    assert_eq!(due_of(&d, next_day), "2026-11-23T17:00:00+00:00");
    assert_eq!(due_of(&d, limit), "2026-12-20T16:00:00+00:00");
    // The DSL's own police referral does not meet the personal duty.
    ok(
        &path,
        MON,
        &["refer", &r, "--route", "police", "--shared", "the account"],
    );
    let d = deadlines_of(&path, MON, &r);
    assert_eq!(status_of(&d, next_day), ["ok"], "still open, not met");
    assert_eq!(status_of(&d, limit), ["ok"]);
    // The teacher's report, with the police reference, does.
    ok(
        &path,
        "2026-11-23T12:00:00Z",
        &[
            "fgm-reported",
            &r,
            "--by",
            "Class teacher",
            "--police-reference",
            "PR-2026-123",
            "--at",
            "11:30",
        ],
    );
    let d = deadlines_of(&path, MON, &r);
    assert_eq!(status_of(&d, next_day), ["met"]);
    assert_eq!(status_of(&d, limit), ["met"]);
    let v = show(&path, MON, &r);
    assert_eq!(v["practice"]["fgm"], "known");
    assert_eq!(v["practice"]["fgm_report"]["reported_by"], "Class teacher");
    assert_eq!(
        v["practice"]["fgm_report"]["police_reference"],
        "PR-2026-123"
    );
    // At risk: no police duty deadline, and no report to record.
    let args = fgm(&["--fgm", "at-risk"]);
    let args: Vec<&str> = args.iter().map(String::as_str).collect();
    let (_, out, _) = run(dd("alice", &path, MON).args(&args));
    let at_risk = out.trim().to_string();
    assert!(
        deadlines_of(&path, MON, &at_risk)
            .iter()
            .all(|d| !d.0.starts_with("FGM"))
    );
    bad(
        &path,
        MON,
        &[
            "fgm-reported",
            &at_risk,
            "--by",
            "x",
            "--police-reference",
            "y",
        ],
        "not recorded as known FGM",
    );
}

#[test]
fn closing_needs_a_choice_for_each_deadline_and_reopening_restores_waivers() {
    let dir = common::private_dir();
    let path = desk(dir.path());
    let r = new_case(
        &path,
        MON,
        &[
            "--subject",
            "staff",
            "--name",
            "D. Hale",
            "--category",
            "emotional",
            "--critical",
            "--words",
            "he shouted at us",
        ],
    );
    let close = |extra: &[&str]| -> Vec<String> {
        let mut a: Vec<String> = [
            "close",
            &r,
            "--outcome",
            "advice-given",
            "--rationale",
            "handled in-house",
        ]
        .iter()
        .map(|s| s.to_string())
        .collect();
        a.extend(extra.iter().map(|s| s.to_string()));
        a
    };
    let args = close(&[]);
    let args: Vec<&str> = args.iter().map(String::as_str).collect();
    // Without a choice for each open deadline: each is listed, nothing closes.
    let before = audit_rows(&path);
    let (code, _, err) = run(dd("alice", &path, MON).args(&args));
    assert_eq!(code, 2, "{err}");
    for l in [
        "LADO referral (lado_referral, #",
        "Home Office initial report (home_office_initial, #",
        "Home Office follow-up report (home_office_followup, #",
        "--keep RULE",
    ] {
        assert!(err.contains(l), "{l}: {err}");
    }
    assert_eq!(audit_rows(&path), before);
    // A waiver without a reason, or a choice for a deadline not open.
    let args = close(&[
        "--keep",
        "lado_referral",
        "--met",
        "home_office_initial",
        "--waive",
        "home_office_followup=",
    ]);
    let args: Vec<&str> = args.iter().map(String::as_str).collect();
    bad(&path, MON, &args, "only with the reason");
    let args = close(&[
        "--keep",
        "lado_referral",
        "--met",
        "home_office_initial",
        "--waive",
        "home_office_followup=the Home Office asked for no follow-up",
        "--keep",
        "icpc",
    ]);
    let args: Vec<&str> = args.iter().map(String::as_str).collect();
    bad(&path, MON, &args, "icpc is not an open deadline");
    // Each choice.
    let args = close(&[
        "--keep",
        "lado_referral",
        "--met",
        "home_office_initial=reported by phone",
        "--waive",
        "home_office_followup=the Home Office asked for no follow-up",
    ]);
    let args: Vec<&str> = args.iter().map(String::as_str).collect();
    ok(&path, MON, &args);
    let d = deadlines_of(&path, MON, &r);
    assert_eq!(status_of(&d, "LADO referral"), ["ok"], "kept open");
    assert_eq!(status_of(&d, "Home Office initial report"), ["met"]);
    assert_eq!(status_of(&d, "Home Office follow-up report"), ["waived"]);
    let v = show(&path, MON, &r);
    let closed = v["chronology"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["kind"] == "closed")
        .unwrap()["body"]
        .as_str()
        .unwrap()
        .to_string();
    assert!(
        closed.contains("LADO referral kept open")
            && closed.contains("Home Office initial report met (reported by phone)")
            && closed.contains("Home Office follow-up report waived: the Home Office asked"),
        "{closed}"
    );
    // Re-opening restores what the closure waived, and only that.
    let said = ok(&path, MON, &["reopen", &r, "--reason", "new information"]);
    assert!(
        said.contains("1 deadline(s) the closure waived are open again"),
        "{said}"
    );
    let d = deadlines_of(&path, MON, &r);
    assert_eq!(status_of(&d, "Home Office follow-up report"), ["ok"]);
    assert_eq!(status_of(&d, "Home Office initial report"), ["met"]);
    assert_eq!(status_of(&d, "LADO referral"), ["ok"]);
}

#[test]
fn a_closure_awaiting_sign_off_keeps_its_choices_until_approved() {
    let dir = common::private_dir();
    let path = desk(dir.path());
    let r = new_case(
        &path,
        MON,
        &[
            "--subject",
            "staff",
            "--name",
            "M. Ross",
            "--category",
            "emotional",
            "--words",
            "words",
        ],
    );
    ok(
        &path,
        MON,
        &["refer", &r, "--route", "lado", "--shared", "x"],
    );
    ok(
        &path,
        MON,
        &["event", &r, "removed_from_regulated_activity"],
    );
    let said = ok(
        &path,
        MON,
        &[
            "close",
            &r,
            "--outcome",
            "lado-concluded",
            "--rationale",
            "concluded",
            "--waive",
            "dbs_referral=the person was never employed here",
        ],
    );
    assert!(said.contains("sign-off"), "{said}");
    // Still open until signed off.
    let d = deadlines_of(&path, MON, &r);
    assert_eq!(status_of(&d, "DBS barring referral (legal duty)"), ["ok"]);
    let v = show(&path, MON, &r);
    let version = v["escalation"]["version"].as_i64().unwrap().to_string();
    let (code, _, err) = run(dd("bob", &path, MON).args([
        "signoff",
        &r,
        "--approve",
        "--version",
        &version,
        "--reason",
        "agreed",
    ]));
    assert_eq!(code, 0, "{err}");
    let d = deadlines_of(&path, MON, &r);
    assert_eq!(
        status_of(&d, "DBS barring referral (legal duty)"),
        ["waived"]
    );
}

#[test]
fn deadlines_are_met_and_waived_from_the_command_line() {
    let dir = common::private_dir();
    let path = desk(dir.path());
    let r = new_case(
        &path,
        MON,
        &[
            "--subject",
            "staff",
            "--name",
            "Q. Fox",
            "--category",
            "physical",
        ],
    );
    bad(
        &path,
        MON,
        &["deadline", "met", &r, "lado"],
        "no open deadline \"lado\"",
    );
    bad(
        &path,
        MON,
        &["deadline", "waive", &r, "written_record", "--reason", " "],
        "only with the reason",
    );
    ok(
        &path,
        MON,
        &[
            "deadline",
            "met",
            &r,
            "lado_referral",
            "--note",
            "rang them",
        ],
    );
    ok(
        &path,
        MON,
        &[
            "deadline",
            "waive",
            &r,
            "written_record",
            "--reason",
            "on the paper form",
        ],
    );
    let d = deadlines_of(&path, MON, &r);
    assert_eq!(status_of(&d, "LADO referral"), ["met"]);
    assert_eq!(status_of(&d, "Written record of disclosure"), ["waived"]);
    // A viewer may not.
    let (code, _, err) = run(dd("vic", &path, MON).args(["deadline", "met", &r, "1"]));
    assert_ne!(code, 0, "{err}");
}

#[test]
fn settings_and_rules_are_checked_before_anything_is_written() {
    let dir = common::private_dir();
    let path = desk(dir.path());
    bad(
        &path,
        MON,
        &["settings", "set", "ack_minutes", "five"],
        "1 to 1440",
    );
    bad(
        &path,
        MON,
        &["settings", "set", "ack_minutes", "0"],
        "1 to 1440",
    );
    bad(
        &path,
        MON,
        &["settings", "set", "closure_outcomes", " , "],
        "at least one outcome",
    );
    bad(
        &path,
        MON,
        &["settings", "set", "working_hours", "24/7"],
        "close of business",
    );
    bad(
        &path,
        MON,
        &["settings", "set", "deadline_counting", "end_of_day"],
        "rules set",
    );
    ok(
        &path,
        MON,
        &["settings", "set", "working_hours", "Mon-Fri 08:30-16:30"],
    );
    let (_, out, _) = run(dd("alice", &path, MON).args(["settings", "list"]));
    assert!(
        out.contains("working_hours      Mon-Fri 08:30-16:30"),
        "{out}"
    );
    let rule = |m: &str, unit: &str, counting: &str| -> Vec<String> {
        [
            "rules",
            "set",
            "local_rule",
            "--name",
            "Local",
            "--on",
            "escalation_opened",
            "--match",
            m,
            "--amount",
            "1",
            "--unit",
            unit,
            "--counting",
            counting,
        ]
        .iter()
        .map(|s| s.to_string())
        .collect()
    };
    for (args, why) in [
        (
            rule("category:fmg+subject:child", "working_days", "same_time"),
            "physical, emotional, sexual, neglect",
        ),
        (
            rule("route:ladoo", "working_days", "same_time"),
            "children, adults, lado",
        ),
        (
            rule("any", "calendar_days", "end_of_working_day"),
            "end_of_working_day counts working days",
        ),
        (
            rule("any", "working_days", "working_hours"),
            "working_hours counts hours",
        ),
    ] {
        let args: Vec<&str> = args.iter().map(String::as_str).collect();
        bad(&path, MON, &args, why);
    }
    // The organisation's working hours move a working-day deadline's close.
    let r = new_case(
        &path,
        MON,
        &[
            "--subject",
            "staff",
            "--name",
            "W. Hunt",
            "--category",
            "physical",
            "--words",
            "w",
        ],
    );
    assert_eq!(
        due_of(&deadlines_of(&path, MON, &r), "LADO referral"),
        "2026-11-24T16:30:00+00:00"
    );
}

/// A desk crafted with a case in every band, read through the store: the
/// queue, its windows and each case's position follow the pure order.
#[test]
fn the_queue_follows_the_order_of_urgency() {
    use dutydesk::domain::urgency::{Input, Tier, sort, tier};
    let dir = common::private_dir();
    let path = desk(dir.path());
    let mut s = st::open(&path, Create::No).unwrap();
    let now = utc(2026, 11, 23, 9, 0);
    let case = |kind: SubjectKind, risk: Risk, raised: DateTime<Utc>, occurred: DateTime<Utc>| {
        NewEscalation {
            subject_kind: kind,
            subject_name: format!("Case {}", raised.timestamp()),
            subject_dob: None,
            age_band: AgeBand::Unknown,
            area: "Leicester".into(),
            location_type: LocationType::Community,
            risk,
            raised_by: "Youth worker".into(),
            raised_by_role: None,
            raised_by_contact: None,
            imported: false,
            raised_at: raised,
            occurred_at: Some(occurred),
            occurred_place: None,
            exact_words: "words".into(),
            appearance: None,
            consent: Consent::Given,
            consent_reason: None,
            immediate_risk: false,
            critical_incident: false,
            restricted: false,
            categories: vec!["neglect".into()],
            fgm: None,
            low_level: false,
            work_area: None,
            works_with: None,
        }
    };
    let mut make = |e: NewEscalation, called: bool, ack: bool| -> i64 {
        let at = e.raised_at;
        s.write("alice", at, |w| {
            let d = st::workflow::create(w, &e, called, &Default::default())?;
            if ack {
                st::workflow::acknowledge(w, d.id, None, false)?;
            }
            Ok(d.id)
        })
        .unwrap()
    };
    let m = |n: i64| now - chrono::Duration::minutes(n);
    // Life at risk, no 999 call, two minutes old.
    let mut e = case(SubjectKind::Child, Risk::High, m(2), m(3));
    e.immediate_risk = true;
    let life = make(e, false, false);
    // Life at risk with the call made, acknowledged long ago.
    let mut e = case(SubjectKind::Child, Risk::High, m(3000), m(3000));
    e.immediate_risk = true;
    let called = make(e, true, true);
    // Unacknowledged for 40 minutes; another only 5 (within its 15).
    let unacked = make(
        case(SubjectKind::Adult, Risk::Low, m(40), m(40)),
        false,
        false,
    );
    let fresh = make(
        case(SubjectKind::Adult, Risk::Medium, m(5), m(5)),
        false,
        false,
    );
    // Overdue: an allegation that happened last Thursday, recorded now.
    let overdue = make(
        case(
            SubjectKind::Staff,
            Risk::Low,
            m(60),
            utc(2026, 11, 19, 10, 0),
        ),
        false,
        true,
    );
    // Due soon: a critical incident on Sunday at noon (report due Monday noon).
    let mut e = case(
        SubjectKind::Adult,
        Risk::Low,
        utc(2026, 11, 22, 12, 30),
        utc(2026, 11, 22, 12, 0),
    );
    e.critical_incident = true;
    let soon = make(e, false, true);
    // The rest: high risk, no deadline; medium with the LADO due Tuesday; low.
    let high = make(
        case(SubjectKind::Child, Risk::High, m(500), m(500)),
        false,
        true,
    );
    let medium = make(
        case(SubjectKind::Staff, Risk::Medium, m(30), m(30)),
        false,
        true,
    );
    let low = make(
        case(SubjectKind::Adult, Risk::Low, m(700), m(700)),
        false,
        true,
    );
    let me = st::staff::find(&s, "alice").unwrap().unwrap();
    let viewer = Viewer::from(&me);
    let listed = escalations::list(&s, viewer, now, Which::Open, &Default::default()).unwrap();
    let ids: Vec<i64> = listed.iter().map(|e| e.id).collect();
    assert_eq!(
        ids,
        vec![
            life, unacked, overdue, soon, called, high, medium, fresh, low
        ],
        "{listed:#?}"
    );
    // The store's order is the pure function's.
    let mut inputs: Vec<Input> = listed.iter().map(Input::of).collect();
    sort(&mut inputs, now, 15);
    assert_eq!(inputs.iter().map(|i| i.id).collect::<Vec<_>>(), ids);
    let tiers: Vec<Tier> = listed
        .iter()
        .map(|e| tier(&Input::of(e), now, 15))
        .collect();
    assert_eq!(
        &tiers[..4],
        &[
            Tier::LifeAtRisk,
            Tier::Unacknowledged,
            Tier::Overdue,
            Tier::DueSoon
        ]
    );
    // Pages of any size across the bands give the same order; each case's
    // position (kept selection) is its place in it.
    for size in [1, 2, 3, 4] {
        let mut paged = Vec::new();
        let mut offset = 0;
        loop {
            let page = escalations::open_page(&s, viewer, now, offset, size).unwrap();
            if page.is_empty() {
                break;
            }
            offset += page.len() as i64;
            paged.extend(page.into_iter().map(|e| e.id));
        }
        assert_eq!(paged, ids, "pages of {size}");
    }
    let total = ids.len() as i64;
    for (i, id) in ids.iter().enumerate() {
        for near_end in [None, Some(total)] {
            assert_eq!(
                escalations::position(&s, viewer, now, *id, near_end).unwrap(),
                Some(i as i64),
                "position of {id} ({near_end:?})"
            );
        }
    }
    // The 999 call recorded later moves the case down to its risk.
    s.write("bob", now, |w| {
        st::workflow::record_999(w, life, Some(now - chrono::Duration::minutes(1)), "", None)
    })
    .unwrap();
    let ids: Vec<i64> = escalations::list(&s, viewer, now, Which::Open, &Default::default())
        .unwrap()
        .iter()
        .map(|e| e.id)
        .collect();
    assert_eq!(ids[0], unacked);
    // Once an hour has passed it is unacknowledged past its five minutes.
    let later = now + chrono::Duration::hours(1);
    let ids: Vec<i64> = escalations::list(&s, viewer, later, Which::Open, &Default::default())
        .unwrap()
        .iter()
        .map(|e| e.id)
        .collect();
    assert_eq!(&ids[..3], &[unacked, fresh, life], "{ids:?}");
}

#[test]
fn the_999_call_is_recorded_later_from_the_command_line() {
    let dir = common::private_dir();
    let path = desk(dir.path());
    let r = new_case(
        &path,
        MON,
        &[
            "--subject",
            "child",
            "--name",
            "L. Day",
            "--category",
            "physical",
            "--immediate-risk",
            "--words",
            "he has a knife",
        ],
    );
    let (_, text, _) = run(dd("alice", &path, MON).args(["show", &r]));
    assert!(
        text.contains("LIFE AT RISK: NO 999 CALL RECORDED"),
        "{text}"
    );
    bad(&path, MON, &["called-999", &r, "--at", "10:00"], "future");
    ok(
        &path,
        MON,
        &["called-999", &r, "--at", "08:58", "--note", "CAD 123"],
    );
    let v = show(&path, MON, &r);
    assert_eq!(
        v["practice"]["emergency_called_at"],
        "2026-11-23T08:58:00+00:00"
    );
    assert_eq!(v["escalation"]["emergency_called"], true);
    let (code, _, err) = run(dd("alice", &path, MON).args(["called-999", &r]));
    assert_eq!(code, 1, "{err}");
    assert!(err.contains("already recorded"), "{err}");
}

/// A database at schema 5 with the rules the desk used to seed migrates to
/// exactly the rules a new database starts with.
#[test]
fn a_v5_desk_migrates_to_the_seeded_rules() {
    let dir = common::private_dir();
    let fresh = desk(dir.path());
    let old = dir.path().join("old.db");
    {
        let c = sql(&old);
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(&old, std::fs::Permissions::from_mode(0o660)).unwrap();
        c.execute_batch(
            &std::fs::read_to_string(concat!(
                env!("CARGO_MANIFEST_DIR"),
                "/tests/fixtures/schema-v5.sql"
            ))
            .unwrap(),
        )
        .unwrap();
        c.execute_batch(
            "INSERT INTO deadline_rules (code, name, trigger_event, trigger_match, offset_amount, offset_unit, warn_minutes) VALUES
             ('home_office_initial', 'Home Office initial report', 'escalation_opened', 'critical_incident', 1, 'calendar_days', 240),
             ('home_office_followup', 'Home Office follow-up report', 'escalation_opened', 'critical_incident', 3, 'calendar_days', 240),
             ('lado_referral', 'LADO referral', 'escalation_opened', 'subject:staff', 1, 'working_days', 240),
             ('childrens_decision', 'Children''s social care decision (chase)', 'referral_made', 'route:children', 1, 'working_days', 240),
             ('icpc', 'Initial child protection conference', 'event_recorded', 'strategy_discussion', 15, 'working_days', 1440),
             ('fgm_police', 'FGM report to police', 'escalation_opened', 'category:fgm+subject:child', 1, 'calendar_months', 1440),
             ('nrm_decision', 'NRM reasonable-grounds decision', 'referral_made', 'route:nrm', 5, 'calendar_days', 1440),
             ('written_record', 'Written record of disclosure', 'escalation_opened', 'any', 0, 'same_day', 240),
             ('s42_decision', 'Section 42 decision', 'referral_made', 'route:adults', 2, 'working_days', 240);
             INSERT INTO settings (key, value) VALUES ('deadline_counting', 'end_of_day');",
        )
        .unwrap();
        c.pragma_update(None, "user_version", 5).unwrap();
    }
    let migrated = st::open(&old, Create::No).unwrap();
    let rules = |p: &Path| -> Vec<String> {
        let c = sql(p);
        let mut stmt = c
            .prepare(
                "SELECT code, name, trigger_event, trigger_match, offset_amount, offset_unit,
                    warn_minutes, active, counts_from, counting, meets, repeats
                 FROM deadline_rules ORDER BY code",
            )
            .unwrap();
        stmt.query_map([], |r| {
            let mut cols = Vec::new();
            for i in 0..12 {
                cols.push(format!("{:?}", r.get::<_, rusqlite::types::Value>(i)?));
            }
            Ok(cols.join(" | "))
        })
        .unwrap()
        .map(Result::unwrap)
        .collect()
    };
    assert_eq!(rules(&old), rules(&fresh));
    assert_eq!(
        st::settings::get(&migrated, "deadline_counting").unwrap(),
        None,
        "the retired setting is gone"
    );
}

/// A red first response of 4 working hours, written as a rule matching risk:
/// Friday 15:00 is due Monday 11:00, and acknowledging meets it.
#[test]
fn first_response_times_by_risk_are_rules_in_working_hours() {
    let dir = common::private_dir();
    let path = desk(dir.path());
    ok(
        &path,
        MON,
        &[
            "rules",
            "set",
            "first_response_red",
            "--name",
            "First response (red)",
            "--on",
            "escalation_opened",
            "--match",
            "risk:high",
            "--amount",
            "4",
            "--unit",
            "hours",
            "--counting",
            "working_hours",
            "--met-by",
            "acknowledged",
            "--warn",
            "60",
        ],
    );
    let fri = "2026-11-20T15:00:00+00:00";
    let (code, out, err) = run(dd("alice", &path, fri).args([
        "new",
        "--subject",
        "child",
        "--name",
        "R. Red",
        "--area",
        "Leicester",
        "--category",
        "neglect",
        "--risk",
        "high",
        "--summary",
        "s",
        "--words",
        "w",
    ]));
    assert_eq!(code, 0, "{err}");
    let r = out.trim().to_string();
    let d = deadlines_of(&path, fri, &r);
    assert_eq!(
        due_of(&d, "First response (red)"),
        "2026-11-23T11:00:00+00:00"
    );
    // Due soon from Monday 10:00, an hour of working time before.
    let at = |t: &str| status_of(&deadlines_of(&path, t, &r), "First response (red)");
    assert_eq!(at("2026-11-23T09:59:00Z"), ["ok"]);
    assert_eq!(at("2026-11-23T10:00:00Z"), ["due_soon"]);
    ok(&path, "2026-11-23T09:30:00Z", &["ack", &r]);
    assert_eq!(at("2026-11-23T09:30:00Z"), ["met"]);
    // A medium case is not matched.
    let (_, out, _) = run(dd("alice", &path, fri).args([
        "new",
        "--subject",
        "child",
        "--name",
        "A. Amber",
        "--area",
        "Leicester",
        "--category",
        "neglect",
        "--risk",
        "medium",
        "--summary",
        "s",
    ]));
    assert!(
        status_of(
            &deadlines_of(&path, fri, out.trim()),
            "First response (red)"
        )
        .is_empty()
    );
}
