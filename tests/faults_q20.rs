//! Faults a tester found trying issue 20 on main (report q20: J1–J3, X2–X4,
//! I1–I3), each fixed for its whole kind, through the real binary on a
//! demo-marked desk at fixed moments.

mod common;

use assert_cmd::Command;
use std::io::Write as _;
use std::path::{Path, PathBuf};

/// Monday 23 November 2026, 09:00 GMT.
const T0: &str = "2026-11-23T09:00:00Z";

fn dd(user: &str, db: &Path, now: &str) -> Command {
    let mut c = Command::cargo_bin("dutydesk").unwrap();
    c.env("DUTYDESK_USER", user)
        .env("DUTYDESK_DB", db)
        .env("DUTYDESK_NOW", now)
        .env("DUTYDESK_CONFIG", "/dev/null")
        .env("DUTYDESK_SYSTEM_CONFIG", "/dev/null")
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

fn count(db: &Path, sql: &str) -> i64 {
    common::sql(db).query_row(sql, [], |r| r.get(0)).unwrap()
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

// ---- import (I1–I3) ----

const MAP: &str = r#"
[columns]
reference = "Log no."
raised = "Date"
subject = "About"
name = "Name"
area = "Area"
categories = "Type"
summary = "What happened"
risk = "Risk"
[defaults]
consent = "given"
"#;

const HEADINGS: &[&str] = &[
    "Log no.",
    "Date",
    "About",
    "Name",
    "Area",
    "Type",
    "What happened",
    "Risk",
];

fn log_row<'a>(no: &'a str, date: &'a str, name: &'a str, area: &'a str) -> Vec<&'a str> {
    vec![
        no,
        date,
        "child",
        name,
        area,
        "neglect",
        "no food at home",
        "low",
    ]
}

fn write_map(dir: &Path) -> PathBuf {
    let p = dir.join("map.toml");
    std::fs::write(&p, MAP).unwrap();
    p
}

fn write_csv(path: &Path, rows: &[Vec<&str>]) {
    let mut text = HEADINGS.join(",") + "\n";
    for r in rows {
        text += &(r.join(",") + "\n");
    }
    std::fs::write(path, text).unwrap();
}

/// A minimal .xlsx of inline strings; a cell written "!e:#N/A" is an error
/// cell (`t="e"`), as Excel saves a failed formula.
fn write_xlsx(path: &Path, rows: &[Vec<&str>]) {
    use zip::write::SimpleFileOptions;
    let f = std::fs::File::create(path).unwrap();
    let mut z = zip::ZipWriter::new(f);
    let o = SimpleFileOptions::default();
    let mut put = |name: &str, text: &str| {
        z.start_file(name, o).unwrap();
        z.write_all(text.as_bytes()).unwrap();
    };
    put(
        "[Content_Types].xml",
        r#"<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"><Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/><Default Extension="xml" ContentType="application/xml"/><Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/><Override PartName="/xl/worksheets/sheet1.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/></Types>"#,
    );
    put(
        "_rels/.rels",
        r#"<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="xl/workbook.xml"/></Relationships>"#,
    );
    put(
        "xl/workbook.xml",
        r#"<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships"><sheets><sheet name="Log" sheetId="1" r:id="rId1"/></sheets></workbook>"#,
    );
    put(
        "xl/_rels/workbook.xml.rels",
        r#"<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet" Target="worksheets/sheet1.xml"/></Relationships>"#,
    );
    let col = |i: usize| ((b'A' + i as u8) as char).to_string();
    let mut sheet = String::from(
        r#"<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData>"#,
    );
    for (r, row) in rows.iter().enumerate() {
        sheet.push_str(&format!("<row r=\"{}\">", r + 1));
        for (c, v) in row.iter().enumerate() {
            let at = format!("{}{}", col(c), r + 1);
            if let Some(e) = v.strip_prefix("!e:") {
                sheet.push_str(&format!("<c r=\"{at}\" t=\"e\"><v>{e}</v></c>"));
            } else if !v.is_empty() {
                sheet.push_str(&format!(
                    "<c r=\"{at}\" t=\"inlineStr\"><is><t>{}</t></is></c>",
                    v.replace('&', "&amp;").replace('<', "&lt;")
                ));
            }
        }
        sheet.push_str("</row>");
    }
    sheet.push_str("</sheetData></worksheet>");
    put("xl/worksheets/sheet1.xml", &sheet);
    z.finish().unwrap();
}

fn with_headings<'a>(rows: &[Vec<&'a str>]) -> Vec<Vec<&'a str>> {
    let mut all = vec![HEADINGS.to_vec()];
    all.extend(rows.iter().cloned());
    all
}

/// I1: a spreadsheet error in any mapped column, as an xlsx error cell or as
/// the text a CSV saved from a sheet holds, is a row problem naming the
/// column and the cell; nothing is imported and the error is never text.
#[test]
fn spreadsheet_error_cells_are_row_problems_by_cell() {
    let (d, db) = desk();
    let map = write_map(d.path());
    let before = count(&db, "SELECT count(*) FROM escalations");
    let book = d.path().join("log.xlsx");
    write_xlsx(
        &book,
        &with_headings(&[
            log_row("L-1", "02/07/2025", "!e:#N/A", "Rutland"),
            vec![
                "L-2",
                "!e:#REF!",
                "child",
                "Ada Smith",
                "Rutland",
                "neglect",
                "!e:#DIV/0!",
                "!e:#VALUE!",
            ],
        ]),
    );
    let (code, out, err) = run(
        "nina",
        &db,
        T0,
        &[
            "import",
            book.to_str().unwrap(),
            "--map",
            map.to_str().unwrap(),
        ],
    );
    assert_eq!(code, 2, "{out}{err}");
    for want in [
        "row 2: name: cell D2 (column \"Name\") holds the spreadsheet error #N/A",
        "row 3: raised: cell B3 (column \"Date\") holds the spreadsheet error #REF!",
        "row 3: summary: cell G3",
        "#DIV/0!",
        "row 3: risk: cell H3",
        "#VALUE!",
    ] {
        assert!(err.contains(want), "{want:?} not in {err}");
    }
    assert!(!err.contains("is not a date"), "{err}");
    assert!(!err.contains("empty"), "said twice: {err}");
    assert_eq!(count(&db, "SELECT count(*) FROM escalations"), before);

    let csv = d.path().join("log.csv");
    write_csv(&csv, &[log_row("L-3", "02/07/2025", "Bo Lee", "#NAME?")]);
    let (code, _, err) = run(
        "nina",
        &db,
        T0,
        &[
            "import",
            csv.to_str().unwrap(),
            "--map",
            map.to_str().unwrap(),
        ],
    );
    assert_eq!(code, 2, "{err}");
    assert!(
        err.contains("row 2: area: cell E2 (column \"Area\") holds the spreadsheet error #NAME?"),
        "{err}"
    );
    assert_eq!(count(&db, "SELECT count(*) FROM escalations"), before);
}

/// I2: a log number is one incident. Twice in one file with other details
/// is a row problem naming both rows; again in a later import with other
/// details is a row problem naming the record and what differs; all or
/// nothing. The same details again stay "already imported", changing
/// nothing.
#[test]
fn a_log_number_with_other_details_is_a_row_problem() {
    let (d, db) = desk();
    let map = write_map(d.path());
    let imp = |rows: &[Vec<&str>]| {
        let csv = d.path().join("log.csv");
        write_csv(&csv, rows);
        run(
            "nina",
            &db,
            T0,
            &[
                "import",
                csv.to_str().unwrap(),
                "--map",
                map.to_str().unwrap(),
            ],
        )
    };
    let before = count(&db, "SELECT count(*) FROM escalations");
    let mut changed = log_row("L-402", "03/07/2025", "Dup Two Changed", "Leicestershire");
    changed[7] = "high";
    let (code, out, err) = imp(&[
        log_row("L-401", "01/07/2025", "Ann One", "Rutland"),
        log_row("L-402", "02/07/2025", "Dup Two", "Rutland"),
        changed.clone(),
    ]);
    assert_eq!(code, 2, "{out}{err}");
    assert!(
        err.contains("row 4: log number \"L-402\" is also row 3, with different details: date, name, area, risk"),
        "{err}"
    );
    assert_eq!(
        count(&db, "SELECT count(*) FROM escalations"),
        before,
        "all or nothing"
    );

    // Identical twice in one file: imported once.
    let good = [
        log_row("L-401", "01/07/2025", "Ann One", "Rutland"),
        log_row("L-402", "02/07/2025", "Dup Two", "Rutland"),
        log_row("L-402", "02/07/2025", "Dup Two", "Rutland"),
    ];
    let (code, out, err) = imp(&good);
    assert_eq!(code, 0, "{out}{err}");
    assert!(
        out.contains("row 4: already imported as row 3 of this file"),
        "{out}"
    );
    assert_eq!(count(&db, "SELECT count(*) FROM escalations"), before + 2);
    let l402: String = common::sql(&db)
        .query_row(
            "SELECT e.reference FROM imports i JOIN escalations e ON e.id = i.escalation_id
             WHERE i.original_ref = 'L-402'",
            [],
            |r| r.get(0),
        )
        .unwrap();

    // The same file again: nothing changes.
    let audit = count(&db, "SELECT count(*) FROM audit_log");
    let (code, out, err) = imp(&good);
    assert_eq!(code, 0, "{out}{err}");
    assert!(
        out.contains(&format!("row 3: already imported as {l402}")),
        "{out}"
    );
    assert_eq!(count(&db, "SELECT count(*) FROM audit_log"), audit);

    // L-402 again, changed, beside a new row: refused whole.
    let (code, out, err) = imp(&[
        log_row("L-403", "04/07/2025", "New Three", "Rutland"),
        changed,
    ]);
    assert_eq!(code, 2, "{out}{err}");
    assert!(
        err.contains(&format!(
            "row 3: log number \"L-402\" is already imported as {l402} with different details: date, name, area, risk"
        )),
        "{err}"
    );
    assert_eq!(count(&db, "SELECT count(*) FROM audit_log"), audit);
    assert_eq!(count(&db, "SELECT count(*) FROM escalations"), before + 2);
}

/// I3: a typed UK time the clocks skipped is refused naming the change; one
/// that happened twice is refused naming both readings unless it carries
/// its offset; in an import (by row, all or nothing) and in a typed flag.
#[test]
fn typed_uk_times_in_the_clock_change_never_guess() {
    let (d, db) = desk();
    let map = write_map(d.path());
    let csv = d.path().join("log.csv");
    let before = count(&db, "SELECT count(*) FROM escalations");
    write_csv(
        &csv,
        &[
            log_row("L-1", "29/03/2026 01:30", "Ann One", "Rutland"),
            log_row("L-2", "25/10/2026 01:30", "Bea Two", "Rutland"),
        ],
    );
    let args = [
        "import",
        csv.to_str().unwrap(),
        "--map",
        map.to_str().unwrap(),
    ];
    let (code, out, err) = run("nina", &db, T0, &args);
    assert_eq!(code, 2, "{out}{err}");
    assert!(
        err.contains(
            "row 2: raised: 29/03/2026 01:30 did not happen in the UK: the clocks went forward"
        ),
        "{err}"
    );
    assert!(
        err.contains("row 3: raised: 25/10/2026 01:30 happened twice in the UK")
            && err.contains("01:30 BST (00:30 UTC)")
            && err.contains("01:30 GMT (01:30 UTC)"),
        "{err}"
    );
    assert_eq!(count(&db, "SELECT count(*) FROM escalations"), before);

    // With an offset (or a zone word) each reading is taken as written.
    write_csv(
        &csv,
        &[
            log_row("L-2", "2026-10-25T01:30:00+00:00", "Bea Two", "Rutland"),
            log_row("L-3", "25/10/2026 01:30 BST", "Cy Three", "Rutland"),
        ],
    );
    let (code, out, err) = run("nina", &db, T0, &args);
    assert_eq!(code, 0, "{out}{err}");
    let raised = |no: &str| -> i64 {
        common::sql(&db)
            .query_row(
                "SELECT e.raised_at FROM imports i JOIN escalations e ON e.id = i.escalation_id
                 WHERE i.original_ref = ?1",
                [no],
                |r| r.get(0),
            )
            .unwrap()
    };
    assert_eq!(
        raised("L-2"),
        common::at("2026-10-25T01:30:00Z").timestamp()
    );
    assert_eq!(
        raised("L-3"),
        common::at("2026-10-25T00:30:00Z").timestamp()
    );

    // A typed flag says the same.
    let r = new_case(&db, T0, &["--name", "Pat Subject"]);
    let (code, _, err) = run(
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
            "28/03/2027 01:30",
            "call back",
        ],
    );
    assert_eq!(code, 2, "{err}");
    assert!(err.contains("did not happen in the UK"), "{err}");
}

// ---- settings (X4) ----

fn bare(dir: &Path, system: &str, user: &str) -> Command {
    let mut c = Command::cargo_bin("dutydesk").unwrap();
    c.current_dir(dir)
        .env("DUTYDESK_SYSTEM_CONFIG", system)
        .env("DUTYDESK_CONFIG", user)
        .env_remove("DUTYDESK_DB")
        .env_remove("DUTYDESK_USER")
        .env_remove("DUTYDESK_NOW")
        .env("NO_COLOR", "1");
    c
}

fn out(c: &mut Command) -> (i32, String, String) {
    let o = c.output().unwrap();
    (
        o.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&o.stdout).into_owned(),
        String::from_utf8_lossy(&o.stderr).into_owned(),
    )
}

/// X4: `config show` lists every setting the files can set (every key of
/// the shipped sample and of the user file's), each value as the file
/// writes it; a database that is a directory stops every command with the
/// file and line (or the variable) that named it; a settings file a
/// variable names that is not there is an error, exit 2.
#[test]
fn config_show_lists_every_setting_and_named_files_must_exist() {
    let dir = common::private_dir();
    let d = dir.path();
    // The shipped sample with every setting uncommented (accounts that
    // exist here).
    let sample = std::fs::read_to_string(
        Path::new(env!("CARGO_MANIFEST_DIR")).join("packaging/config.toml"),
    )
    .unwrap();
    let db = d.join("shared.db");
    let uncommented: String = sample
        .lines()
        .map(|l| {
            l.strip_prefix('#')
                .filter(|r| r.contains(" = "))
                .unwrap_or(l)
        })
        .map(|l| {
            if l.starts_with("account") {
                "account = \"root\"".to_string()
            } else if l.starts_with("database") {
                format!("database = {:?}", db.display().to_string())
            } else if l.starts_with("sendmail") {
                String::new()
            } else if l.starts_with("command") {
                "command = \"/bin/true\"".to_string()
            } else if l.starts_with("anchor_file") {
                format!(
                    "anchor_file = {:?}",
                    d.join("anchors").display().to_string()
                )
            } else {
                l.to_string()
            }
        })
        .collect::<Vec<_>>()
        .join("\n");
    let sys = d.join("system.toml");
    std::fs::write(&sys, &uncommented).unwrap();
    let user = d.join("user.toml");
    std::fs::write(
        &user,
        "[notify]\nterminal = \"osc9\"\n[lock]\nidle_minutes = 7\n",
    )
    .unwrap();
    let (code, text, err) =
        out(bare(d, sys.to_str().unwrap(), user.to_str().unwrap()).args(["config", "show"]));
    assert_eq!(code, 0, "{text}{err}");
    let table: toml::Table = toml::from_str(&uncommented).unwrap();
    let mut keys = Vec::new();
    for (k, v) in &table {
        match v.as_table() {
            Some(t) => keys.extend(t.keys().map(|ik| format!("{k}.{ik}"))),
            None => keys.push(k.clone()),
        }
    }
    keys.push("notify.sendmail".into());
    for k in &keys {
        assert!(
            text.lines().any(|l| l.starts_with(&format!("{k} "))),
            "config show misses {k}:\n{text}"
        );
    }
    for want in [
        "notify.from",
        "\"dutydesk@example.org\" (system file)",
        "notify.timeout_seconds  10 (system file)",
        "notify.interval_seconds 30 (system file)",
        "notify.terminal",
        "\"osc9\" (user file)",
        "lock.idle_minutes",
        "7 (user file)",
        "theme.name",
        "mouse.enabled",
        "terminal.escape_ms",
        "notify.bell",
    ] {
        assert!(text.contains(want), "{want:?} not in\n{text}");
    }
    assert!(!text.contains("Osc9"), "{text}");
    // The same as a JSON document.
    let (code, json, _) =
        out(bare(d, sys.to_str().unwrap(), user.to_str().unwrap())
            .args(["config", "show", "--json"]));
    assert_eq!(code, 0);
    let v: serde_json::Value = serde_json::from_str(&json).unwrap();
    assert_eq!(v["document"], "config");
    let item = |k: &str| {
        v["items"]
            .as_array()
            .unwrap()
            .iter()
            .find(|i| i["key"] == k)
            .cloned()
            .unwrap_or_else(|| panic!("{k} not in {json}"))
    };
    assert_eq!(item("notify.terminal")["value"], "osc9");
    assert_eq!(item("notify.timeout_seconds")["value"], 10);

    // A database that is a directory: the file and line; the variable.
    std::fs::write(
        &sys,
        format!(
            "organisation = \"X\"\ndatabase = {:?}\n",
            d.display().to_string()
        ),
    )
    .unwrap();
    let (code, _, err) = out(bare(d, sys.to_str().unwrap(), "/dev/null").arg("list"));
    assert_eq!(code, 2, "{err}");
    assert!(
        err.contains("system.toml line 2") && err.contains("is a directory"),
        "{err}"
    );
    let (code, _, err) = out(bare(d, "/dev/null", "/dev/null")
        .env("DUTYDESK_DB", d)
        .arg("list"));
    assert_eq!(code, 2, "{err}");
    assert!(
        err.contains("DUTYDESK_DB names") && err.contains("a directory"),
        "{err}"
    );
    let (code, _, err) =
        out(bare(d, "/dev/null", "/dev/null").args(["--db", d.to_str().unwrap(), "list"]));
    assert_eq!(code, 2, "{err}");
    assert!(err.contains("--db names"), "{err}");

    // Named files that are not there.
    let missing = d.join("no-such.toml");
    let (code, _, err) = out(bare(d, missing.to_str().unwrap(), "/dev/null").arg("list"));
    assert_eq!(code, 2, "{err}");
    assert!(
        err.contains("DUTYDESK_SYSTEM_CONFIG names") && err.contains("does not exist"),
        "{err}"
    );
    let (code, _, err) = out(bare(d, "/dev/null", missing.to_str().unwrap()).arg("list"));
    assert_eq!(code, 2, "{err}");
    assert!(
        err.contains("DUTYDESK_CONFIG names") && err.contains("does not exist"),
        "{err}"
    );
    let (code, text, _) =
        out(bare(d, "/dev/null", missing.to_str().unwrap()).args(["config", "show"]));
    assert_eq!(code, 2);
    assert!(text.contains("PROBLEM: DUTYDESK_CONFIG names"), "{text}");
}

// ---- JSON (J1–J3) ----

fn json(user: &str, db: &Path, args: &[&str]) -> serde_json::Value {
    let text = ok(user, db, T0, args);
    serde_json::from_str(&text).unwrap_or_else(|e| panic!("{args:?}: {e}\n{text}"))
}

/// J2: who raised a record is a username beside the name wherever the
/// record is written (show, export, casework.raiser): the recording DSL's
/// account, null for someone outside the desk, and for an imported record
/// the importing account with `imported: true`.
#[test]
fn raised_by_is_a_username_beside_the_name() {
    let (d, db) = desk();
    let mine = new_case(&db, T0, &["--name", "Pat Subject"]);
    let theirs = new_case(
        &db,
        T0,
        &[
            "--name",
            "Sam Subject",
            "--raised-by",
            "Ms Jones",
            "--raised-by-role",
            "teacher",
        ],
    );
    let map = write_map(d.path());
    let csv = d.path().join("log.csv");
    write_csv(&csv, &[log_row("L-9", "02/07/2025", "Old Case", "Rutland")]);
    ok(
        "dan",
        &db,
        T0,
        &[
            "import",
            csv.to_str().unwrap(),
            "--map",
            map.to_str().unwrap(),
        ],
    );
    let imported: String = common::sql(&db)
        .query_row(
            "SELECT e.reference FROM imports i JOIN escalations e ON e.id = i.escalation_id",
            [],
            |r| r.get(0),
        )
        .unwrap();
    for doc in ["show", "export"] {
        let v = json("sam", &db, &[doc, &mine, "--json"]);
        assert_eq!(v["raised_by"], "nina", "{doc}: {v}");
        assert_eq!(v["raised_by_name"], "Nina Patel");
        assert_eq!(v["imported"], false);
        assert_eq!(v["casework"]["raiser"]["username"], "nina");
        let v = json("sam", &db, &[doc, &theirs, "--json"]);
        assert_eq!(v["raised_by"], serde_json::Value::Null, "{doc}: {v}");
        assert_eq!(v["raised_by_name"], "Ms Jones");
        let v = json("sam", &db, &[doc, &imported, "--json"]);
        assert_eq!(v["raised_by"], "dan", "{doc}: {v}");
        assert_eq!(v["raised_by_name"], "Dan Okoro");
        assert_eq!(v["imported"], true);
        assert_eq!(v["casework"]["raiser"]["imported"], true);
    }
    // A redacted export names nobody.
    let v = json(
        "sam",
        &db,
        &["export", &theirs, "--json", "--redact-third-parties"],
    );
    assert_eq!(v["raised_by"], serde_json::Value::Null);
    assert!(!v.to_string().contains("Ms Jones"));
}

/// J1: every document that carries a deadline names its rule by code with
/// the label beside, and a deadline set by hand by what it is and whose:
/// never the task's words outside the record's own tasks[]; one name for
/// a due time, `due_at`.
#[test]
fn deadlines_in_json_are_rule_codes_and_tasks_are_named_by_what_they_are() {
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
            "dan",
            "--due",
            "10:00",
            "ring Dr Who 07700 111",
        ],
    );
    let later = "2026-11-23T11:00:00Z";
    let words = "Dr Who";
    let check_task = |what: &str, d: &serde_json::Value| {
        assert_eq!(d["rule"], serde_json::Value::Null, "{what}: {d}");
        assert_eq!(d["label"], "A task", "{what}: {d}");
        assert_eq!(d["set_by_hand"], "task", "{what}: {d}");
        assert_eq!(d["owner"], "dan", "{what}: {d}");
        assert_eq!(d["owner_name"], "Dan Okoro", "{what}: {d}");
        assert!(d["due_at"].is_string(), "{what}: {d}");
    };
    let text = ok("nina", &db, later, &["deadlines", "--json", "--all"]);
    assert!(!text.contains(words), "{text}");
    let v: serde_json::Value = serde_json::from_str(&text).unwrap();
    assert_eq!(v["schema_version"], 2);
    let items = v["items"].as_array().unwrap();
    let written = items
        .iter()
        .find(|d| d["rule"] == "written_record")
        .unwrap_or_else(|| panic!("no written_record in {text}"));
    assert_eq!(written["label"], "Written record of disclosure");
    assert_eq!(written["set_by_hand"], serde_json::Value::Null);
    assert!(written.get("due").is_none());
    check_task(
        "deadlines",
        items.iter().find(|d| d["set_by_hand"] == "task").unwrap(),
    );
    // The rule code is what `deadline met` takes.
    let rules = ok("nina", &db, later, &["rules", "list", "--json"]);
    assert!(rules.contains("\"code\": \"written_record\""), "{rules}");

    let text = ok("nina", &db, later, &["alerts", "--json"]);
    assert!(!text.contains(words), "{text}");
    let v: serde_json::Value = serde_json::from_str(&text).unwrap();
    let task_alert = v["items"]
        .as_array()
        .unwrap()
        .iter()
        .find(|a| a["set_by_hand"] == "task")
        .unwrap_or_else(|| panic!("no task alert in {text}"));
    check_task("alerts", task_alert);
    assert!(
        v["items"]
            .as_array()
            .unwrap()
            .iter()
            .any(|a| a["rule"] == "written_record"),
        "{text}"
    );

    // (Its `changes` are the chronology's lines, words and all.)
    let text = ok("nina", &db, T0, &["handover", "--json"]);
    let v: serde_json::Value = serde_json::from_str(&text).unwrap();
    assert!(!v["due"].to_string().contains(words), "{text}");
    check_task(
        "handover",
        v["due"]
            .as_array()
            .unwrap()
            .iter()
            .find(|d| d["set_by_hand"] == "task")
            .unwrap(),
    );

    let text = ok("nina", &db, T0, &["list", "--json"]);
    assert!(!text.contains(words), "{text}");
    let v: serde_json::Value = serde_json::from_str(&text).unwrap();
    let next = &v["items"][0]["next_due"];
    check_task("list next_due", next);

    // The record keeps the words in tasks[] only.
    let v = json("nina", &db, &["show", &r, "--json"]);
    let dls = v["deadlines"].as_array().unwrap();
    check_task(
        "show",
        dls.iter().find(|d| d["set_by_hand"] == "task").unwrap(),
    );
    assert!(dls.iter().any(|d| d["rule"] == "written_record"));
    assert!(
        !serde_json::Value::Array(dls.clone())
            .to_string()
            .contains(words)
    );
    assert!(
        v["casework"]["tasks"][0]["text"]
            .as_str()
            .unwrap()
            .contains(words)
    );
}

/// J3: what `access REF` shows is a document too (tests/json.rs holds every
/// listing command to `--json`); `--json` with a change is bad input and
/// changes nothing.
#[test]
fn access_shows_who_may_see_a_case_as_json() {
    let (_d, db) = desk();
    let r = new_case(&db, T0, &["--name", "Pat Subject"]);
    ok(
        "sam",
        &db,
        T0,
        &[
            "access",
            &r,
            "--restrict",
            "--name",
            "dan",
            "--exclude",
            "vic",
            "--reason",
            "a DSL's relative",
        ],
    );
    let v = json("sam", &db, &["access", &r, "--json"]);
    assert_eq!(v["document"], "access");
    assert_eq!(v["restricted"], true);
    assert_eq!(v["named"][0]["user"], "dan");
    assert_eq!(v["named"][0]["user_name"], "Dan Okoro");
    assert_eq!(v["excluded"][0]["user"], "vic");
    let before = count(&db, "SELECT count(*) FROM audit_log");
    let (code, _, err) = run(
        "sam",
        &db,
        T0,
        &["access", &r, "--unrestrict", "--reason", "x", "--json"],
    );
    assert_eq!(code, 2, "{err}");
    assert_eq!(count(&db, "SELECT count(*) FROM audit_log"), before);
    // Only a senior lead may read it, as without --json.
    let (code, _, _) = run("nina", &db, T0, &["access", &r, "--json"]);
    assert_eq!(code, 1);
}

// ---- completions (X3) ----

/// What the shell would offer after `words` (fish's protocol: one value a
/// line, its help after a tab), on the demo desk as `user`.
fn offered(db: &Path, user: &str, words: &[&str]) -> Vec<String> {
    let mut c = Command::cargo_bin("dutydesk").unwrap();
    c.env("COMPLETE", "fish")
        .env("DUTYDESK_DB", db)
        .env("DUTYDESK_USER", user)
        .env("DUTYDESK_CONFIG", "/dev/null")
        .env("DUTYDESK_SYSTEM_CONFIG", "/dev/null")
        .arg("--")
        .arg("dutydesk")
        .args(words)
        .arg("");
    let o = c.output().unwrap();
    String::from_utf8_lossy(&o.stdout)
        .lines()
        .map(|l| l.split('\t').next().unwrap_or_default().to_string())
        .collect()
}

/// X3: every argument that takes one of a known set of values completes
/// real values. Walks clap's tree: an argument with a fixed list offers
/// every value of it; one with a list from the desk offers something on
/// the demo; and the lists say the right accounts (no viewer where a viewer
/// is refused), the event kinds, referral outcome codes and rule codes.
#[test]
fn every_argument_with_known_values_completes_them() {
    let dir = common::private_dir();
    let (db, _) = common::demo_db(dir.path(), 20);
    // One account deactivated, so `staff reactivate` has one to offer.
    Command::cargo_bin("dutydesk")
        .unwrap()
        .env("DUTYDESK_DB", &db)
        .env("DUTYDESK_USER", "rwhite")
        .env("DUTYDESK_CONFIG", "/dev/null")
        .env("DUTYDESK_SYSTEM_CONFIG", "/dev/null")
        .args(["staff", "deactivate", "tnowak"])
        .assert()
        .success();
    let mut checked = 0;
    fn walk(cmd: &clap::Command, path: Vec<String>, out: &mut Vec<(Vec<String>, clap::Arg)>) {
        for a in cmd.get_arguments() {
            out.push((path.clone(), a.clone()));
        }
        for s in cmd.get_subcommands().filter(|c| c.get_name() != "help") {
            let mut p = path.clone();
            p.push(s.get_name().to_string());
            walk(s, p, out);
        }
    }
    let mut args = Vec::new();
    walk(
        &<dutydesk::cli::Cli as clap::CommandFactory>::command(),
        vec![],
        &mut args,
    );
    let root = <dutydesk::cli::Cli as clap::CommandFactory>::command();
    for (path, a) in &args {
        if !a.get_action().takes_values() || a.is_hide_set() || path.is_empty() {
            continue;
        }
        let fixed: Vec<String> = a
            .get_possible_values()
            .iter()
            .filter(|v| !v.is_hide_set())
            .map(|v| v.get_name().to_string())
            .collect();
        let from_desk = a.get::<clap_complete::ArgValueCandidates>().is_some();
        if fixed.is_empty() && !from_desk {
            continue;
        }
        // The words before the value: the path, earlier positionals as "X".
        let mut words: Vec<String> = path.clone();
        match a.get_long() {
            Some(long) => {
                let sub = path
                    .iter()
                    .fold(&root, |c, n| c.find_subcommand(n).unwrap());
                for p in sub.get_positionals().filter(|p| p.is_required_set()) {
                    let _ = p;
                    words.push("SG-2026-0001".into());
                }
                words.push(format!("--{long}"));
            }
            None => {
                let sub = path
                    .iter()
                    .fold(&root, |c, n| c.find_subcommand(n).unwrap());
                for p in sub.get_positionals() {
                    if p.get_id() == a.get_id() {
                        break;
                    }
                    words.push("SG-2026-0001".into());
                }
            }
        }
        let w: Vec<&str> = words.iter().map(String::as_str).collect();
        let got = offered(&db, "rwhite", &w);
        for v in &fixed {
            assert!(
                got.contains(v),
                "`dutydesk {}` does not offer {v}: {got:?}",
                w.join(" ")
            );
        }
        assert!(
            got.iter().any(|g| !g.starts_with('-')),
            "`dutydesk {} <TAB>` offers no value: {got:?}",
            w.join(" ")
        );
        checked += 1;
    }
    assert!(checked > 40, "only {checked} arguments checked");
    // Accounts that may hold a case, a task, a shift: no viewer.
    for words in [
        &["task", "add", "SG-2026-0001", "--owner"][..],
        &["assign", "SG-2026-0001"],
        &["rota", "add"],
        &["rota", "pattern", "add"],
        &["reviews", "record", "1", "--owner"],
    ] {
        let got = offered(&db, "rwhite", words);
        assert!(got.contains(&"jbrennan".to_string()), "{words:?}: {got:?}");
        assert!(
            !got.contains(&"cadeyemi".to_string()),
            "{words:?} offers a viewer: {got:?}"
        );
    }
    // Only a deactivated account can be let back in.
    let back: Vec<String> = offered(&db, "rwhite", &["staff", "reactivate"])
        .into_iter()
        .filter(|v| !v.starts_with('-'))
        .collect();
    assert_eq!(back, vec!["tnowak".to_string()], "{back:?}");
    let events = offered(&db, "rwhite", &["event", "SG-2026-0001"]);
    for e in [
        "strategy_discussion",
        "icpc_held",
        "review_conference_held",
        "removed_from_regulated_activity",
    ] {
        assert!(events.contains(&e.to_string()), "{events:?}");
    }
    let codes = offered(&db, "rwhite", &["outcome", "SG-2026-0001", "--outcome"]);
    for c in [
        "accepted_for_assessment",
        "substantiated",
        "no_further_action",
    ] {
        assert!(codes.contains(&c.to_string()), "{codes:?}");
    }
    let rules = offered(&db, "rwhite", &["deadline", "met", "SG-2026-0001"]);
    for r in ["written_record", "lado_referral"] {
        assert!(rules.contains(&r.to_string()), "{rules:?}");
    }
    // No record's words or references are offered: only lists any staff may read.
    let refs = offered(&db, "rwhite", &["show"]);
    assert!(!refs.iter().any(|r| r.starts_with("SG-")), "{refs:?}");
}

// ---- the administrator's guide and the package (X2) ----

/// X2: following docs/ADMIN.md (and the README) on a host with the package
/// keeps the shipped system file working: no step appends a table the file
/// already has, and every step that makes what the package makes (a group,
/// an account, a unit, the binary, the system file) sits under "Without the
/// package". Each `[table]` the guides show is one the shipped file has.
#[test]
fn the_admin_guide_edits_the_packaged_settings_in_place() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let sample = std::fs::read_to_string(root.join("packaging/config.toml")).unwrap();
    let tables: Vec<&str> = sample.lines().filter(|l| l.starts_with('[')).collect();
    let postinst = std::fs::read_to_string(root.join("packaging/debian/postinst")).unwrap();
    for doc in ["docs/ADMIN.md", "README.md"] {
        let text = std::fs::read_to_string(root.join(doc)).unwrap();
        assert!(
            !text.contains(">> /etc/dutydesk/config.toml"),
            "{doc} appends to the system file: the package's already has every table"
        );
        // Each fenced block, with the prose just before it.
        let mut before = String::new();
        let mut in_block = false;
        let mut block = String::new();
        for line in text.lines() {
            if line.trim_start().starts_with("```") {
                if in_block {
                    let makes = [
                        "groupadd",
                        "useradd",
                        "adduser",
                        "/etc/systemd/system",
                        "install -o root -g dutydesk -m 2755",
                    ]
                    .iter()
                    .find(|w| block.contains(*w));
                    if let Some(w) = makes {
                        assert!(
                            before.contains("Without the package")
                                || before.contains("without the package"),
                            "{doc}: a step with {w:?} is not marked as for a host without the package:\n{before}\n{block}"
                        );
                    }
                    before.clear();
                    block.clear();
                }
                in_block = !in_block;
                continue;
            }
            if in_block {
                block.push_str(line);
                block.push('\n');
            } else if line.trim().is_empty()
                && !before.trim().is_empty()
                && before.ends_with("\n\n")
            {
                before.clear();
            } else {
                before.push_str(line);
                before.push('\n');
            }
        }
    }
    // The tables the guide tells people to fill in are the shipped file's.
    let admin = std::fs::read_to_string(root.join("docs/ADMIN.md")).unwrap();
    for t in ["[notify]", "[backup]", "[audit]"] {
        assert!(tables.contains(&t), "the shipped file lacks {t}");
        assert!(admin.contains(t));
    }
    // What the guide says the package made, it makes.
    for made in [
        "dutydesk-notify",
        "dutydesk-backup",
        "/var/backups/dutydesk",
        "2770 /var/lib/dutydesk",
    ] {
        assert!(postinst.contains(made), "postinst does not make {made}");
    }
}

/// I4 (found re-testing): every detail a row carries is compared when its
/// log number comes again, not only a few: the date of birth, whether it
/// is closed, and its closing date, outcome and note; in one file and
/// against an earlier import; the same row again still changes nothing.
#[test]
fn a_log_number_again_compares_every_detail_the_row_carries() {
    let (d, db) = desk();
    let map = d.path().join("full.toml");
    std::fs::write(
        &map,
        r#"
[columns]
reference = "Log no."
raised = "Date"
subject = "About"
name = "Name"
area = "Area"
categories = "Type"
summary = "What happened"
risk = "Risk"
dob = "DOB"
status = "Status"
outcome = "Outcome"
closed = "Closed"
rationale = "Why"
[defaults]
consent = "given"
"#,
    )
    .unwrap();
    let head =
        "Log no.,Date,About,Name,Area,Type,What happened,Risk,DOB,Status,Outcome,Closed,Why\n";
    let imp = |rows: &[&str]| {
        let csv = d.path().join("full.csv");
        std::fs::write(&csv, format!("{head}{}\n", rows.join("\n"))).unwrap();
        run(
            "nina",
            &db,
            T0,
            &[
                "import",
                csv.to_str().unwrap(),
                "--map",
                map.to_str().unwrap(),
            ],
        )
    };
    let open = "N-1,01/07/2025,child,Ann One,Rutland,neglect,no food,low,01/01/2012,open,,,";
    let closed = "N-1,01/07/2025,child,Ann One,Rutland,neglect,no food,low,01/01/2012,closed,no-further-action,02/07/2025,done";
    let other_dob = "N-1,01/07/2025,child,Ann One,Rutland,neglect,no food,low,02/02/2013,open,,,";
    let before = count(&db, "SELECT count(*) FROM escalations");
    // In one file: status and closure; date of birth.
    let (code, out, err) = imp(&[open, closed]);
    assert_eq!(code, 2, "{out}{err}");
    assert!(
        err.contains("is also row 2, with different details: status"),
        "{err}"
    );
    let (code, out, err) = imp(&[open, other_dob]);
    assert_eq!(code, 2, "{out}{err}");
    assert!(err.contains("date of birth"), "{err}");
    assert_eq!(count(&db, "SELECT count(*) FROM escalations"), before);
    // Imported closed; the same row again changes nothing.
    let (code, out, err) = imp(&[closed]);
    assert_eq!(code, 0, "{out}{err}");
    let audit = count(&db, "SELECT count(*) FROM audit_log");
    let (code, out, err) = imp(&[closed]);
    assert_eq!(code, 0, "{out}{err}");
    assert!(out.contains("already imported as"), "{out}");
    assert_eq!(count(&db, "SELECT count(*) FROM audit_log"), audit);
    // Against the earlier import: status, outcome, closing date, note.
    let (code, _, err) = imp(&[open]);
    assert_eq!(code, 2, "{err}");
    assert!(err.contains("with different details: status"), "{err}");
    let later = "N-1,01/07/2025,child,Ann One,Rutland,neglect,no food,low,01/01/2012,closed,no-further-action,03/07/2025,other words";
    let (code, _, err) = imp(&[later]);
    assert_eq!(code, 2, "{err}");
    assert!(err.contains("closing date, closing note"), "{err}");
    assert_eq!(count(&db, "SELECT count(*) FROM audit_log"), audit);
}
