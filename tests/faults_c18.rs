//! Faults a tester found on issues 18 and 20 (the workbench; install and
//! exchange), each fixed for its whole kind, through the real binary on a
//! demo-marked desk at fixed moments.

mod common;

use assert_cmd::Command;
use std::path::{Path, PathBuf};

/// Monday 23 November 2026, 09:00 GMT.
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

/// (exit code, stdout, stderr)
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

/// Runs as `user`, expects exit `code` with each of `why` in the message,
/// and nothing written.
fn refused(user: &str, db: &Path, now: &str, args: &[&str], code: i32, why: &[&str]) -> String {
    let before = audit_rows(db);
    let (got, out, err) = run(user, db, now, args);
    assert_eq!(got, code, "{args:?}: {err}{out}");
    for w in why {
        assert!(err.contains(w), "{args:?}: {w:?} not in {err}");
    }
    assert_eq!(audit_rows(db), before, "{args:?} changed something");
    err
}

/// A desk with a senior lead, two DSLs and a viewer, at `T0`.
fn desk() -> (tempfile::TempDir, PathBuf) {
    let dir = common::private_dir();
    let db = dir.path().join("desk.db");
    common::desk_db(
        &db,
        "Faults",
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

// ---- F6: redaction covers every place a third party's details appear ----

/// Every detail of a third party put on a case, in a correction, a person
/// added or removed, or an assignment: none may survive redaction, in any
/// format, the chronology lines of corrections included (old values too).
#[test]
fn redaction_hides_third_parties_in_correction_and_people_lines() {
    let (_d, db) = desk();
    let r = new_case(&db, T0, &["--name", "Pat Subject"]);
    let correct = |args: &[&str]| {
        let mut a = vec!["correct", r.as_str()];
        a.extend_from_slice(args);
        a.extend_from_slice(&["--reason", "as the office recorded it"]);
        ok("nina", &db, T0, &a);
    };
    correct(&[
        "--raised-by",
        "Ms Jones",
        "--raised-by-role",
        "class teacher",
        "--raised-by-contact",
        "0116 000 0000",
    ]);
    // Corrected again: the old values are in the line too.
    correct(&[
        "--raised-by",
        "Mr Quill",
        "--raised-by-role",
        "form tutor",
        "--raised-by-contact",
        "07700 900123",
    ]);
    correct(&["--risk", "high"]);
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
    ok("nina", &db, T0, &["people", "add", &r, "Lee Sibling"]);
    ok(
        "nina",
        &db,
        T0,
        &["people", "remove", &r, "2", "--reason", "not a sibling"],
    );
    // Dan held it once, then Nina: Dan wrote no line of his own.
    ok("nina", &db, T0, &["assign", &r, "dan"]);
    ok("nina", &db, T0, &["assign", &r, "nina", "--take"]);
    let secrets = [
        "Ms Jones",
        "class teacher",
        "0116 000 0000",
        "Mr Quill",
        "form tutor",
        "07700 900123",
        "Chris Perp",
        "stepfather",
        "Lee Sibling",
        "Dan Okoro",
        "Nina Patel",
    ];
    // The full export keeps them all (the words of the record).
    let full = ok("nina", &db, T0, &["export", &r]);
    for s in secrets {
        assert!(full.contains(s), "{s} missing from the full export: {full}");
    }
    for format in ["--md", "--html", "--json"] {
        // Exported by the senior lead: the footer names the sender.
        let red = ok(
            "sam",
            &db,
            T0,
            &["export", &r, format, "--redact-third-parties"],
        );
        for s in secrets {
            assert!(!red.contains(s), "{format}: {s} left in: {red}");
        }
        // What is not a third party's stays: the record can still be read.
        assert!(red.contains("risk: medium → high"), "{format}: {red}");
        assert!(red.contains("Pat Subject"), "{format}: {red}");
        assert!(red.contains("as the office recorded it"), "{format}: {red}");
    }
    let red = ok("nina", &db, T0, &["export", &r, "--redact-third-parties"]);
    assert!(
        red.contains("raiser's contact: [redacted] → [redacted]"),
        "{red}"
    );
}

/// Lines written before schema 12 carry no marks: the ones their audit rows
/// say name third parties are hidden whole.
#[test]
fn redaction_hides_whole_third_party_lines_written_before_they_were_marked() {
    let (_d, db) = desk();
    let r = new_case(&db, T0, &["--name", "Pat Subject"]);
    ok(
        "nina",
        &db,
        T0,
        &[
            "correct",
            &r,
            "--raised-by-contact",
            "0116 000 0000",
            "--reason",
            "office",
        ],
    );
    ok(
        "nina",
        &db,
        T0,
        &["correct", &r, "--risk", "high", "--reason", "worse"],
    );
    // As an older desk wrote them: no marks.
    let c = common::sql(&db);
    c.execute_batch(
        "DROP TRIGGER chronology_no_update;
         UPDATE chronology SET parties = NULL;
         CREATE TRIGGER chronology_no_update BEFORE UPDATE ON chronology BEGIN
             SELECT RAISE(ABORT, 'chronology is append-only: add a note instead');
         END;",
    )
    .unwrap();
    drop(c);
    let red = ok("nina", &db, T0, &["export", &r, "--redact-third-parties"]);
    assert!(!red.contains("0116 000 0000"), "{red}");
    // A correction that named nobody else is kept as written (staff
    // names aside).
    assert!(red.contains("risk: medium → high"), "{red}");
}

/// The practice part of a record names people too: who made each referral
/// (staff), who reported known FGM to the police (the professional who
/// discovered it), and a waiver's reason may name staff. None of it may
/// survive redaction in any format, as a name or as a username.
#[test]
fn redaction_hides_who_referred_who_reported_fgm_and_names_in_waivers() {
    let (_d, db) = desk();
    let r = new_case(
        &db,
        T0,
        &[
            "--name",
            "Pat Subject",
            "--category",
            "fgm",
            "--fgm",
            "known",
        ],
    );
    ok(
        "dan",
        &db,
        T0,
        &[
            "refer",
            &r,
            "--route",
            "children",
            "--method",
            "phone",
            "--shared",
            "the disclosure",
            "--why",
            "threshold met",
            "--reference",
            "MASH-1",
        ],
    );
    ok(
        "nina",
        &db,
        T0,
        &[
            "fgm-reported",
            &r,
            "--by",
            "Nurse Ada Quell",
            "--police-reference",
            "POL-77",
        ],
    );
    // Waive the first open deadline with a reason that names a colleague.
    let show = ok("nina", &db, T0, &["show", &r]);
    let number = show
        .lines()
        .find(|l| l.starts_with("deadline #") && l.ends_with("(open)"))
        .and_then(|l| l["deadline #".len()..].split(':').next())
        .expect("an open deadline")
        .to_string();
    ok(
        "nina",
        &db,
        T0,
        &[
            "deadline",
            "waive",
            &r,
            &number,
            "--reason",
            "agreed with Dan Okoro",
        ],
    );
    let full = ok("nina", &db, T0, &["export", &r, "--json"]);
    assert!(full.contains("Nurse Ada Quell"), "{full}");
    assert!(full.contains("agreed with Dan Okoro"), "{full}");
    assert!(full.contains("\"dan\""), "{full}");
    for format in ["--md", "--html", "--json"] {
        let red = ok(
            "sam",
            &db,
            T0,
            &["export", &r, format, "--redact-third-parties"],
        );
        for s in [
            "Nurse Ada Quell",
            "Dan Okoro",
            "Nina Patel",
            "\"dan\"",
            "\"nina\"",
        ] {
            assert!(!red.contains(s), "{format}: {s} left in: {red}");
        }
        // The facts stay: the route, the police reference.
        assert!(red.contains("POL-77"), "{format}: {red}");
    }
}

// ---- F7: tasks never reach a management report; alerts name them ----

/// A task is the desk's own working: its owner and words never reach a
/// report (Markdown, CSV, HTML, JSON), it is never a "rule" there and does
/// not change "Deadlines met on time"; alerts call it a task, without words.
#[test]
fn tasks_stay_out_of_reports_and_alerts_say_task_without_words() {
    let (_d, db) = desk();
    let r = new_case(&db, T0, &["--name", "Pat Subject"]);
    let report = |format: &str| {
        ok(
            "sam",
            &db,
            "2026-11-30T12:00:00Z",
            &[
                "report",
                "--from",
                "2026-11-01",
                "--to",
                "2026-11-30",
                "--format",
                format,
            ],
        )
    };
    let before = report("json");
    let words = "x | Ms Jones 07700 900123";
    ok(
        "nina",
        &db,
        T0,
        &[
            "task", "add", &r, "--owner", "nina", "--due", "10:00", words,
        ],
    );
    // Overdue at 10:10: the owner's alerts say "task overdue", no words.
    let later = "2026-11-23T10:10:00Z";
    let alerts = ok("nina", &db, later, &["alerts"]);
    assert!(alerts.contains("task overdue"), "{alerts}");
    assert!(!alerts.contains("Ms Jones"), "{alerts}");
    let json = ok("nina", &db, later, &["alerts", "--json"]);
    assert!(json.contains("\"set_by_hand\": \"task\""), "{json}");
    assert!(!json.contains("Ms Jones"), "{json}");
    ok("nina", &db, later, &["task", "done", "1"]);
    let after = report("json");
    assert_eq!(
        before
            .lines()
            .filter(|l| !l.contains("generated_at"))
            .collect::<Vec<_>>(),
        after
            .lines()
            .filter(|l| !l.contains("generated_at"))
            .collect::<Vec<_>>(),
        "a task changed the report"
    );
    for format in ["md", "csv", "html", "json", "text"] {
        let out = report(format);
        for s in ["Ms Jones", "07700", "Task for", "Nina Patel"] {
            assert!(!out.contains(s), "{format}: {s} in {out}");
        }
    }
}

#[test]
fn markdown_report_cells_escape_the_bar() {
    let (_d, db) = desk();
    ok(
        "sam",
        &db,
        T0,
        &["areas", "add", "North | South", "--alias", "nsouth"],
    );
    ok(
        "nina",
        &db,
        T0,
        &[
            "new",
            "--subject",
            "child",
            "--area",
            "North | South",
            "--category",
            "neglect",
            "--risk",
            "low",
            "--summary",
            "s",
            "--words",
            "w",
            "--name",
            "A B",
        ],
    );
    let md = ok(
        "sam",
        &db,
        T0,
        &[
            "report",
            "--from",
            "2026-11-01",
            "--to",
            "2026-11-30",
            "--md",
        ],
    );
    let row = md
        .lines()
        .find(|l| l.contains("North"))
        .unwrap_or_else(|| panic!("{md}"));
    assert!(row.starts_with("| North \\| South |"), "{row}");
    // Every table row has its own number of cells: 4 unescaped bars + 1.
    assert_eq!(row.replace("\\|", "").matches('|').count(), 5, "{row}");
}

// ---- F15, F16: import ----

const MAP: &str = r#"
[columns]
reference = "Log no."
raised = "Date reported"
subject = "About"
name = "Name"
area = "Lives in"
categories = "Type"
summary = "What happened"
words = "Their words"

[values.subject]
"Young person" = "child"

[defaults]
risk = "medium"
consent = "given"
"#;

fn csv_file(dir: &Path, name: &str, rows: &[[&str; 8]]) -> PathBuf {
    let p = dir.join(name);
    let mut w = csv::Writer::from_path(&p).unwrap();
    w.write_record([
        "Log no.",
        "Date reported",
        "About",
        "Name",
        "Lives in",
        "Type",
        "What happened",
        "Their words",
    ])
    .unwrap();
    for r in rows {
        w.write_record(r).unwrap();
    }
    w.flush().unwrap();
    p
}

/// Every problem of a row is reported, not only the first.
#[test]
fn import_reports_every_problem_of_a_row() {
    let (d, db) = desk();
    ok("sam", &db, T0, &["areas", "add", "Rutland"]);
    let map = d.path().join("map.toml");
    std::fs::write(&map, MAP).unwrap();
    let bad = csv_file(
        d.path(),
        "bad.csv",
        &[
            [
                "L-1",
                "31/02/2025",
                "Young person",
                "A B",
                "Narnia",
                "neglect",
                "s",
                "",
            ],
            [
                "L-2",
                "02/02/2025",
                "Martian",
                "C D",
                "Rutland",
                "Bogus",
                "s",
                "",
            ],
        ],
    );
    let err = refused(
        "nina",
        &db,
        T0,
        &[
            "import",
            bad.to_str().unwrap(),
            "--map",
            map.to_str().unwrap(),
        ],
        2,
        &[
            "row 2: raised:",
            "row 2: area:",
            "Narnia",
            "row 3: subject:",
            "Martian",
            "row 3: categories:",
            "\"bogus\"",
            "nothing imported",
        ],
    );
    assert!(!err.contains("row 2: subject"), "{err}");
}

/// An imported row without words has no written record: the written-record
/// deadline is not met, and (due before the import) it is waived as ADMIN.md
/// says; a row with words is not taken as met on time either. Reports then
/// count none of them.
#[test]
fn imported_rows_meet_no_deadline_and_past_ones_are_waived() {
    let (d, db) = desk();
    let map = d.path().join("map.toml");
    std::fs::write(&map, MAP).unwrap();
    let log = csv_file(
        d.path(),
        "log.csv",
        &[
            [
                "L-1",
                "02/11/2026 10:00",
                "Young person",
                "A B",
                "Rutland",
                "neglect",
                "s",
                "",
            ],
            [
                "L-2",
                "03/11/2026 10:00",
                "Young person",
                "C D",
                "Rutland",
                "neglect",
                "s",
                "he hit me",
            ],
        ],
    );
    ok(
        "nina",
        &db,
        T0,
        &[
            "import",
            log.to_str().unwrap(),
            "--map",
            map.to_str().unwrap(),
        ],
    );
    let c = common::sql(&db);
    let met: i64 = c
        .query_row(
            "SELECT count(*) FROM deadlines WHERE met_at IS NOT NULL",
            [],
            |r| r.get(0),
        )
        .unwrap();
    assert_eq!(met, 0, "an import met a deadline nobody saw met");
    let open_past: i64 = c
        .query_row(
            "SELECT count(*) FROM deadlines WHERE met_at IS NULL AND waived_at IS NULL AND due_at < ?1",
            [common::at(T0).timestamp()],
            |r| r.get(0),
        )
        .unwrap();
    assert_eq!(open_past, 0);
    let words: String = c
        .query_row(
            "SELECT exact_words FROM escalations WHERE subject_name = 'A B'",
            [],
            |r| r.get(0),
        )
        .unwrap();
    assert_eq!(words, dutydesk::domain::escalation::NO_WORDS);
    let shown = ok("nina", &db, T0, &["show", "SG-2026-0001"]);
    assert!(!shown.contains("with the exact words"), "{shown}");
    let report = ok(
        "sam",
        &db,
        T0,
        &[
            "report",
            "--from",
            "2026-11-01",
            "--to",
            "2026-11-30",
            "--md",
        ],
    );
    assert!(!report.contains("| Written record"), "{report}");
}

// ---- F5: who raised it, at intake; others involved in plain `show` ----

#[test]
fn the_raiser_is_recorded_at_intake_and_show_lists_others_involved() {
    let (_d, db) = desk();
    let r = new_case(
        &db,
        T0,
        &[
            "--name",
            "Pat Subject",
            "--raised-by",
            "Ms Jones",
            "--raised-by-role",
            "class teacher",
            "--raised-by-contact",
            "0116 000 0000",
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
            "Chris Perp",
            "--as",
            "perpetrator",
            "--relationship",
            "stepfather",
        ],
    );
    let shown = ok("nina", &db, T0, &["show", &r]);
    assert!(
        shown.contains("by Ms Jones (class teacher; 0116 000 0000)"),
        "{shown}"
    );
    assert!(
        shown.contains("involved #1: alleged perpetrator Chris Perp (stepfather)"),
        "{shown}"
    );
    let json = ok("nina", &db, T0, &["show", &r, "--json"]);
    let v: serde_json::Value = serde_json::from_str(&json).unwrap();
    assert_eq!(v["casework"]["raiser"]["role"], "class teacher");
    // Without --raised-by it is the recorder, by name (not the account).
    let own = new_case(&db, T0, &["--name", "Sam Other"]);
    let shown = ok("nina", &db, T0, &["show", &own]);
    assert!(shown.contains("by Nina Patel"), "{shown}");
    // A bad value is bad input (exit 2), nothing written.
    refused(
        "nina",
        &db,
        T0,
        &[
            "new",
            "--subject",
            "child",
            "--area",
            "Rutland",
            "--category",
            "neglect",
            "--risk",
            "low",
            "--summary",
            "s",
            "--name",
            "A B",
            "--raised-by-contact",
            "0116\u{1b}[2J",
        ],
        2,
        &["--raised-by-contact", "control"],
    );
}

// ---- F4: REPEAT counts the linked group, visible cases only ----

fn linked(db: &Path, user: &str) -> Vec<(String, i64)> {
    let v: serde_json::Value =
        serde_json::from_str(&ok(user, db, T0, &["list", "--json", "--status", "all"])).unwrap();
    let mut out: Vec<(String, i64)> = v["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| {
            (
                e["reference"].as_str().unwrap().to_string(),
                e["linked_12m"].as_i64().unwrap(),
            )
        })
        .collect();
    out.sort();
    out
}

#[test]
fn repeat_counts_the_whole_linked_group_the_viewer_may_see() {
    let (_d, db) = desk();
    let a = new_case(&db, T0, &["--name", "Jo Chain"]);
    let b = new_case(&db, T0, &["--name", "Jo Chain"]);
    let args = [
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
        "s",
        "--name",
        "Jo Chain",
        "--restricted",
    ];
    let c = ok("sam", &db, T0, &args).trim().to_string();
    // A chain a–b and c–b (c restricted); and a chain through the hidden c.
    ok("sam", &db, T0, &["link", &a, &b]);
    ok("sam", &db, T0, &["link", &c, &b]);
    let senior = linked(&db, "sam");
    assert_eq!(
        senior,
        vec![(a.clone(), 2), (b.clone(), 2), (c.clone(), 2)],
        "every case of the group counts the other two"
    );
    // Nina may not see c: it neither counts nor joins.
    assert_eq!(linked(&db, "nina"), vec![(a.clone(), 1), (b.clone(), 1)]);
    let d = new_case(&db, T0, &["--name", "Jo Chain"]);
    ok("sam", &db, T0, &["link", &d, &c]);
    // d joins the group only through c: for nina, d stands alone.
    let nina = linked(&db, "nina");
    assert!(nina.contains(&(d.clone(), 0)), "{nina:?}");
    assert!(linked(&db, "sam").contains(&(d, 3)));
    // `person` counts as REPEAT does.
    let p = ok("nina", &db, T0, &["person", &a]);
    assert!(p.starts_with("2 linked case(s)"), "{p}");
}

// ---- F1, F2: search by area's other names; names fold one way ----

#[test]
fn apostrophes_and_hyphens_fold_as_spaces_in_repeats_and_search() {
    let (_d, db) = desk();
    ok(
        "sam",
        &db,
        T0,
        &["areas", "add", "Leicester", "--alias", "Leicester City"],
    );
    ok("sam", &db, T0, &["areas", "add", "Wolverhampton"]);
    ok("sam", &db, T0, &["areas", "add", "Rutland"]);
    let first = ok(
        "nina",
        &db,
        T0,
        &[
            "new",
            "--subject",
            "child",
            "--area",
            "Leicester",
            "--category",
            "neglect",
            "--risk",
            "low",
            "--summary",
            "s",
            "--name",
            "Siobhán O'Brien-Ní",
        ],
    )
    .trim()
    .to_string();
    for typed in [
        "SIOBHAN O BRIEN NI",
        "siobhan o'brien ni",
        "Siobhan OBrien-Ni",
    ] {
        let (code, _, err) = run(
            "nina",
            &db,
            T0,
            &[
                "new",
                "--subject",
                "child",
                "--area",
                "Leicester",
                "--category",
                "neglect",
                "--risk",
                "low",
                "--summary",
                "s",
                "--name",
                typed,
            ],
        );
        assert_eq!(code, 0, "{err}");
        assert!(
            err.contains(&first),
            "{typed}: not offered as a repeat: {err}"
        );
    }
    for q in [
        "o brien",
        "obrien",
        "O'Brien",
        "o-brien ni",
        "siobhan",
        "leicester city",
    ] {
        let out = ok("nina", &db, T0, &["search", q]);
        assert!(out.contains(&first), "{q}: {out}");
    }
    let w = new_case(&db, T0, &["--name", "Mo Example"]);
    ok(
        "nina",
        &db,
        T0,
        &[
            "correct",
            &w,
            "--area",
            "Wolverhampton",
            "--reason",
            "moved",
        ],
    );
    // An area name with an "m" (look-alike folding would make it "rn").
    let out = ok("nina", &db, T0, &["search", "wolverhampton"]);
    assert!(out.contains(&w), "{out}");
    let out = ok("nina", &db, T0, &["search", "leicester city"]);
    assert!(!out.contains(&w), "{out}");
}

/// The intake form asks who raised it (name, role, contact), checked as
/// `new --raised-by...` is; empty, the recorder.
#[test]
fn the_intake_form_takes_who_raised_it() {
    use dutydesk::domain::staff::{Role, StaffMember};
    use dutydesk::store::worker::Request;
    use dutydesk::tui::{form::Value, forms};
    let me = StaffMember {
        id: 1,
        username: "nina".into(),
        display_name: "Nina Patel".into(),
        role: Role::Dsl,
        active: true,
    };
    let cats = vec![("neglect".to_string(), "neglect".to_string())];
    let filled = |raiser: &[(&str, &str)]| {
        let mut f = forms::intake(&cats, std::slice::from_ref(&me));
        f.set_choice("subject", Some("child"));
        f.set_text("name", "Pat Subject");
        f.set_text("age", "9");
        f.set_text("area", "unknown");
        f.set_choice("risk", Some("low"));
        f.set_choice("consent", Some("given"));
        f.set_text("words", "nobody makes my tea");
        for x in f.fields.iter_mut().filter(|x| x.key == "categories") {
            x.value = Value::Multi(vec![true]);
        }
        for (k, v) in raiser {
            f.set_text(k, v);
        }
        f
    };
    let now = common::at(T0);
    let mut f = filled(&[
        ("raised_by", "Ms Jones"),
        ("raised_by_role", "class teacher"),
        ("raised_by_contact", "0116 000 0000"),
    ]);
    match forms::read_intake(&mut f, now, &me, std::slice::from_ref(&me), &[]) {
        Some(Request::Create { escalation, .. }) => {
            assert_eq!(escalation.raised_by, "Ms Jones");
            assert_eq!(escalation.raised_by_role.as_deref(), Some("class teacher"));
            assert_eq!(
                escalation.raised_by_contact.as_deref(),
                Some("0116 000 0000")
            );
        }
        _ => panic!(
            "not read: {:?}",
            f.fields
                .iter()
                .filter_map(|x| x.error.clone())
                .collect::<Vec<_>>()
        ),
    }
    let mut f = filled(&[]);
    match forms::read_intake(&mut f, now, &me, std::slice::from_ref(&me), &[]) {
        Some(Request::Create { escalation, .. }) => assert_eq!(escalation.raised_by, "Nina Patel"),
        _ => panic!("not read"),
    }
}

// ---- F17: CLI tables by display width ----

#[test]
fn search_results_align_by_display_width() {
    let (_d, db) = desk();
    for name in [
        "李小龍 Wide",
        "Zoe\u{308} Wide",
        "Ann 🙂 Wide",
        "Plain Wide",
    ] {
        new_case(&db, T0, &["--name", name]);
    }
    let out = ok("nina", &db, T0, &["search", "wide"]);
    let lines: Vec<&str> = out.lines().collect();
    assert_eq!(lines.len(), 5, "{out}");
    let col =
        |l: &str, word: &str| unicode_width::UnicodeWidthStr::width(&l[..l.rfind(word).unwrap()]);
    let area = col(lines[0], "AREA");
    for l in &lines[1..] {
        assert_eq!(col(l, "Rutland"), area, "{out}");
    }
}

// ---- The minor list ----

/// A correction's bad values are bad input (exit 2), as `new`'s are; a
/// correction that changes nothing stays a refusal (exit 1).
#[test]
fn a_corrections_bad_input_exits_2() {
    let (_d, db) = desk();
    let r = new_case(&db, T0, &["--name", "Pat Subject"]);
    for (args, why) in [
        (vec!["--risk", "high"], "reason"),
        (vec!["--dob", "31/02/2014", "--reason", "x"], "31/02/2014"),
        (vec!["--categories", "bogus", "--reason", "x"], "bogus"),
        (vec!["--reason", "x"], "nothing to correct"),
        (vec!["--dob", "01/01/1990", "--reason", "x"], "under 18"),
    ] {
        let mut a = vec!["correct", r.as_str()];
        a.extend(args);
        refused("nina", &db, T0, &a, 2, &[why]);
    }
    refused(
        "nina",
        &db,
        T0,
        &["correct", &r, "--risk", "medium", "--reason", "x"],
        1,
        &["already says that"],
    );
}

/// Attachments: the size refusal says the sizes exactly; a viewer is told
/// what a viewer may not do; a refused show writes no audit row.
#[test]
fn attachment_refusals_say_what_is_true_and_write_nothing() {
    let (d, db) = desk();
    let r = new_case(&db, T0, &["--name", "Pat Subject"]);
    let big = d.path().join("big.bin");
    std::fs::write(&big, vec![7u8; 10 * 1024 * 1024 + 1]).unwrap();
    refused(
        "nina",
        &db,
        T0,
        &["attach", &r, big.to_str().unwrap()],
        2,
        &["10,485,761 bytes, over the limit of 10,485,760 bytes"],
    );
    let pdf = d.path().join("map.pdf");
    std::fs::write(&pdf, b"%PDF-1.7\n%fake body map\n").unwrap();
    ok("nina", &db, T0, &["attach", &r, pdf.to_str().unwrap()]);
    refused(
        "dan",
        &db,
        T0,
        &["attachment", "show", "1"],
        2,
        &["application/pdf", "not text", "attachment save 1"],
    );
    refused(
        "vic",
        &db,
        T0,
        &["attachment", "show", "1"],
        1,
        &["viewers cannot open or save attachments"],
    );
}

/// A viewer sees lists, never words: a task's deadline is "A task" to them
/// on the record, in `deadlines` and as a list's next deadline.
#[test]
fn a_viewer_never_reads_a_tasks_words_in_a_deadline() {
    let (_d, db) = desk();
    let r = new_case(&db, T0, &["--name", "Pat Subject"]);
    ok(
        "nina",
        &db,
        T0,
        &[
            "task",
            "add",
            &r,
            "--owner",
            "nina",
            "--due",
            "09:30",
            "ring Ms Jones on 07700 900123",
        ],
    );
    for args in [
        vec!["show", r.as_str()],
        vec!["deadlines"],
        vec!["list", "--json"],
        vec!["handover"],
    ] {
        let out = ok("vic", &db, T0, &args);
        assert!(!out.contains("Ms Jones"), "{args:?}: {out}");
        if args[0] != "handover" {
            assert!(out.contains("A task"), "{args:?}: {out}");
        }
    }
    // Those who may read the case read the task.
    assert!(ok("dan", &db, T0, &["deadlines"]).contains("ring Ms Jones"));
}
