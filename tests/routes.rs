//! Issue 17 through the real binary, on the demo desk at fixed moments: who
//! is a child, UK dates, consent reasons, low-level concerns, and the routes
//! each situation is offered (with their reasons), the number actually rung,
//! and the lists senior leads keep.

mod common;

use assert_cmd::Command;
use std::path::{Path, PathBuf};

/// Monday 23 November 2026, 09:00 GMT, unless a test says otherwise.
const MONDAY: &str = "2026-11-23T09:00:00Z";

fn dd(path: &Path, user: &str, now: &str) -> Command {
    let mut c = Command::cargo_bin("dutydesk").unwrap();
    c.env("DUTYDESK_USER", user)
        .env("DUTYDESK_DB", path)
        .env("DUTYDESK_CONFIG", path.with_extension("toml"))
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

/// A demo desk (areas, contacts and staff; alice is a DSL, rwhite a senior lead).
fn desk(dir: &Path) -> PathBuf {
    let path = dir.join("demo.db");
    let (code, _, err) =
        run(dd(&path, "alice", MONDAY).args(["demo", "--no-open", "--cases", "4"]));
    assert_eq!(code, 0, "{err}");
    path
}

/// `dutydesk new` with the given subject, categories and extra flags; returns
/// (exit code, reference or "", stderr).
fn new(path: &Path, now: &str, subject: &str, cats: &str, extra: &[&str]) -> (i32, String, String) {
    let mut args = vec![
        "new",
        "--subject",
        subject,
        "--name",
        "Test Person",
        "--area",
        "Rutland",
        "--category",
        cats,
        "--summary",
        "what happened",
    ];
    // Defaults the test did not give.
    for (flag, value) in [("--risk", "medium"), ("--consent", "given")] {
        if !extra.contains(&flag) {
            args.extend([flag, value]);
        }
    }
    args.extend_from_slice(extra);
    let (code, out, err) = run(dd(path, "alice", now).args(&args));
    (code, out.trim().to_string(), err)
}

fn recorded(path: &Path, now: &str, subject: &str, cats: &str, extra: &[&str]) -> String {
    let (code, reference, err) = new(path, now, subject, cats, extra);
    assert_eq!(code, 0, "{err}");
    reference
}

/// The routes JSON for a case.
fn routes(path: &Path, now: &str, reference: &str) -> serde_json::Value {
    let (code, out, err) = run(dd(path, "alice", now).args(["routes", reference, "--json"]));
    assert_eq!(code, 0, "{err}");
    serde_json::from_str(&out).unwrap()
}

/// The fitting routes, in order, with their reasons.
fn fitting(v: &serde_json::Value) -> Vec<(String, String)> {
    v["suggestions"]
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
        .collect()
}

fn codes(v: &serde_json::Value) -> Vec<String> {
    fitting(v).into_iter().map(|(r, _)| r).collect()
}

#[test]
fn subject_and_age_are_checked_together_and_dates_read_as_in_the_uk() {
    let dir = common::private_dir();
    let path = desk(dir.path());
    // A 16-year-old "adult": refused, the reason given, nothing recorded.
    let (code, _, err) = new(&path, MONDAY, "adult", "neglect", &["--age", "16"]);
    assert_eq!(code, 2);
    assert!(
        err.contains("--subject: an adult at risk is 18 or over"),
        "{err}"
    );
    assert!(err.contains("aged 16"), "{err}");
    // A "child" aged 30.
    let (code, _, err) = new(&path, MONDAY, "child", "neglect", &["--age", "30"]);
    assert_eq!(code, 2);
    assert!(err.contains("a child is under 18"), "{err}");
    // 02/03/2014 is 2 March 2014, and the recorder is told how it was read.
    let (code, reference, err) = new(&path, MONDAY, "child", "neglect", &["--dob", "02/03/2014"]);
    assert_eq!(code, 0, "{err}");
    assert!(err.contains("born 2 March 2014 (aged 12)"), "{err}");
    let (_, out, _) = run(dd(&path, "alice", MONDAY).args(["show", &reference, "--json"]));
    let v: serde_json::Value = serde_json::from_str(&out).unwrap();
    assert_eq!(v["subject_dob"], "2014-03-02");
    assert_eq!(v["age_band"], "10-15");
    // An unborn child with an expected date; a future date of birth says so.
    let (code, reference, err) = new(
        &path,
        MONDAY,
        "child",
        "neglect",
        &["--expected", "14/04/2027"],
    );
    assert_eq!(code, 0, "{err}");
    let (_, out, _) = run(dd(&path, "alice", MONDAY).args(["show", &reference, "--json"]));
    let v: serde_json::Value = serde_json::from_str(&out).unwrap();
    assert_eq!(v["age_band"], "unborn");
    assert!(
        routes(&path, MONDAY, &reference)["suggestions"][0]["why"]
            .as_str()
            .unwrap()
            .contains("pre-birth")
    );
    let (code, _, err) = new(&path, MONDAY, "child", "neglect", &["--dob", "14/04/2027"]);
    assert_eq!(code, 2);
    assert!(err.contains("give the expected date instead"), "{err}");
    let (code, _, err) = new(&path, MONDAY, "child", "neglect", &["--dob", "02/03/14"]);
    assert_eq!(code, 2);
    assert!(err.contains("year in full"), "{err}");
    // Bad input names the valid values.
    let (code, _, err) = new(&path, MONDAY, "child", "neglect", &["--location", "park"]);
    assert_eq!(code, 2);
    assert!(err.contains("own-home, care-home"), "{err}");
    let (code, _, err) = new(&path, MONDAY, "child", "negelct", &[]);
    assert_eq!(code, 2);
    assert!(
        err.contains("unknown category \"negelct\": use physical"),
        "{err}"
    );
    assert!(err.contains("serious_violence"), "{err}");
    let (code, _, err) = run(dd(&path, "alice", MONDAY).args([
        "new",
        "--subject",
        "child",
        "--name",
        "X",
        "--area",
        "Rutlnd",
        "--category",
        "neglect",
        "--risk",
        "low",
        "--summary",
        "s",
    ]));
    assert_eq!(code, 2);
    assert!(err.contains("did you mean Rutland?"), "{err}");
    assert!(err.contains("\"unknown\""), "{err}");
}

#[test]
fn consent_needs_a_reason_unless_given_and_capacity_can_be_recorded() {
    let dir = common::private_dir();
    let path = desk(dir.path());
    for consent in ["refused", "not-sought", "unable"] {
        let (code, _, err) = new(&path, MONDAY, "adult", "neglect", &["--consent", consent]);
        assert_eq!(code, 2, "{consent}");
        assert!(
            err.contains("--consent-reason: consent"),
            "{consent}: {err}"
        );
    }
    let reference = recorded(
        &path,
        MONDAY,
        "adult",
        "neglect",
        &[
            "--consent",
            "unable",
            "--consent-reason",
            "assessed as lacking capacity for this decision",
        ],
    );
    let (_, out, _) = run(dd(&path, "alice", MONDAY).args(["show", &reference, "--json"]));
    let v: serde_json::Value = serde_json::from_str(&out).unwrap();
    assert_eq!(v["consent"], "unable_capacity");
    let (code, _, err) = new(&path, MONDAY, "adult", "neglect", &["--consent", "maybe"]);
    assert_eq!(code, 2);
    assert!(err.contains("unable (lacks capacity to consent)"), "{err}");
}

#[test]
fn a_low_level_concern_starts_no_lado_clock_and_the_lado_is_where_they_work() {
    let dir = common::private_dir();
    let path = desk(dir.path());
    let deadlines = |reference: &str| {
        let (_, out, _) = run(dd(&path, "alice", MONDAY).args(["show", reference, "--json"]));
        let v: serde_json::Value = serde_json::from_str(&out).unwrap();
        v["deadlines"]
            .as_array()
            .unwrap()
            .iter()
            .map(|d| d["label"].as_str().unwrap().to_string())
            .collect::<Vec<_>>()
    };
    let low = recorded(
        &path,
        MONDAY,
        "staff",
        "emotional",
        &["--low-level", "--about", "none", "--works-in", "Leicester"],
    );
    assert!(!deadlines(&low).contains(&"LADO referral".to_string()));
    let r = routes(&path, MONDAY, &low);
    assert!(codes(&r).is_empty(), "{r}");
    assert!(
        r["suggestions"][0]["why"]
            .as_str()
            .unwrap()
            .contains("low-level")
    );
    // An allegation: the LADO clock, and the LADO where the person works
    // (Leicester's), though they live in Rutland.
    let full = recorded(
        &path,
        MONDAY,
        "staff",
        "physical",
        &["--about", "none", "--works-in", "Leicester City"],
    );
    assert!(deadlines(&full).contains(&"LADO referral".to_string()));
    let r = routes(&path, MONDAY, &full);
    assert_eq!(codes(&r)[0], "lado");
    let lado: Vec<&str> = r["contacts"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|c| c[0] == "lado")
        .map(|c| c[1]["contact"]["phone"].as_str().unwrap())
        .collect();
    assert_eq!(lado, ["0116 454 2440"], "{r}");
    // Someone working with adults at risk: PiPoT, not the LADO.
    let pipot = recorded(
        &path,
        MONDAY,
        "staff",
        "physical",
        &["--about", "none", "--works-with", "adults"],
    );
    assert_eq!(codes(&routes(&path, MONDAY, &pipot))[0], "pipot");
    // Low-level is for staff only.
    let (code, _, err) = new(&path, MONDAY, "child", "neglect", &["--low-level"]);
    assert_eq!(code, 2);
    assert!(err.contains("--low-level"), "{err}");
}

/// Each situation of the issue, recorded and routed at a fixed moment.
#[test]
fn each_situation_is_offered_its_routes_with_reasons() {
    let dir = common::private_dir();
    let path = desk(dir.path());
    let high = ["--risk", "high"];
    let case = |subject: &str, cats: &str, extra: &[&str]| {
        let reference = recorded(&path, MONDAY, subject, cats, extra);
        routes(&path, MONDAY, &reference)
    };
    // MARAC for high-risk stalking, honour-based abuse and forced marriage.
    for (cat, word) in [
        ("stalking", "stalking"),
        ("honour_based", "honour"),
        ("forced_marriage", "forced marriage"),
        ("domestic", "domestic"),
    ] {
        let v = case("adult", cat, &high);
        let marac = fitting(&v).into_iter().find(|(r, _)| r == "marac");
        assert!(
            marac.is_some_and(|(_, why)| why.contains(word)),
            "{cat}: {v}"
        );
    }
    // Forced marriage: the Forced Marriage Unit too, with its public number.
    let v = case("adult", "forced_marriage", &[]);
    assert!(codes(&v).contains(&"fmu".to_string()), "{v}");
    assert!(v.to_string().contains("020 7008 0151"), "{v}");
    // A missing child: the police first.
    let v = case("child", "missing", &[]);
    assert_eq!(codes(&v)[..2], ["police", "children"]);
    // Adult modern slavery without consent: MS1, not the NRM (which warns).
    let reference = recorded(
        &path,
        MONDAY,
        "adult",
        "modern_slavery",
        &[
            "--consent",
            "refused",
            "--consent-reason",
            "does not want police involvement",
        ],
    );
    let v = routes(&path, MONDAY, &reference);
    assert!(codes(&v).contains(&"ms1".to_string()) && !codes(&v).contains(&"nrm".to_string()));
    let nrm = v["suggestions"]
        .as_array()
        .unwrap()
        .iter()
        .find(|s| s["route"] == "nrm")
        .unwrap();
    assert!(nrm["warning"].as_str().unwrap().contains("MS1"), "{nrm}");
    let (code, _, err) = run(dd(&path, "alice", MONDAY)
        .args(["refer", &reference, "--route", "nrm", "--shared", "details"]));
    assert_eq!(code, 1);
    assert!(
        err.contains("refer on the ms1 route, or confirm consent"),
        "{err}"
    );
    let (code, _, err) = run(dd(&path, "alice", MONDAY).args([
        "refer",
        &reference,
        "--route",
        "ms1",
        "--method",
        "form",
        "--shared",
        "no details",
    ]));
    assert_eq!(code, 0, "{err}");
    // County lines for a child: the NRM (no consent needed).
    let v = case("child", "county_lines", &[]);
    assert!(
        fitting(&v)
            .iter()
            .any(|(r, why)| r == "nrm" && why.contains("no consent")),
        "{v}"
    );
    // Radicalisation: Prevent. Online abuse of a child: CEOP (online only).
    assert!(codes(&case("adult", "radicalisation", &[])).contains(&"prevent".to_string()));
    let v = case("child", "online,sexual", &[]);
    assert!(codes(&v).contains(&"ceop".to_string()), "{v}");
    assert!(v.to_string().contains("ceop.police.uk"), "{v}");
    // Serious violence: the police.
    assert!(codes(&case("child", "serious_violence", &[])).contains(&"police".to_string()));
    // Always 999 and 101 among the contacts.
    let s = v.to_string();
    assert!(s.contains("\"999\"") && s.contains("\"101\""), "{v}");
}

#[test]
fn a_repeat_third_concern_is_offered_marac() {
    let dir = common::private_dir();
    let path = desk(dir.path());
    let first = recorded(&path, "2026-03-02T10:00:00Z", "adult", "domestic", &[]);
    let second = recorded(&path, "2026-07-01T10:00:00Z", "adult", "domestic", &[]);
    let third = recorded(&path, MONDAY, "adult", "domestic", &[]);
    assert!(!codes(&routes(&path, MONDAY, &third)).contains(&"marac".to_string()));
    for other in [&first, &second] {
        let (code, _, err) = run(dd(&path, "alice", MONDAY).args(["link", &third, other]));
        assert_eq!(code, 0, "{err}");
    }
    let v = routes(&path, MONDAY, &third);
    let marac = fitting(&v).into_iter().find(|(r, _)| r == "marac");
    assert!(marac.is_some_and(|(_, why)| why.contains("repeat")), "{v}");
}

/// Saturday evening, a Rutland child: the children's office is shut, so the
/// number rung is its out-of-hours line, and the record says so.
#[test]
fn a_referral_records_the_number_actually_rung_and_names_the_contact() {
    let dir = common::private_dir();
    let path = desk(dir.path());
    let saturday = "2026-11-28T19:00:00Z";
    let reference = recorded(&path, saturday, "child", "neglect", &[]);
    let v = routes(&path, saturday, &reference);
    let office = v["contacts"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c[1]["contact"]["service"] == "Children's referrals")
        .unwrap()
        .clone();
    assert_eq!(office[1]["open_now"], false);
    assert_eq!(office[1]["ring"], "0116 305 0005");
    assert_eq!(office[1]["ring_for"], "children in Rutland");
    let id = office[1]["contact"]["id"].as_i64().unwrap().to_string();
    let (code, _, err) = run(dd(&path, "alice", saturday).args([
        "refer",
        &reference,
        "--route",
        "children",
        "--contact",
        &id,
        "--shared",
        "the concern",
    ]));
    assert_eq!(code, 0, "{err}");
    assert!(err.contains("(rang 0116 305 0005)"), "{err}");
    let (_, out, _) = run(dd(&path, "alice", saturday).args(["show", &reference]));
    assert!(
        out.contains("Out of hours for Rutland children, on 0116 305 0005 (out of hours for Rutland County Council Children's referrals, which was shut)"),
        "{out}"
    );
    let rung: String = common::sql(&path)
        .query_row(
            "SELECT phone_rung FROM referrals ORDER BY id DESC LIMIT 1",
            [],
            |r| r.get(0),
        )
        .unwrap();
    assert_eq!(rung, "0116 305 0005");
    // The trail covers the number: verify is clean, and an edit is caught.
    let (code, out, err) = run(dd(&path, "rwhite", saturday).args(["verify"]));
    assert_eq!(code, 0, "{out}{err}");
    let c = common::sql(&path);
    c.execute_batch(
        "DROP TRIGGER referrals_outcome_once;
         UPDATE referrals SET phone_rung = '0800 000 000' WHERE id = (SELECT max(id) FROM referrals);",
    )
    .unwrap();
    drop(c);
    let (code, out, err) = run(dd(&path, "rwhite", saturday).args(["verify"]));
    assert_ne!(code, 0);
    assert!(format!("{out}{err}").contains("referral"), "{out}{err}");
    // A number typed by the recorder is the one kept.
    let (code, _, err) = run(dd(&path, "alice", saturday).args([
        "refer",
        &reference,
        "--route",
        "police",
        "--rang",
        "101",
        "--shared",
        "the concern",
    ]));
    assert_eq!(code, 0, "{err}");
    let (code, _, err) = run(dd(&path, "alice", saturday)
        .args(["refer", &reference, "--route", "social", "--shared", "x"]));
    assert_eq!(code, 2);
    assert!(err.contains("home-office"), "{err}");
}

#[test]
fn senior_leads_keep_the_areas_and_categories_and_others_are_told_so() {
    let dir = common::private_dir();
    let path = desk(dir.path());
    let as_ = |user: &str, args: &[&str]| run(dd(&path, user, MONDAY).args(args));
    let (code, _, err) = as_("alice", &["areas", "add", "Walsall"]);
    assert_eq!(code, 1);
    assert!(err.contains("only a senior lead may"), "{err}");
    let (code, _, err) = as_(
        "rwhite",
        &["areas", "add", "Walsall", "--alias", "Walsall MBC"],
    );
    assert_eq!(code, 0, "{err}");
    let (_, out, _) = as_("alice", &["areas", "list"]);
    assert!(out.contains("Walsall (also: Walsall MBC)"), "{out}");
    let (code, _, err) = as_("rwhite", &["areas", "add", "walsall"]);
    assert_eq!(code, 1);
    assert!(err.contains("already on the list"), "{err}");
    // Another name finds the area at intake, stored under its own name.
    let reference = {
        let (code, out, err) = as_(
            "alice",
            &[
                "new",
                "--subject",
                "child",
                "--name",
                "A",
                "--area",
                "walsall mbc",
                "--category",
                "cuckooing",
                "--risk",
                "low",
                "--summary",
                "s",
            ],
        );
        assert_eq!(code, 0, "{err}");
        out.trim().to_string()
    };
    let (_, out, _) = as_("alice", &["show", &reference, "--json"]);
    let v: serde_json::Value = serde_json::from_str(&out).unwrap();
    assert_eq!(v["area"], "Walsall");
    // Retired: kept on the record, refused for new ones.
    let (code, _, err) = as_("rwhite", &["areas", "retire", "Walsall"]);
    assert_eq!(code, 0, "{err}");
    let (code, _, err) = as_(
        "alice",
        &[
            "new",
            "--subject",
            "child",
            "--name",
            "A",
            "--area",
            "Walsall",
            "--category",
            "neglect",
            "--risk",
            "low",
            "--summary",
            "s",
        ],
    );
    assert_eq!(code, 2);
    assert!(err.contains("retired"), "{err}");
    // Categories: listed with the new codes; add, rename, retire by senior leads.
    let (_, out, _) = as_("alice", &["categories", "list"]);
    for code in [
        "serious_violence",
        "child_on_child",
        "cuckooing",
        "cse",
        "cce",
    ] {
        assert!(out.contains(code), "{code}: {out}");
    }
    let (code, _, err) = as_("alice", &["categories", "add", "gangs", "gang affiliation"]);
    assert_eq!(code, 1);
    assert!(err.contains("only a senior lead may"), "{err}");
    let (code, _, err) = as_(
        "rwhite",
        &["categories", "add", "gangs", "gang affiliation"],
    );
    assert_eq!(code, 0, "{err}");
    let (code, _, err) = as_(
        "rwhite",
        &["categories", "rename", "gangs", "gang involvement"],
    );
    assert_eq!(code, 0, "{err}");
    let (code, _, err) = as_("rwhite", &["categories", "retire", "cuckooing"]);
    assert_eq!(code, 0, "{err}");
    let (_, out, _) = as_("alice", &["show", &reference, "--json"]);
    let v: serde_json::Value = serde_json::from_str(&out).unwrap();
    assert_eq!(
        v["escalation"]["categories"][0]["code"], "cuckooing",
        "old records keep a retired code"
    );
    let (code, _, err) = as_(
        "alice",
        &[
            "new",
            "--subject",
            "child",
            "--name",
            "A",
            "--area",
            "Rutland",
            "--category",
            "cuckooing",
            "--risk",
            "low",
            "--summary",
            "s",
        ],
    );
    assert_eq!(code, 2);
    assert!(err.contains("unknown category \"cuckooing\""), "{err}");
    let (code, _, err) = as_("rwhite", &["categories", "add", "Bad Code!", "x"]);
    assert_eq!(code, 2, "a bad value");
    assert!(err.contains("a-z, 0-9 and _"), "{err}");
    // Every change is in the trail, without record words.
    let (_, out, _) = as_("rwhite", &["audit", "--json"]);
    for action in ["\"add\"", "\"retire\"", "\"rename\"", "\"alias\""] {
        assert!(out.contains(action), "{action}: {out}");
    }
}
