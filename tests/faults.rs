//! Faults a tester found on issues 15 and 17, each fixed for its whole
//! kind, through the real binary on the demo desk (its public contacts, the
//! real England and Wales bank holidays) at fixed moments: working hours
//! from the receiving office, events counted from when they were held,
//! deadlines that can be met, outcomes on agendas, categories that rules
//! need, routing gaps, the contacts import's dry run, and small things.

mod common;

use assert_cmd::Command;
use std::path::{Path, PathBuf};

/// Thursday 3 December 2026, 10:00 GMT.
const THU: &str = "2026-12-03T10:00:00Z";

fn dd(path: &Path, user: &str, now: &str) -> Command {
    let mut c = Command::cargo_bin("dutydesk").unwrap();
    c.env("DUTYDESK_USER", user)
        .env("DUTYDESK_DB", path)
        .env("DUTYDESK_CONFIG", path.with_extension("toml"))
        .env("DUTYDESK_NOW", now);
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

/// Runs as alice (a DSL) and expects success; stdout and stderr together.
fn ok(path: &Path, now: &str, args: &[&str]) -> String {
    let (code, out, err) = run(dd(path, "alice", now).args(args));
    assert_eq!(code, 0, "{args:?}: {err}");
    format!("{out}{err}")
}

/// Runs as `user`, expects a refusal with exit `code`, the reason naming
/// each of `why`, and nothing written.
fn refused(path: &Path, user: &str, now: &str, args: &[&str], code: i32, why: &[&str]) -> String {
    let before = audit_rows(path);
    let (got, _, err) = run(dd(path, user, now).args(args));
    assert_eq!(got, code, "{args:?}: {err}");
    for w in why {
        assert!(err.contains(w), "{args:?}: {w:?} not in {err}");
    }
    assert_eq!(audit_rows(path), before, "{args:?} changed something");
    err
}

fn audit_rows(path: &Path) -> i64 {
    common::sql(path)
        .query_row("SELECT count(*) FROM audit_log", [], |r| r.get(0))
        .unwrap()
}

/// The demo desk: areas, the public contacts, staff (alice a DSL, rwhite a
/// senior lead).
fn desk(dir: &Path) -> PathBuf {
    let path = dir.join("demo.db");
    let (code, _, err) =
        run(dd(&path, "alice", "2026-11-23T09:00:00Z").args(["demo", "--no-open", "--cases", "4"]));
    assert_eq!(code, 0, "{err}");
    path
}

/// Records a case and returns its reference.
fn new(path: &Path, now: &str, args: &[&str]) -> String {
    let mut all = vec!["new", "--name", "Test Person", "--summary", "what happened"];
    for (flag, value) in [
        ("--risk", "medium"),
        ("--consent", "given"),
        ("--area", "Leicestershire"),
    ] {
        if !args.contains(&flag) {
            all.extend([flag, value]);
        }
    }
    all.extend_from_slice(args);
    let (code, out, err) = run(dd(path, "alice", now).args(&all));
    assert_eq!(code, 0, "{all:?}: {err}");
    out.trim().to_string()
}

/// (rule label, due in RFC 3339, status) of a case's deadlines.
fn deadlines(path: &Path, now: &str, r: &str) -> Vec<(String, String, String)> {
    let out = ok(path, now, &["deadlines", "--json", "--all"]);
    let json = out.find('{').map(|i| &out[i..]).unwrap();
    let v: serde_json::Value = serde_json::from_str(json).unwrap();
    v["items"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|d| d["reference"] == r)
        .map(|d| {
            (
                d["rule"].as_str().unwrap().to_string(),
                d["due"].as_str().unwrap().to_string(),
                d["status"].as_str().unwrap().to_string(),
            )
        })
        .collect()
}

fn due(list: &[(String, String, String)], label: &str) -> String {
    list.iter()
        .find(|d| d.0.starts_with(label))
        .unwrap_or_else(|| panic!("no {label} in {list:?}"))
        .1
        .clone()
}

fn status(list: &[(String, String, String)], label: &str) -> String {
    list.iter()
        .find(|d| d.0.starts_with(label))
        .unwrap_or_else(|| panic!("no {label} in {list:?}"))
        .2
        .clone()
}

// 1. Working hours come from the receiving service's office, never from its
// out-of-hours line.

#[test]
fn s42_decisions_count_in_the_adult_office_hours_not_the_emergency_duty_teams() {
    let dir = common::private_dir();
    let path = desk(dir.path());
    // (referred at, due): Leicestershire adults' office is Mon-Thu
    // 08:30-17:00 and Fri 08:30-16:30 (its Emergency Duty Team, the lower
    // contact id, answers evenings, weekends and bank holidays).
    let cases = [
        // A Thursday morning: 2 working days, close of business Monday.
        (THU, "2026-12-07T17:00:00+00:00"),
        // Friday after the office closed: counts from Monday's opening, as
        // if referred then (Tuesday is the first working day after it).
        ("2026-12-04T17:30:00Z", "2026-12-09T17:00:00+00:00"),
        // A Saturday: the same.
        ("2026-12-05T11:00:00Z", "2026-12-09T17:00:00+00:00"),
        // Christmas Eve: Christmas Day and the substitute Boxing Day (28th)
        // are bank holidays.
        ("2026-12-24T10:00:00Z", "2026-12-30T17:00:00+00:00"),
        // Thursday before Easter 2027: Good Friday and Easter Monday are
        // bank holidays; the clocks went forward on the 28th (BST).
        ("2027-03-25T10:00:00Z", "2027-03-31T17:00:00+01:00"),
    ];
    for (at, expected) in cases {
        let r = new(
            &path,
            at,
            &[
                "--subject",
                "adult",
                "--age",
                "70",
                "--category",
                "physical",
            ],
        );
        ok(
            &path,
            at,
            &["refer", &r, "--route", "adults", "--shared", "x"],
        );
        let list = deadlines(&path, at, &r);
        assert_eq!(due(&list, "Section 42 decision"), expected, "referred {at}");
    }
}

// 2. Rules an event sets count from when it was held.

#[test]
fn an_icpc_counts_from_the_strategy_discussion_not_from_when_it_was_typed_in() {
    let dir = common::private_dir();
    let path = desk(dir.path());
    let typed = "2026-12-10T11:00:00Z";
    let r = new(
        &path,
        "2026-11-30T10:00:00Z",
        &["--subject", "child", "--age", "9", "--category", "neglect"],
    );
    let out = ok(
        &path,
        typed,
        &[
            "event",
            &r,
            "strategy_discussion",
            "--at",
            "01/12/2026 10:00",
        ],
    );
    assert!(out.contains("1 deadline(s) set"), "{out}");
    // 15 working days from Tuesday 1 December: Tuesday 22 December, at close.
    let list = deadlines(&path, typed, &r);
    assert_eq!(
        due(&list, "Initial child protection conference"),
        "2026-12-22T17:00:00+00:00"
    );
    // The ICPC held on 21 December and typed in on 4 January meets it on
    // time, and the first review counts 3 months from the 21st.
    let late = "2027-01-04T09:30:00Z";
    ok(
        &path,
        late,
        &["event", &r, "icpc_held", "--at", "21/12/2026 14:00"],
    );
    let list = deadlines(&path, late, &r);
    assert_eq!(status(&list, "Initial child protection conference"), "met");
    assert_eq!(
        due(&list, "First review child protection conference"),
        "2027-03-21T14:00:00+00:00"
    );
    let met_late: i64 = common::sql(&path)
        .query_row(
            "SELECT count(*) FROM deadlines d JOIN deadline_rules r ON r.id = d.rule_id
             WHERE r.code = 'icpc' AND d.met_at > d.due_at",
            [],
            |r| r.get(0),
        )
        .unwrap();
    assert_eq!(met_late, 0, "met when it was held, not when typed in");
    // The DBS duty counts from the removal.
    let s = new(
        &path,
        THU,
        &[
            "--subject",
            "staff",
            "--category",
            "physical",
            "--works-with",
            "children",
        ],
    );
    ok(
        &path,
        "2026-12-10T09:00:00Z",
        &[
            "event",
            &s,
            "removed_from_regulated_activity",
            "--at",
            "03/12/2026 12:00",
        ],
    );
    let list = deadlines(&path, "2026-12-10T09:00:00Z", &s);
    assert_eq!(
        due(&list, "DBS barring referral"),
        "2027-01-03T12:00:00+00:00"
    );
}

/// Every seeded rule counts from where practice says (DOMAIN.md, README's table).
#[test]
fn every_seeded_rule_counts_from_where_practice_says() {
    use dutydesk::store::seed::DEADLINE_RULES;
    for r in DEADLINE_RULES {
        let want = match r.on {
            // A disclosure, an incident, an allegation: when it happened.
            "escalation_opened" if r.code.starts_with("first_response") => "recorded",
            "escalation_opened" => "occurred",
            // A meeting or a removal: when it was held.
            "event_recorded" => "occurred",
            // A referral: when it was made (the two are the same).
            _ => "recorded",
        };
        assert_eq!(r.from, want, "{}", r.code);
    }
}

// 3. Deadlines that can be met.

#[test]
fn a_referral_acknowledges_the_case_and_meets_what_acknowledging_meets() {
    let dir = common::private_dir();
    let path = desk(dir.path());
    ok(
        &path,
        THU,
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
    let r = new(
        &path,
        THU,
        &[
            "--subject",
            "child",
            "--age",
            "12",
            "--category",
            "physical",
            "--risk",
            "high",
            "--critical",
        ],
    );
    let out = ok(
        &path,
        THU,
        &["refer", &r, "--route", "home-office", "--shared", "x"],
    );
    assert!(out.contains("referred"), "{out}");
    let list = deadlines(&path, "2026-12-04T10:00:00Z", &r);
    assert_eq!(status(&list, "First response (red)"), "met", "{list:?}");
    let show = ok(&path, THU, &["show", &r, "--json"]);
    let v: serde_json::Value = serde_json::from_str(&show).unwrap();
    assert_eq!(v["escalation"]["acknowledged"], true);
    // A first response that fires after the case was acknowledged (risk
    // raised by a correction) is met as it is set, not left to go overdue.
    let s = new(
        &path,
        THU,
        &["--subject", "child", "--age", "12", "--category", "neglect"],
    );
    ok(&path, THU, &["ack", &s]);
    let out = ok(
        &path,
        "2026-12-03T11:00:00Z",
        &[
            "correct",
            &s,
            "--risk",
            "high",
            "--reason",
            "the school rang back",
        ],
    );
    assert!(out.contains("already done"), "{out}");
    let list = deadlines(&path, "2026-12-04T10:00:00Z", &s);
    assert_eq!(status(&list, "First response (red)"), "met", "{list:?}");
}

#[test]
fn the_lado_clock_follows_routing_for_staff_who_work_with_adults() {
    let dir = common::private_dir();
    let path = desk(dir.path());
    let staff = |with: &str| {
        new(
            &path,
            THU,
            &[
                "--subject",
                "staff",
                "--category",
                "physical",
                "--works-with",
                with,
                "--works-in",
                "Rutland",
            ],
        )
    };
    let routes = |r: &str| -> Vec<String> {
        let out = ok(&path, THU, &["routes", r, "--json"]);
        let v: serde_json::Value = serde_json::from_str(&out).unwrap();
        v["suggestions"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|s| s["fits"] == true)
            .map(|s| s["route"].as_str().unwrap().to_string())
            .collect()
    };
    for (with, lado) in [("children", true), ("adults", false), ("both", true)] {
        let r = staff(with);
        let list = deadlines(&path, THU, &r);
        let has_lado = list.iter().any(|d| d.0 == "LADO referral");
        assert_eq!(has_lado, lado, "works with {with}: {list:?}");
        assert_eq!(routes(&r).contains(&"lado".to_string()), lado, "{with}");
        assert_eq!(
            routes(&r).contains(&"pipot".to_string()),
            with != "children",
            "{with}"
        );
    }
    // The organisation can time the PiPoT referral with the same decision.
    ok(
        &path,
        THU,
        &[
            "rules",
            "set",
            "pipot_referral",
            "--name",
            "PiPoT referral",
            "--on",
            "escalation_opened",
            "--match",
            "allegation:pipot",
            "--amount",
            "1",
            "--unit",
            "working_days",
            "--counting",
            "end_of_working_day",
            "--met-by",
            "route:pipot",
        ],
    );
    let r = staff("adults");
    assert!(
        deadlines(&path, THU, &r)
            .iter()
            .any(|d| d.0 == "PiPoT referral")
    );
}

// 4. Outcomes: on the review agendas, and the DBS duty only where it applies.

#[test]
fn an_outcome_on_an_open_case_is_on_every_review_agenda() {
    let dir = common::private_dir();
    let path = desk(dir.path());
    let r = new(
        &path,
        THU,
        &["--subject", "child", "--age", "7", "--category", "neglect"],
    );
    ok(
        &path,
        THU,
        &["refer", &r, "--route", "children", "--shared", "x"],
    );
    ok(
        &path,
        "2026-12-04T10:00:00Z",
        &[
            "outcome",
            &r,
            "--route",
            "children",
            "--outcome",
            "accepted-for-assessment",
        ],
    );
    let out = ok(&path, "2026-12-04T11:00:00Z", &["reviews", "--json"]);
    let v: serde_json::Value = serde_json::from_str(&out).unwrap();
    let series = v["items"].as_array().unwrap();
    assert_eq!(series.len(), 3);
    for s in series {
        let item = s["items"]
            .as_array()
            .unwrap()
            .iter()
            .find(|i| i["reference"] == r.as_str() && i["kind"] == "outcome")
            .unwrap_or_else(|| panic!("no outcome item for {r} in {}", s["code"]));
        assert!(
            item["detail"]
                .as_str()
                .unwrap()
                .contains("children's social care accepted for assessment"),
            "{item}"
        );
    }
    // Held: the item is kept with the meeting (schema 10 allows the kind).
    ok(
        &path,
        "2026-12-04T12:00:00Z",
        &["reviews", "hold", "log_review", "--attendees", "Alice, Sam"],
    );
    let kept: i64 = common::sql(&path)
        .query_row(
            "SELECT count(*) FROM review_items WHERE kind = 'outcome'",
            [],
            |r| r.get(0),
        )
        .unwrap();
    assert!(kept >= 1);
}

#[test]
fn the_dbs_duty_follows_only_an_allegation_that_stood() {
    let dir = common::private_dir();
    let path = desk(dir.path());
    let allegation = || {
        let r = new(
            &path,
            THU,
            &[
                "--subject",
                "staff",
                "--category",
                "physical",
                "--works-with",
                "children",
            ],
        );
        ok(
            &path,
            THU,
            &["refer", &r, "--route", "lado", "--shared", "x"],
        );
        r
    };
    let later = "2026-12-10T10:00:00Z";
    for code in ["malicious", "false", "unfounded", "below_threshold"] {
        let r = allegation();
        refused(
            &path,
            "alice",
            later,
            &[
                "outcome",
                &r,
                "--route",
                "lado",
                "--outcome",
                code,
                "--removed",
            ],
            2,
            &[
                "substantiated or unsubstantiated",
                "does not arise",
                "without --removed",
            ],
        );
        // Without --removed it is recorded, and no DBS deadline appears.
        ok(
            &path,
            later,
            &["outcome", &r, "--route", "lado", "--outcome", code],
        );
        assert!(
            !deadlines(&path, later, &r)
                .iter()
                .any(|d| d.0.starts_with("DBS")),
            "{code}"
        );
    }
    for code in ["substantiated", "unsubstantiated"] {
        let r = allegation();
        let out = ok(
            &path,
            later,
            &[
                "outcome",
                &r,
                "--route",
                "lado",
                "--outcome",
                code,
                "--removed",
            ],
        );
        assert!(out.contains("DBS barring referral duty applies"), "{out}");
        assert_eq!(
            due(&deadlines(&path, later, &r), "DBS barring referral"),
            "2027-01-10T10:00:00+00:00"
        );
    }
}

// 5. Retiring a category never silently stops a rule.

#[test]
fn categories_that_rules_or_the_law_need_cannot_be_retired_in_silence() {
    let dir = common::private_dir();
    let path = desk(dir.path());
    // FGM carries a legal duty: never retired.
    refused(
        &path,
        "rwhite",
        THU,
        &["categories", "retire", "fgm"],
        1,
        &[
            "fgm cannot be retired",
            "FGM Act 2003 s5B",
            "categories rename",
        ],
    );
    // A category an active rule matches: refused, naming the rule.
    let rule = |active: bool| {
        let mut a = vec![
            "rules",
            "set",
            "stalking_marac",
            "--name",
            "Stalking: MARAC referral",
            "--on",
            "escalation_opened",
            "--match",
            "category:stalking+risk:high",
            "--amount",
            "2",
            "--unit",
            "working_days",
            "--counting",
            "end_of_working_day",
            "--met-by",
            "route:marac",
        ];
        if !active {
            a.push("--inactive");
        }
        a.into_iter().map(str::to_string).collect::<Vec<_>>()
    };
    let args = rule(true);
    ok(
        &path,
        THU,
        &args.iter().map(String::as_str).collect::<Vec<_>>(),
    );
    refused(
        &path,
        "rwhite",
        THU,
        &["categories", "retire", "stalking"],
        1,
        &["Stalking: MARAC referral (stalking_marac)", "--inactive"],
    );
    // Made inactive, the category can go; the rule cannot be made active
    // again on a retired category, and no new rule can match it.
    let args = rule(false);
    ok(
        &path,
        THU,
        &args.iter().map(String::as_str).collect::<Vec<_>>(),
    );
    ok_as(&path, "rwhite", &["categories", "retire", "stalking"]);
    let args = rule(true);
    refused(
        &path,
        "alice",
        THU,
        &args.iter().map(String::as_str).collect::<Vec<_>>(),
        2,
        &["category:stalking is retired", "never fire", "hate_crime"],
    );
    // A misspelt status names the statuses.
    refused(
        &path,
        "alice",
        THU,
        &[
            "rules",
            "set",
            "x",
            "--name",
            "X",
            "--on",
            "status_changed",
            "--match",
            "status:cloesd",
            "--amount",
            "1",
            "--unit",
            "calendar_days",
        ],
        2,
        &["status:new|assigned|referred|awaiting_outcome|closed"],
    );
}

fn ok_as(path: &Path, user: &str, args: &[&str]) -> String {
    let (code, out, err) = run(dd(path, user, THU).args(args));
    assert_eq!(code, 0, "{args:?}: {err}");
    format!("{out}{err}")
}

// 6. Routing gaps.

fn fitting(path: &Path, r: &str) -> (Vec<(String, String)>, serde_json::Value) {
    let out = ok(path, THU, &["routes", r, "--json"]);
    let v: serde_json::Value = serde_json::from_str(&out).unwrap();
    let fits = v["suggestions"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|s| s["fits"] == true)
        .map(|s| {
            (
                s["route"].as_str().unwrap().to_string(),
                s["why"].as_str().unwrap().to_string(),
            )
        })
        .collect();
    (fits, v)
}

#[test]
fn a_missing_adult_at_risk_goes_to_the_police_first() {
    let dir = common::private_dir();
    let path = desk(dir.path());
    let r = new(
        &path,
        THU,
        &["--subject", "adult", "--age", "80", "--category", "missing"],
    );
    let (fits, _) = fitting(&path, &r);
    assert_eq!(fits[0].0, "police", "{fits:?}");
    assert!(fits[0].1.contains("a missing adult at risk"), "{fits:?}");
    assert!(fits.iter().any(|(r, _)| r == "adults"), "{fits:?}");
}

#[test]
fn a_referral_contact_serves_the_route_and_the_area_unless_confirmed() {
    let dir = common::private_dir();
    let path = desk(dir.path());
    let r = new(
        &path,
        THU,
        &[
            "--subject",
            "adult",
            "--age",
            "70",
            "--category",
            "physical",
        ],
    );
    // Contact 14: Wolverhampton's children's safeguarding.
    refused(
        &path,
        "alice",
        THU,
        &[
            "refer",
            &r,
            "--route",
            "adults",
            "--contact",
            "14",
            "--shared",
            "x",
        ],
        2,
        &[
            "is for the children route, serving children in Wolverhampton",
            "adults route",
        ],
    );
    // Contact 15: Wolverhampton's adults' safeguarding: another area.
    refused(
        &path,
        "alice",
        THU,
        &[
            "refer",
            &r,
            "--route",
            "adults",
            "--contact",
            "15",
            "--shared",
            "x",
        ],
        1,
        &["serves Wolverhampton, not Leicestershire", "--other-area"],
    );
    let out = ok(
        &path,
        THU,
        &[
            "refer",
            &r,
            "--route",
            "adults",
            "--contact",
            "15",
            "--other-area",
            "--shared",
            "x",
        ],
    );
    assert!(out.contains("referred"), "{out}");
    let body: String = common::sql(&path)
        .query_row(
            "SELECT body FROM chronology WHERE kind = 'referral' ORDER BY id DESC LIMIT 1",
            [],
            |r| r.get(0),
        )
        .unwrap();
    assert!(
        body.contains("a service for Wolverhampton, not Leicestershire: confirmed"),
        "{body}"
    );
    // Its own area's contact needs nothing more (8: Leicestershire adults).
    let s = new(
        &path,
        THU,
        &[
            "--subject",
            "adult",
            "--age",
            "70",
            "--category",
            "physical",
        ],
    );
    ok(
        &path,
        THU,
        &[
            "refer",
            &s,
            "--route",
            "adults",
            "--contact",
            "8",
            "--shared",
            "x",
        ],
    );
}

#[test]
fn an_adult_without_capacity_cannot_consent_to_the_nrm() {
    let dir = common::private_dir();
    let path = desk(dir.path());
    let r = new(
        &path,
        THU,
        &[
            "--subject",
            "adult",
            "--age",
            "40",
            "--category",
            "modern_slavery",
            "--consent",
            "unable",
            "--consent-reason",
            "assessed as lacking capacity to decide",
        ],
    );
    let (fits, v) = fitting(&path, &r);
    assert!(fits.iter().any(|(r, _)| r == "ms1"), "{fits:?}");
    assert_eq!(v["may_confirm_consent"], false);
    let nrm = v["suggestions"]
        .as_array()
        .unwrap()
        .iter()
        .find(|s| s["route"] == "nrm")
        .unwrap();
    assert!(
        nrm["warning"]
            .as_str()
            .unwrap()
            .contains("unable to consent (capacity)"),
        "{nrm}"
    );
    refused(
        &path,
        "alice",
        THU,
        &[
            "refer",
            &r,
            "--route",
            "nrm",
            "--consented",
            "--shared",
            "x",
        ],
        1,
        &[
            "cannot give the informed consent",
            "MS1",
            "best interests",
            "ms1 route",
        ],
    );
    ok(
        &path,
        THU,
        &["refer", &r, "--route", "ms1", "--shared", "x"],
    );
}

// 7. A dry run makes the import's every check.

#[test]
fn a_contacts_dry_run_refuses_what_the_import_refuses() {
    let dir = common::private_dir();
    let path = desk(dir.path());
    let header = "id,organisation,service,route,area,phone,email,web,notes,hours,open_on_bank_holidays,fallback_id\n";
    let file = dir.path().join("contacts.csv");
    let cases = [
        (
            ",Walsall Council,Children,children,Walsll,01922 650000,,,,Mon-Fri 09:00-17:00,no,\n",
            "\"Walsll\" is not one of the organisation's areas",
        ),
        (
            ",X,Adults,adults,Leicester,0116 1111,,,,Mon-Fri 09:00-17:00,no,999\n",
            "fallback: no contact 999",
        ),
        (
            ",Z,Adults,adults,Leicester,0116 2222,,,,Mon-Fri 09:00-17:00,no,14\n",
            "a fallback must serve the same people",
        ),
    ];
    let file_arg = file.to_str().unwrap();
    for (row, why) in cases {
        std::fs::write(&file, format!("{header}{row}")).unwrap();
        let real = refused(
            &path,
            "alice",
            THU,
            &["contacts", "import", file_arg],
            2,
            &[why],
        );
        let dry = refused(
            &path,
            "alice",
            THU,
            &["contacts", "import", file_arg, "--dry-run"],
            2,
            &[why],
        );
        assert_eq!(real, dry, "one validation path");
    }
    // A good file: the plan, and nothing changed.
    std::fs::write(
        &file,
        format!(
            "{header},Walsall Council,Children,children,,01922 650000,,,,Mon-Fri 09:00-17:00,no,\n"
        ),
    )
    .unwrap();
    let before = audit_rows(&path);
    let out = ok(&path, THU, &["contacts", "import", file_arg, "--dry-run"]);
    assert!(out.contains("Dry run: 1 to add"), "{out}");
    assert_eq!(audit_rows(&path), before);
    let out = ok(&path, THU, &["contacts", "import", file_arg]);
    assert!(out.contains("1 added"), "{out}");
}

// 8. Small things.

#[test]
fn show_prints_the_location_and_the_consent_decision() {
    let dir = common::private_dir();
    let path = desk(dir.path());
    let r = new(
        &path,
        THU,
        &[
            "--subject",
            "child",
            "--age",
            "9",
            "--category",
            "neglect",
            "--location",
            "school",
            "--consent",
            "refused",
            "--consent-reason",
            "the parent said no; shared to protect",
        ],
    );
    let out = ok(&path, THU, &["show", &r]);
    assert!(out.contains("location school"), "{out}");
    assert!(
        out.contains("consent refused: the parent said no; shared to protect"),
        "{out}"
    );
    // A viewer sees the decision, not the reason.
    let (code, out, err) = run(dd(&path, "cadeyemi", THU).args(["show", &r]));
    assert_eq!(code, 0, "{err}");
    assert!(out.contains("consent refused\n"), "{out}");
    assert!(!out.contains("the parent said no"), "{out}");
}
