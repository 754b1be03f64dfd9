//! Published figures (issue 17): a report on a crafted log, checked for
//! counts that could be read or worked out in every format; comparisons with
//! the previous calendar period of the same kind (a month, a quarter, a leap
//! year); the scope sentence about restricted cases.

mod common;

use assert_cmd::Command;
use chrono::{DateTime, Utc};
use dutydesk::domain::escalation::{AgeBand, Consent, LocationType, Risk, SubjectKind};
use dutydesk::domain::names::About;
use dutydesk::store::escalations::NewEscalation;
use dutydesk::store::{self, Create, seed, workflow};
use std::path::{Path, PathBuf};

fn dd(path: &Path, user: &str) -> Command {
    let mut c = Command::cargo_bin("dutydesk").unwrap();
    c.env("DUTYDESK_USER", user)
        .env("DUTYDESK_DB", path)
        .env("DUTYDESK_CONFIG", path.with_extension("toml"))
        .env("DUTYDESK_NOW", "2029-06-01T09:00:00Z");
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

/// One crafted concern.
struct Concern {
    at: &'static str,
    subject: SubjectKind,
    band: AgeBand,
    area: &'static str,
    s42: bool,
}

fn desk(dir: &Path, log: &[Concern]) -> PathBuf {
    let path = dir.join("figures.db");
    common::desk_db(
        &path,
        "Figures",
        &[("alice", "Alice", "dsl"), ("sam", "Sam", "senior")],
        common::at("2026-01-01T09:00:00Z"),
    );
    let mut s = store::open(&path, Create::No).unwrap();
    for c in log {
        let at: DateTime<Utc> = common::at(c.at);
        let e = NewEscalation {
            subject_kind: c.subject,
            subject_name: "Crafted".into(),
            subject_dob: None,
            age_band: c.band,
            area: c.area.into(),
            location_type: LocationType::OwnHome,
            risk: Risk::Medium,
            raised_by: String::new(),
            raised_by_role: None,
            raised_by_contact: None,
            imported: false,
            raised_at: at,
            occurred_at: None,
            occurred_place: None,
            exact_words: "words".into(),
            appearance: None,
            consent: Consent::Given,
            consent_reason: None,
            immediate_risk: false,
            critical_incident: false,
            restricted: false,
            categories: vec!["neglect".into()],
            low_level: false,
            work_area: None,
            works_with: None,
            fgm: None,
        };
        s.write("alice", at, |w| {
            let about = if c.subject == SubjectKind::Staff {
                About::parse("none")
            } else {
                About::default()
            };
            let d = workflow::create(w, &e, false, &about)?;
            if c.subject == SubjectKind::Adult {
                let me: i64 =
                    w.tx()
                        .query_row("SELECT id FROM staff WHERE username = 'alice'", [], |r| {
                            r.get(0)
                        })?;
                seed::demo_referral(
                    w,
                    d.id,
                    "adults",
                    me,
                    at.timestamp() + 3600,
                    None,
                    c.s42
                        .then_some(("s42 enquiry opened", at.timestamp() + 86_400)),
                )?;
            }
            Ok(())
        })
        .unwrap();
    }
    path
}

fn report(path: &Path, user: &str, from: &str, to: &str, extra: &[&str]) -> String {
    let mut args = vec!["report", "--from", from, "--to", to];
    args.extend_from_slice(extra);
    let (code, out, err) = run(dd(path, user).args(&args));
    assert_eq!(code, 0, "{err}");
    out
}

fn number(v: &serde_json::Value) -> Option<u64> {
    v.as_u64()
}

/// Whether any hidden count of one column can be worked out: the column's
/// shown counts and its known total leave the hidden ones a sum S over k
/// cells, each at least 1; a cell is pinned when k = 1 or S = k.
fn recoverable(cells: &[&serde_json::Value], total: Option<u64>) -> Option<String> {
    let total = total?;
    let hidden = cells.iter().filter(|c| c.as_str() == Some("[c]")).count() as u64;
    if hidden == 0 {
        return None;
    }
    let shown: u64 = cells.iter().filter_map(|c| number(c)).sum();
    let sum = total - shown;
    (hidden == 1 || sum == hidden)
        .then(|| format!("{hidden} hidden cell(s) summing to {sum}: {cells:?}"))
}

#[test]
fn a_crafted_log_publishes_no_recoverable_count_in_any_format() {
    use AgeBand::*;
    use SubjectKind::*;
    let mut log = Vec::new();
    let c = |at, subject, band, area| Concern {
        at,
        subject,
        band,
        area,
        s42: false,
    };
    // Q1 2027: 24 children, 3 adults (one s42 enquiry), 1 staff; January
    // busy, February quiet (2), March busy; one case from Walsall.
    for i in 0..12 {
        log.push(c(
            [
                "2027-01-05T10:00:00Z",
                "2027-01-12T10:00:00Z",
                "2027-01-19T10:00:00Z",
            ][i % 3],
            Child,
            [From5, From10, From1][i % 3],
            "Rutland",
        ));
    }
    log.push(c("2027-02-03T10:00:00Z", Child, Under1, "Rutland"));
    log.push(Concern {
        s42: true,
        ..c("2027-02-10T10:00:00Z", Adult, From85, "Leicester")
    });
    for i in 0..11 {
        log.push(c(
            ["2027-03-02T10:00:00Z", "2027-03-09T10:00:00Z"][i % 2],
            Child,
            [From5, From10, Unborn, From16][i % 4],
            if i == 0 {
                "Walsall"
            } else if i < 5 {
                "Leicester"
            } else {
                "Rutland"
            },
        ));
    }
    log.push(c("2027-03-16T10:00:00Z", Adult, From18, "Leicester"));
    log.push(c("2027-03-17T10:00:00Z", Adult, From65, "Rutland"));
    log.push(c("2027-03-18T10:00:00Z", Staff, From18, "Rutland"));
    // Q4 2026, the quarter before: 9 children.
    for i in 0..9 {
        log.push(c(
            [
                "2026-10-06T10:00:00Z",
                "2026-11-10T10:00:00Z",
                "2026-12-08T10:00:00Z",
            ][i % 3],
            Child,
            From10,
            "Rutland",
        ));
    }
    let dir = common::private_dir();
    let path = desk(dir.path(), &log);
    let json = report(
        &path,
        "alice",
        "2027-01-01",
        "2027-03-31",
        &["--suppress-under", "5", "--json"],
    );
    let v: serde_json::Value = serde_json::from_str(&json).unwrap();
    assert_eq!(v["total"], 28);
    assert_eq!(v["total_before"], 9);
    assert_eq!(v["kind"], "quarter");
    assert_eq!(
        (v["before_from"].as_str(), v["before_to"].as_str()),
        (Some("2026-10-01"), Some("2026-12-31"))
    );
    let partition = [
        "By subject",
        "By location",
        "By age band",
        "By area",
        "By risk",
        "By outcome",
    ];
    let mut hidden_seen = 0;
    for t in v["tables"].as_array().unwrap() {
        let title = t["title"].as_str().unwrap();
        let rows = t["rows"].as_array().unwrap();
        for r in rows {
            let hidden = r["now"] == "[c]" || r["before"] == "[c]";
            if hidden {
                hidden_seen += 1;
                assert!(
                    r["change"].is_null(),
                    "{title}: a change beside a hidden count: {r}"
                );
            }
            for col in ["now", "before"] {
                if let Some(n) = number(&r[col]) {
                    assert!(n == 0 || n >= 5, "{title}: {n} shown: {r}");
                }
            }
        }
        if partition.contains(&title) {
            for (col, total) in [
                ("now", number(&v["total"])),
                ("before", number(&v["total_before"])),
            ] {
                let cells: Vec<&serde_json::Value> = rows.iter().map(|r| &r[col]).collect();
                assert_eq!(recoverable(&cells, total), None, "{title} ({col})");
            }
        }
    }
    assert!(
        hidden_seen >= 5,
        "the crafted log has small counts to hide: {v}"
    );
    // The monthly series: February's 2 is hidden, and so is another month.
    let months: Vec<&serde_json::Value> = v["monthly"]
        .as_array()
        .unwrap()
        .iter()
        .map(|m| &m[1])
        .collect();
    assert_eq!(months[1], "[c]");
    assert_eq!(
        recoverable(&months, number(&v["total"])),
        None,
        "monthly: {months:?}"
    );
    // Adult concerns (3) are hidden as the subject table hides them, and
    // every figure built on them with them.
    assert_eq!(v["conversion"]["adult_concerns"], "[c]");
    assert_eq!(v["conversion"]["s42_enquiries"], "[c]");
    assert!(v["conversion"]["conversion_percent"].is_null());
    // Markdown and CSV hide the same cells: never a number where JSON hides one.
    let md = report(
        &path,
        "alice",
        "2027-01-01",
        "2027-03-31",
        &["--suppress-under", "5"],
    );
    assert!(md.contains("| Walsall | [c] | 0 | - |"), "{md}");
    assert!(md.contains("| 2027-02 | [c] |"), "{md}");
    assert!(md.contains("[c]: hidden, being fewer than 5"), "{md}");
    let csv = report(
        &path,
        "alice",
        "2027-01-01",
        "2027-03-31",
        &["--suppress-under", "5", "--csv"],
    );
    // Read as a spreadsheet would: the csv crate, not string matching.
    let records: Vec<Vec<String>> = csv::Reader::from_reader(csv.as_bytes())
        .records()
        .map(|r| r.unwrap().iter().map(String::from).collect())
        .collect();
    let has = |cells: &[&str]| {
        records
            .iter()
            .any(|r| r.len() >= cells.len() && r.iter().zip(cells).all(|(a, b)| a == b))
    };
    assert!(has(&["By area", "Walsall", "[c]", "0"]), "{csv}");
    assert!(has(&["By month", "2027-02", "[c]", ""]), "{csv}");
    for t in v["tables"].as_array().unwrap() {
        for r in t["rows"].as_array().unwrap() {
            if r["now"] == "[c]" {
                let (title, key) = (t["title"].as_str().unwrap(), r["key"].as_str().unwrap());
                assert!(has(&[title, key, "[c]"]), "{title},{key},[c] in {csv}");
            }
        }
    }
    // Without suppression every count is a number, in age order, with the
    // s42 conversion (1 of 3 adult concerns).
    let plain = report(&path, "alice", "2027-01-01", "2027-03-31", &["--json"]);
    let p: serde_json::Value = serde_json::from_str(&plain).unwrap();
    let ages: Vec<&str> = p["tables"]
        .as_array()
        .unwrap()
        .iter()
        .find(|t| t["title"] == "By age band")
        .unwrap()["rows"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["key"].as_str().unwrap())
        .collect();
    assert_eq!(
        ages,
        [
            "unborn", "under 1", "1-4", "5-9", "10-15", "16-17", "18-64", "65-74", "85-94"
        ]
    );
    assert_eq!(p["conversion"]["adult_concerns"], 3);
    assert_eq!(p["conversion"]["s42_enquiries"], 1);
    assert_eq!(p["conversion"]["referred_to_adults"], 3);
    let rules: Vec<&str> = p["timeliness"]
        .as_array()
        .unwrap()
        .iter()
        .map(|t| t["rule"].as_str().unwrap())
        .collect();
    assert!(rules.contains(&"Written record of disclosure"), "{rules:?}");
    assert!(rules.contains(&"LADO referral"), "{rules:?}");
    // The reader is told whose cases are counted.
    assert!(
        p["scope"]
            .as_str()
            .unwrap()
            .contains("restricted cases you may not see are left out")
    );
    let senior: serde_json::Value = serde_json::from_str(&report(
        &path,
        "sam",
        "2027-01-01",
        "2027-03-31",
        &["--json"],
    ))
    .unwrap();
    assert!(
        senior["scope"]
            .as_str()
            .unwrap()
            .starts_with("Includes restricted cases")
    );
    let (code, _, err) = run(dd(&path, "alice").args([
        "report",
        "--from",
        "2027-01-01",
        "--to",
        "2027-01-31",
        "--suppress-under",
        "1",
    ]));
    assert_eq!(code, 2);
    assert!(err.contains("give 2 or more"), "{err}");
}

#[test]
fn comparisons_use_the_previous_calendar_period_of_the_same_kind() {
    use AgeBand::*;
    use SubjectKind::*;
    let c = |at| Concern {
        at,
        subject: Child,
        band: From10,
        area: "Rutland",
        s42: false,
    };
    // Edges: 31 January, 1 and 28 February 2027, 1 March; 29 February 2028,
    // 31 December 2027 and 1 January 2027.
    let log = [
        c("2027-01-01T10:00:00Z"),
        c("2027-01-31T10:00:00Z"),
        c("2027-02-01T10:00:00Z"),
        c("2027-02-28T10:00:00Z"),
        c("2027-03-01T10:00:00Z"),
        c("2027-12-31T10:00:00Z"),
        c("2028-02-29T10:00:00Z"),
        c("2028-03-01T10:00:00Z"),
    ];
    let dir = common::private_dir();
    let path = desk(dir.path(), &log);
    let ask = |from: &str, to: &str| {
        let v: serde_json::Value =
            serde_json::from_str(&report(&path, "alice", from, to, &["--json"])).unwrap();
        (
            v["kind"].as_str().unwrap().to_string(),
            v["before_from"].as_str().unwrap().to_string(),
            v["before_to"].as_str().unwrap().to_string(),
            v["total"].as_u64().unwrap(),
            v["total_before"].as_u64().unwrap(),
        )
    };
    // March 2027 against February 2027 (both edges of February counted).
    assert_eq!(
        ask("2027-03-01", "2027-03-31"),
        (
            "month".into(),
            "2027-02-01".into(),
            "2027-02-28".into(),
            1,
            2
        )
    );
    // A quarter: Q1 2028 against Q4 2027.
    assert_eq!(
        ask("2028-01-01", "2028-03-31"),
        (
            "quarter".into(),
            "2027-10-01".into(),
            "2027-12-31".into(),
            2,
            1
        )
    );
    // A leap year against the whole year before.
    assert_eq!(
        ask("2028-01-01", "2028-12-31"),
        (
            "year".into(),
            "2027-01-01".into(),
            "2027-12-31".into(),
            2,
            6
        )
    );
    // February of a leap year against January.
    assert_eq!(
        ask("2028-02-01", "2028-02-29"),
        (
            "month".into(),
            "2028-01-01".into(),
            "2028-01-31".into(),
            1,
            0
        )
    );
}
