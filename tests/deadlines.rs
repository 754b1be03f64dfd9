//! Deadlines end to end through the store: rules firing on real triggers and
//! dates, meeting and waiving (chronology and audit), rules as data, bank
//! holiday imports, alerts once per user, and the cron commands.

mod common;

use assert_cmd::Command;
use chrono::{DateTime, TimeZone, Utc};
use common::sql;
use dutydesk::domain::alert::AlertKind;
use dutydesk::domain::calendar::{Counting, OffsetUnit};
use dutydesk::domain::deadline::{CountsFrom, DeadlineState, Facts, TriggerEvent};
use dutydesk::domain::escalation::{AgeBand, Consent, Fgm, LocationType, Risk, SubjectKind};
use dutydesk::domain::staff::Role;
use dutydesk::store::deadlines::{self, RuleInput};
use dutydesk::store::escalations::{self, NewEscalation, Viewer};
use dutydesk::store::staff::{self, NewStaff};
use dutydesk::store::{self as st, Create, Store, StoreError};
use std::path::{Path, PathBuf};

fn utc(y: i32, mo: u32, d: u32, h: u32, mi: u32) -> DateTime<Utc> {
    Utc.with_ymd_and_hms(y, mo, d, h, mi, 0).unwrap()
}

/// A new database: alice (senior lead, as `init` makes the first account),
/// bob (viewer), carol (DSL). Marked as a demo, as the commands below act as
/// these people (`DUTYDESK_USER`).
fn desk(dir: &Path) -> (PathBuf, Store) {
    let path = dir.join("desk.db");
    let mut s = st::open(&path, Create::IfMissing).unwrap();
    s.write("alice", utc(2026, 1, 1, 9, 0), |w| {
        w.audit("create", "database", None, Some("demo"))?;
        st::settings::set(w, st::settings::DEMO, "1")?;
        st::seed::defaults(w, "Test Partnership")?;
        staff::bootstrap(
            w,
            &NewStaff {
                username: "alice",
                display_name: "Alice Moore",
                role: Role::Senior,
            },
        )?;
        staff::add(
            w,
            &NewStaff {
                username: "bob",
                display_name: "Bob Viewer",
                role: Role::Viewer,
            },
        )?;
        staff::add(
            w,
            &NewStaff {
                username: "carol",
                display_name: "Carol Day",
                role: Role::Dsl,
            },
        )?;
        Ok(())
    })
    .unwrap();
    (path, s)
}

fn concern(
    kind: SubjectKind,
    at: DateTime<Utc>,
    categories: &[&str],
    critical: bool,
) -> NewEscalation {
    NewEscalation {
        subject_kind: kind,
        subject_name: "Test Subject".into(),
        subject_dob: None,
        age_band: AgeBand::Unknown,
        area: "Leicester".into(),
        location_type: LocationType::Community,
        risk: Risk::Medium,
        raised_by: "Youth worker".into(),
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
        critical_incident: critical,
        restricted: false,
        categories: categories.iter().map(|c| c.to_string()).collect(),
        low_level: false,
        work_area: None,
        works_with: None,
        fgm: None,
    }
}

fn raise(s: &mut Store, e: &NewEscalation) -> i64 {
    s.write("alice", e.raised_at, |w| {
        let (id, r) = escalations::insert(w, 1, e)?;
        w.audit("create", "escalation", Some(&r), None)?;
        Ok(id)
    })
    .unwrap()
}

fn due_of(s: &Store, id: i64) -> Vec<(String, DateTime<Utc>)> {
    let me = staff::find(s, "alice").unwrap().unwrap();
    deadlines::list(s, Viewer::from(&me), true)
        .unwrap()
        .into_iter()
        .filter(|d| d.escalation_id == id)
        .map(|d| (d.label, d.due_at))
        .collect()
}

#[test]
fn a_staff_allegation_on_christmas_eve_is_due_to_the_lado_at_close_on_the_29th() {
    let dir = common::private_dir();
    let (_, mut s) = desk(dir.path());
    let id = raise(
        &mut s,
        &concern(
            SubjectKind::Staff,
            utc(2026, 12, 24, 16, 0),
            &["physical"],
            false,
        ),
    );
    let due = due_of(&s, id);
    // Close of business (17:00) on the next working day after Christmas,
    // the weekend and the substitute Boxing Day.
    assert!(
        due.contains(&("LADO referral".into(), utc(2026, 12, 29, 17, 0))),
        "{due:?}"
    );
    assert!(
        due.contains(&(
            "Written record of disclosure".into(),
            utc(2026, 12, 24, 23, 59)
        )),
        "{due:?}"
    );
    assert_eq!(due.len(), 2, "{due:?}");
}

#[test]
fn each_trigger_sets_its_deadlines() {
    let dir = common::private_dir();
    let (_, mut s) = desk(dir.path());
    // Critical incident over the spring clock change: Sat 28 Mar 2026 20:00 GMT.
    let id = raise(
        &mut s,
        &concern(
            SubjectKind::Adult,
            utc(2026, 3, 28, 20, 0),
            &["domestic"],
            true,
        ),
    );
    let due = due_of(&s, id);
    assert!(
        due.contains(&("Home Office initial report".into(), utc(2026, 3, 29, 19, 0))),
        "{due:?}"
    );
    assert!(
        due.contains(&(
            "Home Office follow-up report".into(),
            utc(2026, 3, 31, 19, 0)
        )),
        "{due:?}"
    );
    // Known FGM, a child, Saturday 31 Jan: the police told by close of the
    // next working day (Home Office), counted from Monday's opening, so
    // Tuesday 3 Feb 17:00; the legal limit a month later, 28 Feb.
    let mut fgm = concern(SubjectKind::Child, utc(2026, 1, 31, 10, 0), &["fgm"], false);
    fgm.fgm = Some(Fgm::Known);
    let id = raise(&mut s, &fgm);
    let due = due_of(&s, id);
    assert!(
        due.contains(&(
            "FGM: police told (legal limit, 1 month)".into(),
            utc(2026, 2, 28, 10, 0)
        )),
        "{due:?}"
    );
    assert!(
        due.contains(&(
            "FGM: police told (Home Office: by close of next working day)".into(),
            utc(2026, 2, 3, 17, 0)
        )),
        "{due:?}"
    );
    // FGM of an adult, or a girl at risk, does not set the police duty.
    fgm.subject_kind = SubjectKind::Adult;
    let id = raise(&mut s, &fgm);
    assert!(!due_of(&s, id).iter().any(|(l, _)| l.starts_with("FGM")));
    fgm.subject_kind = SubjectKind::Child;
    fgm.fgm = Some(Fgm::AtRisk);
    let id = raise(&mut s, &fgm);
    assert!(!due_of(&s, id).iter().any(|(l, _)| l.starts_with("FGM")));
    // A referral to children's social care on Thu 2 Apr 2026 (Easter next day).
    let id = raise(
        &mut s,
        &concern(
            SubjectKind::Child,
            utc(2026, 4, 2, 8, 0),
            &["neglect"],
            false,
        ),
    );
    let facts = Facts {
        route: Some("children".into()),
        ..Facts::default()
    };
    s.write("alice", utc(2026, 4, 2, 8, 0), |w| {
        deadlines::fire(
            w,
            id,
            TriggerEvent::ReferralMade,
            &facts,
            utc(2026, 4, 2, 8, 0),
            None,
        )?;
        w.audit("refer", "escalation", None, None)
    })
    .unwrap();
    // Good Friday and Easter Monday skipped; close of business Tuesday 7
    // April, 17:00 BST (16:00 UTC).
    assert!(due_of(&s, id).contains(&(
        "Children's social care decision (chase)".into(),
        utc(2026, 4, 7, 16, 0)
    )));
    // A strategy discussion recorded on Mon 14 Dec 2026: ICPC 15 working days on.
    let facts = Facts {
        event: Some("strategy_discussion".into()),
        ..Facts::default()
    };
    s.write("alice", utc(2026, 12, 14, 10, 0), |w| {
        deadlines::fire(
            w,
            id,
            TriggerEvent::EventRecorded,
            &facts,
            utc(2026, 12, 14, 10, 0),
            None,
        )?;
        w.audit("event", "escalation", None, None)
    })
    .unwrap();
    assert!(due_of(&s, id).contains(&(
        "Initial child protection conference".into(),
        utc(2027, 1, 7, 17, 0)
    )));
}

#[test]
fn each_rule_chooses_its_counting() {
    let dir = common::private_dir();
    let (_, mut s) = desk(dir.path());
    let now = utc(2026, 1, 1, 9, 0);
    // The seeded LADO rule ends at close of business: Friday 16:00 → Monday 17:00.
    let id = raise(
        &mut s,
        &concern(SubjectKind::Staff, utc(2026, 11, 20, 16, 0), &[], false),
    );
    assert!(due_of(&s, id).contains(&("LADO referral".into(), utc(2026, 11, 23, 17, 0))));
    // An organisation that reads it as the same time the next working day.
    let mut lado = rule(
        "lado_referral",
        1,
        OffsetUnit::WorkingDays,
        "subject:staff",
        240,
    );
    lado.name = "LADO referral".into();
    lado.meets = "route:lado".into();
    s.write("alice", now, |w| deadlines::save_rule(w, &lado))
        .unwrap();
    let id = raise(
        &mut s,
        &concern(SubjectKind::Staff, utc(2026, 11, 20, 16, 0), &[], false),
    );
    assert!(due_of(&s, id).contains(&("LADO referral".into(), utc(2026, 11, 23, 16, 0))));
    // The old organisation-wide setting is gone, and says what replaced it.
    let e = s
        .write("alice", now, |w| {
            st::settings::change(w, "deadline_counting", "end_of_day")
        })
        .unwrap_err();
    assert!(e.to_string().contains("rules set"), "{e}");
}

#[test]
fn meeting_and_waiving_are_recorded_and_happen_once() {
    let dir = common::private_dir();
    let (path, mut s) = desk(dir.path());
    let id = raise(
        &mut s,
        &concern(SubjectKind::Staff, utc(2026, 11, 23, 9, 0), &[], true),
    );
    let me = staff::find(&s, "alice").unwrap().unwrap();
    let open = deadlines::open_page(&s, Viewer::from(&me), 0, 10).unwrap();
    // The written record was met at intake: the exact words are recorded.
    assert_eq!(open.len(), 3, "{open:?}");
    let lado = open.iter().find(|d| d.label == "LADO referral").unwrap().id;
    let record = open
        .iter()
        .find(|d| d.label.starts_with("Home Office follow-up"))
        .unwrap()
        .id;
    let now = utc(2026, 11, 23, 11, 0);
    s.write("carol", now, |w| {
        deadlines::meet(w, lado, "spoke to LADO, ref L-7")
    })
    .unwrap();
    // Twice: refused, naming who did it.
    match s.write("alice", now, |w| deadlines::meet(w, lado, "")) {
        Err(StoreError::Conflict(who, _)) => assert_eq!(who, "Carol Day"),
        other => panic!("{other:?}"),
    }
    // A waiver needs a reason (bad input); a viewer may not waive.
    assert!(matches!(
        s.write("alice", now, |w| deadlines::waive(w, record, "  ")),
        Err(StoreError::Invalid(_))
    ));
    assert!(matches!(
        s.write("bob", now, |w| deadlines::waive(w, record, "no")),
        Err(StoreError::Refused(_))
    ));
    s.write("alice", now, |w| {
        deadlines::waive(w, record, "recorded on the paper form at the time")
    })
    .unwrap();
    let all = deadlines::list(&s, Viewer::from(&me), true).unwrap();
    let state = |l: &str| all.iter().find(|d| d.label == l).unwrap().state.clone();
    assert!(matches!(state("LADO referral"), DeadlineState::Met { by, .. } if by == "Carol Day"));
    assert!(
        matches!(state("Home Office follow-up report"), DeadlineState::Waived { reason, .. } if reason.contains("paper form"))
    );
    let c = sql(&path);
    let chron: Vec<String> = c
        .prepare("SELECT kind || ': ' || body FROM chronology WHERE escalation_id = ?1 ORDER BY id")
        .unwrap()
        .query_map([id], |r| r.get(0))
        .unwrap()
        .map(Result::unwrap)
        .collect();
    assert!(
        chron
            .iter()
            .any(|l| l == "deadline_met: Deadline met: LADO referral. spoke to LADO, ref L-7"),
        "{chron:?}"
    );
    assert!(
        chron
            .iter()
            .any(|l| l.starts_with("deadline_waived: ") && l.contains("paper form")),
        "{chron:?}"
    );
    let audit: i64 = c
        .query_row("SELECT count(*) FROM audit_log WHERE entity = 'deadline' AND action IN ('meet', 'waive')", [], |r| r.get(0))
        .unwrap();
    assert_eq!(audit, 2);
    // The escalation's next deadline moved on to what is still open.
    let next: i64 = c
        .query_row(
            "SELECT next_due_at FROM escalations WHERE id = ?1",
            [id],
            |r| r.get(0),
        )
        .unwrap();
    assert_eq!(
        next,
        utc(2026, 11, 24, 9, 0).timestamp(),
        "Home Office initial report"
    );
}

fn rule(code: &str, amount: i64, unit: OffsetUnit, matcher: &str, warn: i64) -> RuleInput {
    RuleInput {
        code: code.into(),
        name: "Local first response".into(),
        event: TriggerEvent::EscalationOpened,
        matcher: matcher.into(),
        amount,
        unit,
        warn_minutes: warn,
        active: true,
        counts_from: CountsFrom::Recorded,
        counting: Counting::SameTime,
        meets: String::new(),
        repeats: false,
    }
}

#[test]
fn organisations_change_and_add_rules_without_code_but_not_nonsense() {
    let dir = common::private_dir();
    let (_, mut s) = desk(dir.path());
    let now = utc(2026, 11, 23, 9, 0);
    for (bad, why) in [
        (rule("red", -1, OffsetUnit::Hours, "any", 60), "0 to 366"),
        (
            rule("red", 5000, OffsetUnit::CalendarDays, "any", 60),
            "0 to 366",
        ),
        (
            rule("red", 4, OffsetUnit::Hours, "risk:severe", 60),
            "not a condition",
        ),
        (
            rule(
                "red",
                4,
                OffsetUnit::Hours,
                "category:fmg+subject:child",
                60,
            ),
            "not one of the organisation's categories",
        ),
        (
            rule("red", 4, OffsetUnit::Hours, "route:ladoo", 60),
            "is not a route",
        ),
        (
            RuleInput {
                counting: Counting::EndOfWorkingDay,
                ..rule("red", 4, OffsetUnit::Hours, "any", 60)
            },
            "end_of_working_day counts working days",
        ),
        (
            RuleInput {
                meets: "event:icpc".into(),
                ..rule("red", 4, OffsetUnit::Hours, "any", 60)
            },
            "not an event",
        ),
        (rule("red", 4, OffsetUnit::Hours, "any", -5), "0 to 43200"),
        (
            rule("Red Rule", 4, OffsetUnit::Hours, "any", 60),
            "not a rule code",
        ),
    ] {
        match s.write("alice", now, |w| deadlines::save_rule(w, &bad)) {
            Err(StoreError::Invalid(m)) => assert!(m.contains(why), "{m}"),
            other => panic!("{other:?}"),
        }
    }
    // A viewer cannot.
    assert!(
        s.write("bob", now, |w| deadlines::save_rule(
            w,
            &rule("red", 4, OffsetUnit::Hours, "immediate_risk", 60)
        ))
        .is_err()
    );
    // A DSL can: a red first-response time of 4 hours for immediate risk.
    assert!(
        !s.write("alice", now, |w| deadlines::save_rule(
            w,
            &rule("red", 4, OffsetUnit::Hours, "immediate_risk", 60)
        ))
        .unwrap()
    );
    let mut e = concern(SubjectKind::Child, now, &["neglect"], false);
    e.immediate_risk = true;
    let id = raise(&mut s, &e);
    assert!(due_of(&s, id).contains(&("Local first response".into(), utc(2026, 11, 23, 13, 0))));
    // Changing the s42 default to 3 working days applies to referrals after.
    let mut s42 = rule(
        "s42_decision",
        3,
        OffsetUnit::WorkingDays,
        "route:adults",
        240,
    );
    s42.event = TriggerEvent::ReferralMade;
    s42.name = "Section 42 decision".into();
    assert!(
        s.write("alice", now, |w| deadlines::save_rule(w, &s42))
            .unwrap()
    );
    let facts = Facts {
        route: Some("adults".into()),
        ..Facts::default()
    };
    s.write("alice", now, |w| {
        deadlines::fire(w, id, TriggerEvent::ReferralMade, &facts, now, None)?;
        w.audit("refer", "escalation", None, None)
    })
    .unwrap();
    assert!(due_of(&s, id).contains(&("Section 42 decision".into(), utc(2026, 11, 26, 9, 0))));
}

#[test]
fn alerts_are_announced_once_per_user_across_sessions() {
    let dir = common::private_dir();
    let (path, mut s) = desk(dir.path());
    let raised = utc(2026, 11, 23, 9, 0);
    // No exact words at intake: the written record is still to be made.
    let mut e = concern(SubjectKind::Staff, raised, &[], false);
    e.exact_words = dutydesk::domain::escalation::NO_WORDS.into();
    raise(&mut s, &e);
    let alice = staff::find(&s, "alice").unwrap().unwrap();
    let carol = staff::find(&s, "carol").unwrap().unwrap();
    let mut other = st::open(&path, Create::No).unwrap();
    let mut seen = Default::default();
    // 22:00: the written record (23:59) is due soon; nobody holds the case and
    // nobody is on duty, so both DSLs hear, each once.
    let t = utc(2026, 11, 23, 22, 0);
    // Only deadline alerts here (the case also goes unacknowledged: tested below).
    let deadline_only =
        |v: Vec<dutydesk::domain::alert::Alert>| -> Vec<dutydesk::domain::alert::Alert> {
            v.into_iter()
                .filter(|a| matches!(a.kind, AlertKind::DueSoon | AlertKind::Overdue))
                .collect()
        };
    let a1 =
        deadline_only(dutydesk::store::worker::check_alerts(&mut s, &alice, t, &mut seen).unwrap());
    assert_eq!(a1.len(), 1, "{a1:?}");
    assert!(
        a1[0]
            .line()
            .starts_with("SG-2026-0001 due soon: Written record")
    );
    let mut seen2 = Default::default();
    assert!(
        dutydesk::store::worker::check_alerts(&mut other, &alice, t, &mut seen2)
            .unwrap()
            .is_empty(),
        "alice's second session stays quiet"
    );
    // Carol's own session (a session's memory of what it announced is one
    // user's: it skips claiming those again, issue 21).
    let mut seen3 = Default::default();
    assert_eq!(
        deadline_only(
            dutydesk::store::worker::check_alerts(&mut other, &carol, t, &mut seen3).unwrap()
        )
        .len(),
        1
    );
    // After close of business the next day both deadlines are overdue (the
    // LADO's at Tuesday 17:00): new events, announced once.
    let t = utc(2026, 11, 24, 17, 30);
    let a2 =
        deadline_only(dutydesk::store::worker::check_alerts(&mut s, &alice, t, &mut seen).unwrap());
    let kinds: Vec<String> = a2.iter().map(|a| a.line()).collect();
    assert_eq!(a2.len(), 2, "{kinds:?}");
    assert!(kinds.iter().all(|k| k.contains("overdue")), "{kinds:?}");
    assert!(
        dutydesk::store::worker::check_alerts(&mut s, &alice, t, &mut seen)
            .unwrap()
            .is_empty()
    );
}

fn dd(user: &str, path: &Path) -> Command {
    let mut c = Command::cargo_bin("dutydesk").unwrap();
    c.env("DUTYDESK_USER", user)
        .env("DUTYDESK_NOW", "2026-11-24T09:30:00Z")
        .env("DUTYDESK_DB", path)
        .env("DUTYDESK_CONFIG", "/dev/null")
        .env_remove("DBUS_SESSION_BUS_ADDRESS")
        .env_remove("XDG_RUNTIME_DIR");
    c
}

#[test]
fn cron_commands_list_and_announce() {
    let dir = common::private_dir();
    let (path, mut s) = desk(dir.path());
    let mut e = concern(SubjectKind::Staff, utc(2026, 11, 23, 9, 0), &[], false);
    e.exact_words = dutydesk::domain::escalation::NO_WORDS.into();
    raise(&mut s, &e);
    drop(s);
    let out = dd("alice", &path)
        .args(["deadlines", "--json"])
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let rows = v["items"].as_array().unwrap();
    assert_eq!(rows.len(), 2);
    assert_eq!(rows[0]["reference"], "SG-2026-0001");
    assert_eq!(rows[0]["label"], "Written record of disclosure");
    assert_eq!(rows[0]["due_at"], "2026-11-23T23:59:00+00:00");
    assert_eq!(rows[0]["status"], "overdue");
    // The LADO's: close of business the next working day, not due soon
    // until four working hours before it.
    assert_eq!(rows[1]["due_at"], "2026-11-24T17:00:00+00:00");
    assert_eq!(rows[1]["status"], "ok");
    // With no D-Bus session at all, notify --once still returns promptly.
    let started = std::time::Instant::now();
    let out = dd("alice", &path)
        .args(["notify", "--once"])
        .timeout(std::time::Duration::from_secs(20))
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(started.elapsed() < std::time::Duration::from_secs(20));
    let text = String::from_utf8_lossy(&out.stdout);
    assert_eq!(text.lines().count(), 2, "{text}");
    assert!(text.contains("SG-2026-0001 not acknowledged"), "{text}");
    assert!(
        text.contains(
            "SG-2026-0001 overdue: Written record of disclosure was due 23 Nov 2026 23:59"
        ),
        "{text}"
    );
    // Announced once: a second run says nothing.
    let out = dd("alice", &path)
        .args(["notify", "--once"])
        .output()
        .unwrap();
    assert!(out.status.success());
    assert!(
        out.stdout.is_empty(),
        "{}",
        String::from_utf8_lossy(&out.stdout)
    );
    // --all includes what was met.
    let out = dd("alice", &path)
        .args(["deadlines", "--all"])
        .output()
        .unwrap();
    assert!(String::from_utf8_lossy(&out.stdout).contains("LADO referral"));
}

#[test]
fn holiday_imports_are_idempotent_and_all_or_nothing() {
    let dir = common::private_dir();
    let (path, mut s) = desk(dir.path());
    // A staff allegation on Fri 31 Dec 2027 + 1 working day would need 2028's
    // holidays: Mon 3 Jan 2028 at close is counted, flagged as past the
    // known calendar.
    raise(
        &mut s,
        &concern(SubjectKind::Staff, utc(2027, 12, 31, 10, 0), &[], false),
    );
    drop(s);
    let out = dd("alice", &path)
        .args(["deadlines", "--json"])
        .output()
        .unwrap();
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let lado = v["items"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["label"] == "LADO referral")
        .unwrap()
        .clone();
    assert_eq!(lado["due_at"], "2028-01-03T17:00:00+00:00");
    assert_eq!(lado["beyond_known_holidays"], true);
    // A bad file imports nothing.
    let bad = dir.path().join("bad.json");
    std::fs::write(&bad, r#"{"england-and-wales":{"events":[{"title":"New Year's Day","date":"2028-01-03"},{"title":"x","date":"2028-02-30"}]}}"#).unwrap();
    let out = dd("alice", &path)
        .args(["holidays", "import"])
        .arg(&bad)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("nothing imported"));
    let out = dd("alice", &path)
        .args(["holidays", "list", "--year", "2028"])
        .output()
        .unwrap();
    assert!(
        String::from_utf8_lossy(&out.stdout)
            .contains("No england-and-wales bank holidays known for 2028")
    );
    // A file with one 2028 date is a stray, not a year's list: refused.
    let stray = dir.path().join("stray.json");
    std::fs::write(&stray, r#"{"england-and-wales":{"division":"england-and-wales","events":[{"title":"New Year's Day","date":"2028-01-03","notes":"Substitute day","bunting":true}]}}"#).unwrap();
    let out = dd("alice", &path)
        .args(["holidays", "import"])
        .arg(&stray)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(
        String::from_utf8_lossy(&out.stderr).contains("only 1 bank holiday(s) in 2028"),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    // The real 2028 list: 3 Jan is the substitute New Year holiday. The open
    // LADO deadline is recounted to Tue 4 Jan and no longer flagged.
    let good = dir.path().join("good.json");
    let events: Vec<String> = [
        ("New Year's Day", "2028-01-03", "Substitute day"),
        ("Good Friday", "2028-04-14", ""),
        ("Easter Monday", "2028-04-17", ""),
        ("Early May bank holiday", "2028-05-01", ""),
        ("Spring bank holiday", "2028-05-29", ""),
        ("Summer bank holiday", "2028-08-28", ""),
        ("Christmas Day", "2028-12-25", ""),
        ("Boxing Day", "2028-12-26", ""),
    ]
    .iter()
    .map(|(t, d, n)| format!(r#"{{"title":"{t}","date":"{d}","notes":"{n}","bunting":true}}"#))
    .collect();
    std::fs::write(
        &good,
        format!(
            r#"{{"england-and-wales":{{"division":"england-and-wales","events":[{}]}},"scotland":{{"division":"scotland","events":[]}}}}"#,
            events.join(",")
        ),
    )
    .unwrap();
    let out = dd("alice", &path)
        .args(["holidays", "import"])
        .arg(&good)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(
        String::from_utf8_lossy(&out.stdout)
            .contains("8 new or changed; 1 open deadlines recounted"),
        "{}",
        String::from_utf8_lossy(&out.stdout)
    );
    let out = dd("alice", &path)
        .args(["holidays", "import"])
        .arg(&good)
        .output()
        .unwrap();
    assert!(
        String::from_utf8_lossy(&out.stdout).contains("0 new or changed; 0 open"),
        "{}",
        String::from_utf8_lossy(&out.stdout)
    );
    let out = dd("alice", &path)
        .args(["deadlines", "--json"])
        .output()
        .unwrap();
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let lado = v["items"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["label"] == "LADO referral")
        .unwrap()
        .clone();
    assert_eq!(lado["due_at"], "2028-01-04T17:00:00+00:00");
    assert_eq!(lado["beyond_known_holidays"], false);
    // `holidays list` keeps the feed's notes.
    let out = dd("alice", &path)
        .args(["holidays", "list", "--year", "2028"])
        .output()
        .unwrap();
    assert!(
        String::from_utf8_lossy(&out.stdout)
            .contains("Mon 03 Jan 2028  New Year's Day (Substitute day)"),
        "{}",
        String::from_utf8_lossy(&out.stdout)
    );
    // A division with no holidays loaded is refused: every day would count
    // as a working day. Nothing changes.
    let out = dd("alice", &path)
        .args(["settings", "set", "holiday_division", "scotland"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(
        String::from_utf8_lossy(&out.stderr).contains("no scotland bank holidays are loaded"),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let out = dd("alice", &path)
        .args(["settings", "list"])
        .output()
        .unwrap();
    assert!(String::from_utf8_lossy(&out.stdout).contains("holiday_division   england-and-wales"));
}

#[test]
fn an_unacknowledged_escalation_is_announced_again_then_to_everyone() {
    let dir = common::private_dir();
    let (_, mut s) = desk(dir.path());
    let raised = utc(2026, 11, 23, 9, 0);
    raise(
        &mut s,
        &concern(SubjectKind::Child, raised, &["neglect"], false),
    );
    // Carol is on duty.
    s.write("alice", raised, |w| {
        st::seed::demo_rota(
            w,
            3,
            raised.timestamp() - 3600,
            raised.timestamp() + 8 * 3600,
        )?;
        w.audit("add", "rota", None, None)
    })
    .unwrap();
    let alice = staff::find(&s, "alice").unwrap().unwrap();
    let carol = staff::find(&s, "carol").unwrap().unwrap();
    let kinds = |s: &mut Store, who: &dutydesk::domain::staff::StaffMember, t| -> Vec<AlertKind> {
        let mut seen = Default::default();
        dutydesk::store::worker::check_alerts(s, who, t, &mut seen)
            .unwrap()
            .into_iter()
            .map(|a| a.kind)
            .filter(|k| matches!(k, AlertKind::Unacknowledged | AlertKind::UnacknowledgedAll))
            .collect()
    };
    // 10 minutes: nobody yet. 16 minutes: the duty DSL. 31 minutes: everyone.
    assert!(kinds(&mut s, &carol, utc(2026, 11, 23, 9, 10)).is_empty());
    assert_eq!(
        kinds(&mut s, &carol, utc(2026, 11, 23, 9, 16)),
        vec![AlertKind::Unacknowledged]
    );
    assert!(kinds(&mut s, &alice, utc(2026, 11, 23, 9, 16)).is_empty());
    assert_eq!(
        kinds(&mut s, &alice, utc(2026, 11, 23, 9, 31)),
        vec![AlertKind::UnacknowledgedAll]
    );
    assert_eq!(
        kinds(&mut s, &carol, utc(2026, 11, 23, 9, 31)),
        vec![AlertKind::UnacknowledgedAll]
    );
    // Once acknowledged, nothing more.
    s.write("carol", utc(2026, 11, 23, 9, 32), |w| {
        st::workflow::acknowledge(w, 1, None, false)
    })
    .unwrap();
    assert!(kinds(&mut s, &alice, utc(2026, 11, 23, 9, 50)).is_empty());
}
