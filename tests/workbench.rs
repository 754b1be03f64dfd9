//! The DSL's workbench (issue 18), through the real binary on a demo-marked
//! desk at fixed moments: names compared folded, search over open and closed
//! cases, a person's chronology over linked cases with one restricted,
//! corrections that fire rules from when the fact was recognised, tasks in
//! the handover and the owner's alerts, the sign-off queue between two
//! sessions, attachments (attach, view, export, refusals) and exports to files.

mod common;

use assert_cmd::Command;
use std::path::{Path, PathBuf};

const T0: &str = "2026-11-23T09:00:00Z";

fn dd(user: &str, db: &Path, now: &str) -> Command {
    let mut c = Command::cargo_bin("dutydesk").unwrap();
    c.env("DUTYDESK_USER", user)
        .env("DUTYDESK_DB", db)
        .env("DUTYDESK_NOW", now)
        .env("DUTYDESK_CONFIG", db.with_extension("toml"))
        .env("DUTYDESK_SYSTEM_CONFIG", db.with_extension("system.toml"))
        .env("NO_COLOR", "1");
    c
}

fn run(user: &str, db: &Path, now: &str, args: &[&str]) -> (i32, String, String) {
    let o = dd(user, db, now).args(args).output().unwrap();
    (
        o.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&o.stdout).into_owned(),
        String::from_utf8_lossy(&o.stderr).into_owned(),
    )
}

fn ok(user: &str, db: &Path, now: &str, args: &[&str]) -> String {
    let (code, out, err) = run(user, db, now, args);
    assert_eq!(code, 0, "{user} {args:?}: {err}{out}");
    out
}

fn audit_rows(db: &Path) -> i64 {
    common::sql(db)
        .query_row("SELECT count(*) FROM audit_log", [], |r| r.get(0))
        .unwrap()
}

/// A desk with a senior lead, two DSLs and a viewer, at `T0`.
fn desk() -> (tempfile::TempDir, PathBuf) {
    let dir = common::private_dir();
    let db = dir.path().join("desk.db");
    common::desk_db(
        &db,
        "Workbench",
        &[
            ("sam", "Sam Reed", "senior"),
            ("nina", "Nina Patel", "dsl"),
            ("dan", "Dan Okoro", "dsl"),
            ("vic", "Vic Lamb", "viewer"),
        ],
        common::at(T0),
    );
    (dir, db)
}

fn new_case(db: &Path, now: &str, extra: &[&str]) -> String {
    let mut args = vec![
        "new",
        "--subject",
        "child",
        "--area",
        "Rutland",
        "--category",
        "neglect",
        "--risk",
        "medium",
        "--summary",
        "school noticed",
        "--words",
        "nobody makes my tea",
    ];
    args.extend_from_slice(extra);
    ok("nina", db, now, &args).trim().to_string()
}

#[test]
fn names_are_compared_folded_in_repeats_and_search() {
    let (_d, db) = desk();
    let first = new_case(
        &db,
        T0,
        &["--name", "Jamie Fictional", "--dob", "02/03/2014"],
    );
    let zoe = new_case(&db, T0, &["--name", "Zoë Example"]);
    // Two spaces, other case: offered as the same person (name and dob).
    let (code, _, err) = run(
        "nina",
        &db,
        T0,
        &[
            "new",
            "--subject",
            "child",
            "--name",
            "Jamie  FICTIONAL",
            "--dob",
            "2014-03-02",
            "--area",
            "Leicester",
            "--category",
            "neglect",
            "--risk",
            "low",
            "--summary",
            "again",
        ],
    );
    assert_eq!(code, 0, "{err}");
    assert!(err.contains(&first), "repeat offered: {err}");
    let (_, _, err) = run(
        "nina",
        &db,
        T0,
        &[
            "new",
            "--subject",
            "child",
            "--name",
            "ZOË EXAMPLE",
            "--area",
            "Rutland",
            "--category",
            "neglect",
            "--risk",
            "low",
            "--summary",
            "again",
        ],
    );
    assert!(err.contains(&zoe), "ZOË is Zoë: {err}");
    // Search: any case, spacing, accents, part of a word, the reference.
    for q in [
        "jamie  fictional",
        "FICT",
        "zoe",
        "ZOË",
        &first.to_lowercase(),
    ] {
        let out = ok("dan", &db, T0, &["search", q]);
        assert!(
            out.contains(&first) || out.contains(&zoe),
            "{q:?} finds nothing: {out}"
        );
    }
    let out = ok("dan", &db, T0, &["search", "02/03/2014"]);
    assert_eq!(
        out.lines().filter(|l| l.starts_with("SG-")).count(),
        2,
        "both Jamies by date of birth: {out}"
    );
    // Nothing matches: said plainly, exit 0, the words not repeated.
    let (code, out, err) = run("dan", &db, T0, &["search", "Nobody", "Atall"]);
    assert_eq!(code, 0);
    assert!(
        out.is_empty() && err.contains("No case you may see matches"),
        "{err}"
    );
    // A viewer searches by reference only.
    let (code, _, err) = run("vic", &db, T0, &["search", "jamie"]);
    assert_ne!(code, 0);
    assert!(err.contains("reference only"), "{err}");
    let out = ok("vic", &db, T0, &["search", &first]);
    assert!(out.contains(&first) && !out.contains("Jamie"), "{out}");
}

#[test]
fn search_covers_closed_cases_and_filters_narrow_it() {
    let (_d, db) = desk();
    let closed = new_case(&db, T0, &["--name", "Kit Closed"]);
    ok(
        "nina",
        &db,
        T0,
        &[
            "close",
            &closed,
            "--outcome",
            "advice-given",
            "--rationale",
            "advice",
        ],
    );
    let open = new_case(&db, T0, &["--name", "Kit Open"]);
    ok("dan", &db, T0, &["ack", &open]);
    let high = new_case(&db, T0, &["--name", "Kit High"]);
    ok(
        "nina",
        &db,
        T0,
        &[
            "correct",
            &high,
            "--risk",
            "high",
            "--reason",
            "escalating threats",
        ],
    );
    let both = ok("nina", &db, T0, &["search", "kit"]);
    assert!(both.contains(&closed) && both.contains(&open), "{both}");
    let s = |f: &[&str]| {
        let mut a = vec!["search", "kit"];
        a.extend_from_slice(f);
        ok("dan", &db, T0, &a)
    };
    let c = s(&["--status", "closed"]);
    assert!(c.contains(&closed) && !c.contains(&open), "{c}");
    let m = s(&["--mine"]);
    assert!(m.contains(&open) && !m.contains(&closed), "{m}");
    let h = s(&["--high-risk"]);
    assert!(h.contains(&high) && !h.contains(&open), "{h}");
    let u = s(&["--unassigned"]);
    assert!(u.contains(&high) && !u.contains(&open), "{u}");
    // Restricted is for senior leads; list takes the same filters.
    let (code, _, err) = run("dan", &db, T0, &["search", "kit", "--restricted"]);
    assert_ne!(code, 0);
    assert!(err.contains("senior leads"), "{err}");
    ok("sam", &db, T0, &["search", "kit", "--restricted"]);
    let l = ok("dan", &db, T0, &["list", "--status", "all", "--high-risk"]);
    assert!(l.contains(&high) && !l.contains(&closed), "{l}");
    // Re-opened from a search result (the same verb as the screen's `o`).
    ok(
        "dan",
        &db,
        T0,
        &["reopen", &closed, "--reason", "new information"],
    );
    let again = s(&["--status", "open"]);
    assert!(again.contains(&closed), "{again}");
}

#[test]
fn a_persons_chronology_merges_linked_cases_and_hides_a_restricted_one() {
    let (_d, db) = desk();
    let t1 = "2026-11-23T09:00:00Z";
    let t2 = "2026-11-24T10:00:00Z";
    let t3 = "2026-11-25T11:00:00Z";
    let a = new_case(&db, t1, &["--name", "Robin Example"]);
    ok("nina", &db, t1, &["note", &a, "first note about robin"]);
    let b = new_case(&db, t2, &["--name", "Robin Example"]);
    ok("nina", &db, t2, &["note", &b, "second note about robin"]);
    // The third: an allegation about staff, restricted, that names Robin.
    let c = ok(
        "sam",
        &db,
        t3,
        &[
            "new",
            "--subject",
            "staff",
            "--name",
            "Alex Worker",
            "--area",
            "Rutland",
            "--category",
            "physical",
            "--risk",
            "high",
            "--summary",
            "about robin",
            "--restricted",
            "--about",
            "none",
        ],
    )
    .trim()
    .to_string();
    ok("sam", &db, t3, &["note", &c, "hidden restricted words"]);
    ok("nina", &db, t3, &["link", &a, &b]);
    ok("sam", &db, t3, &["link", &b, &c]);
    let full = ok("sam", &db, t3, &["person", &a]);
    assert!(full.starts_with("3 linked case(s)"), "{full}");
    let first = full.find("first note").unwrap();
    let second = full.find("second note").unwrap();
    let third = full.find("hidden restricted words").unwrap();
    assert!(first < second && second < third, "time order: {full}");
    assert!(
        full.contains(&format!("{c}  Sam Reed")),
        "each entry's case: {full}"
    );
    // A DSL not named sees two cases, and nothing of the third.
    let dan = ok("dan", &db, t3, &["person", &b]);
    assert!(dan.starts_with("2 linked case(s)"), "{dan}");
    assert!(
        !dan.contains(&c) && !dan.contains("hidden restricted"),
        "{dan}"
    );
    // Asking for the restricted one is refused as a missing one.
    let (code, _, err) = run("dan", &db, t3, &["person", &c]);
    let (mcode, _, merr) = run("dan", &db, t3, &["person", "SG-2026-9999"]);
    assert_eq!(
        (code, err.replace(&c, "X")),
        (mcode, merr.replace("SG-2026-9999", "X"))
    );
    // Each case shown was a view in the trail.
    let views: i64 = common::sql(&db)
        .query_row(
            "SELECT count(*) FROM audit_log WHERE actor = 'dan' AND action = 'view'",
            [],
            |r| r.get(0),
        )
        .unwrap();
    assert_eq!(views, 2);
    // Unlinking needs a reason, and is audited.
    let (code, _, err) = run("nina", &db, t3, &["unlink", &a, &b, "--reason", " "]);
    assert_ne!(code, 0);
    assert!(err.contains("reason"), "{err}");
    ok(
        "nina",
        &db,
        t3,
        &["unlink", &a, &b, "--reason", "another Robin"],
    );
    let after = ok("nina", &db, t3, &["person", &a]);
    assert!(after.starts_with("1 linked case(s)"), "{after}");
    let unlinks: i64 = common::sql(&db)
        .query_row(
            "SELECT count(*) FROM audit_log WHERE action = 'unlink'",
            [],
            |r| r.get(0),
        )
        .unwrap();
    assert_eq!(unlinks, 2, "both sides");
}

#[test]
fn a_correction_needs_a_reason_and_fires_the_rules_it_brings_from_recognition() {
    let (_d, db) = desk();
    let r = new_case(&db, T0, &["--name", "Sam Child", "--dob", "2012-01-01"]);
    // No reason: refused, nothing written.
    let before = audit_rows(&db);
    let (code, _, err) = run("nina", &db, T0, &["correct", &r, "--critical"]);
    assert_ne!(code, 0);
    assert!(err.contains("needs a reason"), "{err}");
    assert_eq!(audit_rows(&db), before);
    // Day 3: a critical incident recognised at 14:00 (entered at 16:00).
    let day3 = "2026-11-25T16:00:00Z";
    let out = ok(
        "nina",
        &db,
        day3,
        &[
            "correct",
            &r,
            "--critical",
            "--at",
            "25/11/2026 14:00",
            "--risk",
            "high",
            "--reason",
            "police confirmed a stabbing at the school",
        ],
    );
    assert!(out.contains("critical incident: no → yes"), "{out}");
    let dl = ok("nina", &db, day3, &["deadlines", "--json"]);
    let v: serde_json::Value = serde_json::from_str(&dl).unwrap();
    let initial = v["items"]
        .as_array()
        .unwrap()
        .iter()
        .find(|d| d["reference"] == r.as_str() && d["rule"].as_str().unwrap().contains("initial"))
        .expect("Home Office initial report set");
    // One calendar day from 14:00 on day 3, not from the case's opening.
    assert!(
        initial["due"]
            .as_str()
            .unwrap()
            .starts_with("2026-11-26T14:00"),
        "{initial}"
    );
    // FGM disclosed at a second meeting: its rule fires too; old and new
    // values are in the chronology, the trail names the fields only.
    let out = ok(
        "nina",
        &db,
        day3,
        &[
            "correct",
            &r,
            "--categories",
            "neglect,fgm",
            "--fgm",
            "known",
            "--reason",
            "disclosed at the second meeting",
        ],
    );
    assert!(out.contains("FGM"), "{out}");
    let show = ok("nina", &db, day3, &["show", &r]);
    assert!(show.contains("FGM: police told"), "{show}");
    assert!(show.contains("risk: medium → high"), "{show}");
    let detail: String = common::sql(&db)
        .query_row(
            "SELECT detail FROM audit_log WHERE action = 'correct' ORDER BY id DESC LIMIT 1",
            [],
            |r| r.get(0),
        )
        .unwrap();
    assert!(detail.starts_with("fields=categories"), "{detail}");
    assert!(
        !detail.to_lowercase().contains("fgm") && !detail.contains("second meeting"),
        "{detail}"
    );
    // A correction that changes nothing, or a child aged 30, is refused.
    let (code, _, err) = run(
        "nina",
        &db,
        day3,
        &["correct", &r, "--risk", "high", "--reason", "x"],
    );
    assert_ne!(code, 0);
    assert!(err.contains("already says that"), "{err}");
    let (code, _, err) = run(
        "nina",
        &db,
        day3,
        &["correct", &r, "--dob", "01/01/1990", "--reason", "typo"],
    );
    assert_ne!(code, 0);
    assert!(err.contains("under 18"), "{err}");
}

#[test]
fn tasks_count_down_reach_their_owner_and_the_handover() {
    let (_d, db) = desk();
    let r = new_case(&db, T0, &["--name", "Task Child"]);
    let (code, _, err) = run(
        "nina",
        &db,
        T0,
        &[
            "task", "add", &r, "--owner", "dan", "--due", "08:00", "too late",
        ],
    );
    assert_ne!(code, 0);
    assert!(err.contains("has passed"), "{err}");
    let out = ok(
        "nina",
        &db,
        T0,
        &[
            "task", "add", &r, "--owner", "dan", "--due", "10:00", "ring", "the", "school", "back",
        ],
    );
    assert!(out.contains("for Dan Okoro"), "{out}");
    let list = ok("dan", &db, T0, &["task", "list"]);
    assert!(
        list.contains("ring the school back") && list.contains(&r),
        "{list}"
    );
    let handover = ok("nina", &db, T0, &["handover"]);
    assert!(
        handover.contains("Task for Dan Okoro: ring the school back"),
        "{handover}"
    );
    // Due soon at 09:30: the owner's alert says "A task", never its words.
    let alerts = ok("dan", &db, "2026-11-23T09:30:00Z", &["notify", "--once"]);
    assert!(alerts.contains(&r) && alerts.contains("A task"), "{alerts}");
    assert!(!alerts.contains("school"), "{alerts}");
    // Done with a note; cancelling needs one.
    let id = list.split_whitespace().next().unwrap().to_string();
    let (code, _, err) = run("dan", &db, T0, &["task", "cancel", &id, "--note", " "]);
    assert_ne!(code, 0);
    assert!(err.contains("why"), "{err}");
    ok(
        "dan",
        &db,
        T0,
        &["task", "done", &id, "--note", "spoke to the head"],
    );
    let show = ok("dan", &db, T0, &["show", &r]);
    assert!(
        show.contains("done by Dan Okoro") && show.contains("spoke to the head"),
        "{show}"
    );
    let (code, _, err) = run("dan", &db, T0, &["task", "done", &id]);
    assert_ne!(code, 0);
    assert!(err.contains("already done"), "{err}");
}

#[test]
fn the_signoff_queue_between_two_sessions() {
    use dutydesk::store::{self, Create};
    let (_d, db) = desk();
    let r = new_case(&db, T0, &["--name", "Queue Child"]);
    ok(
        "nina",
        &db,
        T0,
        &["correct", &r, "--risk", "high", "--reason", "threats"],
    );
    ok(
        "nina",
        &db,
        T0,
        &[
            "close",
            &r,
            "--outcome",
            "advice-given",
            "--rationale",
            "parents engaged; school monitoring",
        ],
    );
    // Dan's session: the count in the header, the queue with the outcome and
    // the rationale, and the desk's sign-off alert for him, not for Nina.
    let st = store::open(&db, Create::No).unwrap();
    let dan = store::staff::authenticate(&st, "dan").unwrap();
    let nina = store::staff::authenticate(&st, "nina").unwrap();
    let data = store::worker::load_dashboard(&st, &dan, common::at(T0), 0, 50, None, 0).unwrap();
    assert_eq!(data.signoff_waiting, 1);
    let mine = store::worker::load_dashboard(&st, &nina, common::at(T0), 0, 50, None, 0).unwrap();
    assert_eq!(
        mine.signoff_waiting, 0,
        "her own proposal waits for another DSL"
    );
    let snap = ok(
        "dan",
        &db,
        T0,
        &["snapshot", "--width", "120", "--height", "30"],
    );
    assert!(snap.contains("sign-off: 1 (S)"), "{snap}");
    let later = common::at("2026-11-23T09:05:00Z");
    let alerts = store::alerts::open_for(&st, &dan, later).unwrap();
    assert!(
        alerts
            .iter()
            .any(|a| a.kind == dutydesk::domain::paging::Kind::Signoff
                && a.reference.as_deref() == Some(r.as_str())),
        "{alerts:?}"
    );
    let list = ok("dan", &db, T0, &["list", "--awaiting-signoff"]);
    assert!(list.contains(&r) && list.contains("advice given"), "{list}");
    assert!(
        list.contains("parents engaged; school monitoring"),
        "{list}"
    );
    let version = list
        .split("version ")
        .nth(1)
        .unwrap()
        .split_whitespace()
        .next()
        .unwrap()
        .to_string();
    ok(
        "dan",
        &db,
        T0,
        &[
            "signoff",
            &r,
            "--approve",
            "--version",
            &version,
            "--reason",
            "agreed",
        ],
    );
    let after = store::worker::load_dashboard(&st, &dan, common::at(T0), 0, 50, None, 0).unwrap();
    assert_eq!(after.signoff_waiting, 0);
}

#[test]
fn attachments_are_kept_viewed_exported_and_refused_plainly() {
    let (d, db) = desk();
    let r = new_case(&db, T0, &["--name", "Attach Child"]);
    let letter = d.path().join("letter.txt");
    std::fs::write(&letter, "Dear DSL,\nthe school's record of concern.\n").unwrap();
    let out = ok("nina", &db, T0, &["attach", &r, letter.to_str().unwrap()]);
    assert!(out.contains("text/plain"), "{out}");
    let pdf = d.path().join("body-map.pdf");
    std::fs::write(&pdf, b"%PDF-1.7\n%fake body map\n").unwrap();
    ok("nina", &db, T0, &["attach", &r, pdf.to_str().unwrap()]);
    let list = ok("dan", &db, T0, &["attachments", &r, "--json"]);
    let v: serde_json::Value = serde_json::from_str(&list).unwrap();
    let v = &v["items"];
    assert_eq!(v[1]["media_type"], "application/pdf");
    assert_eq!(v[0]["size"], std::fs::metadata(&letter).unwrap().len());
    assert_eq!(v[0]["sha256"].as_str().unwrap().len(), 64);
    let shown = ok("dan", &db, T0, &["attachment", "show", "1"]);
    assert!(shown.contains("record of concern"), "{shown}");
    let (code, _, err) = run("dan", &db, T0, &["attachment", "show", "2"]);
    assert_ne!(code, 0);
    assert!(err.contains("save it"), "{err}");
    // Refused with the reason and nothing stored: missing, too large, a directory.
    let before = audit_rows(&db);
    let big = d.path().join("big.bin");
    std::fs::write(&big, vec![7u8; 10 * 1024 * 1024 + 1]).unwrap();
    for (file, why) in [
        (d.path().join("nope.txt"), "no such file"),
        (big, "over the limit"),
        (d.path().to_path_buf(), "not a regular file"),
    ] {
        let (code, _, err) = run("nina", &db, T0, &["attach", &r, file.to_str().unwrap()]);
        assert_ne!(code, 0);
        assert!(err.contains(why), "{why}: {err}");
    }
    assert_eq!(audit_rows(&db), before);
    let n: i64 = common::sql(&db)
        .query_row("SELECT count(*) FROM attachments", [], |r| r.get(0))
        .unwrap();
    assert_eq!(n, 2);
    // Export: HTML with the attachments into a new directory, audited.
    let html = d.path().join("out.html");
    let atts = d.path().join("atts");
    ok(
        "nina",
        &db,
        T0,
        &[
            "export",
            &r,
            "--html",
            "--out",
            html.to_str().unwrap(),
            "--attachments",
            atts.to_str().unwrap(),
        ],
    );
    let page = std::fs::read_to_string(&html).unwrap();
    assert!(
        page.contains("<!DOCTYPE html>") && page.contains("body-map.pdf"),
        "{page}"
    );
    assert!(atts.join(format!("{r}-2-body-map.pdf")).exists());
    let exports: Vec<String> = {
        let c = common::sql(&db);
        let mut st = c
            .prepare("SELECT action FROM audit_log WHERE action LIKE 'export%' ORDER BY id")
            .unwrap();
        st.query_map([], |r| r.get(0))
            .unwrap()
            .map(Result::unwrap)
            .collect()
    };
    assert_eq!(
        exports,
        ["export", "export_attachment", "export_attachment"]
    );
    // Never replacing a file, never through a symlink; refused, nothing audited.
    let before = audit_rows(&db);
    let (code, _, err) = run(
        "nina",
        &db,
        T0,
        &["export", &r, "--out", html.to_str().unwrap()],
    );
    assert_ne!(code, 0);
    assert!(err.contains("never replaces"), "{err}");
    let link = d.path().join("link.md");
    std::os::unix::fs::symlink(d.path().join("target.md"), &link).unwrap();
    let (code, _, err) = run(
        "nina",
        &db,
        T0,
        &["export", &r, "--out", link.to_str().unwrap()],
    );
    assert_ne!(code, 0, "{err}");
    assert!(!d.path().join("target.md").exists());
    assert_eq!(audit_rows(&db), before);
    // A viewer sees that attachments exist, not their names or contents.
    let v = ok("vic", &db, T0, &["attachments", &r]);
    assert!(v.contains("(hidden)") && !v.contains("letter"), "{v}");
    let (code, _, _) = run("vic", &db, T0, &["attachment", "show", "1"]);
    assert_ne!(code, 0);
}

#[test]
fn people_involved_are_in_the_record_and_the_export_and_redacted_for_third_parties() {
    let (_d, db) = desk();
    let r = new_case(&db, T0, &["--name", "Pat Subject"]);
    ok(
        "nina",
        &db,
        T0,
        &[
            "people",
            "add",
            &r,
            "Chris Perp",
            "--as",
            "perpetrator",
            "--relationship",
            "stepfather",
        ],
    );
    ok(
        "nina",
        &db,
        T0,
        &[
            "people",
            "add",
            &r,
            "Lee Sibling",
            "--relationship",
            "brother",
        ],
    );
    ok(
        "nina",
        &db,
        T0,
        &[
            "correct",
            &r,
            "--raised-by",
            "Ms Teacher",
            "--raised-by-role",
            "class teacher",
            "--reason",
            "recorded by the office",
        ],
    );
    let json = ok("nina", &db, T0, &["show", &r, "--json"]);
    assert!(
        json.contains("Chris Perp") && json.contains("class teacher"),
        "{json}"
    );
    let md = ok("nina", &db, T0, &["export", &r]);
    assert!(
        md.contains("alleged perpetrator: Chris Perp (stepfather)"),
        "{md}"
    );
    let red = ok("nina", &db, T0, &["export", &r, "--redact-third-parties"]);
    assert!(
        !red.contains("Chris Perp") && !red.contains("Ms Teacher"),
        "{red}"
    );
    assert!(red.contains("[redacted] (alleged perpetrator)"), "{red}");
    // Viewers never see them.
    let v = ok("vic", &db, T0, &["show", &r, "--json"]);
    assert!(
        !v.contains("Chris Perp") && !v.contains("Lee Sibling"),
        "{v}"
    );
    // Removing one needs a reason.
    let (code, _, err) = run(
        "nina",
        &db,
        T0,
        &["people", "remove", &r, "1", "--reason", ""],
    );
    assert_ne!(code, 0);
    assert!(err.contains("reason"), "{err}");
    ok(
        "nina",
        &db,
        T0,
        &["people", "remove", &r, "2", "--reason", "not a sibling"],
    );
    let after = ok("nina", &db, T0, &["export", &r]);
    assert!(
        !after.contains("Lee Sibling") || after.contains("Removed"),
        "{after}"
    );
}
