//! `dutydesk import` (issue 20, point 4): a crafted spreadsheet (.xlsx, and
//! the same rows as CSV) with good rows, then a bad row; all or nothing with
//! errors by row; original dates kept; records marked imported; an
//! allegation about a desk user restricted as at intake; the same file twice
//! changes nothing.

mod common;

use std::io::Write as _;
use std::path::Path;
use std::process::Command;

const MAP: &str = r#"
[columns]
reference = "Log no."
raised = "Date reported"
subject = "About"
name = "Name"
dob = "DOB"
area = "Lives in"
categories = "Type"
summary = "What happened"
words = "Their words"
status = "Status"
outcome = "Outcome"
closed = "Date closed"
about = "Desk user?"

[values.subject]
"Young person" = "child"
"Adult at risk" = "adult"
"Staff member" = "staff"

[values.categories]
"Sexual abuse" = "sexual"
"Neglect" = "neglect"
"Emotional" = "emotional"

[values.outcome]
"NFA" = "no-further-action"

[defaults]
risk = "medium"
consent = "given"
"#;

const HEADINGS: &[&str] = &[
    "Log no.",
    "Date reported",
    "About",
    "Name",
    "DOB",
    "Lives in",
    "Type",
    "What happened",
    "Their words",
    "Status",
    "Outcome",
    "Date closed",
    "Desk user?",
];

/// The log's rows (after the headings): a closed child case from 2025, an
/// open adult case from last month, and an allegation about the desk's own
/// DSL "Nina Patel".
fn good_rows() -> Vec<Vec<&'static str>> {
    vec![
        vec![
            "L-101",
            "14/03/2025 10:15",
            "Young person",
            "Ellis Marsh",
            "02/05/2012",
            "Rutland",
            "Sexual abuse; Emotional",
            "Told form tutor about messages from an adult",
            "he said not to tell",
            "Closed",
            "NFA",
            "20/03/2025",
            "",
        ],
        vec![
            "L-102",
            "2026-10-28 16:40",
            "Adult at risk",
            "Morag Finch",
            "",
            "Leicestershire",
            "Neglect",
            "Found without heating or food",
            "",
            "Open",
            "",
            "",
            "",
        ],
        vec![
            "L-103",
            "05/11/2026",
            "Staff member",
            "N. Patel",
            "",
            "Rutland",
            "Emotional",
            "Shouting at a young person",
            "",
            "Open",
            "",
            "",
            "nina",
        ],
    ]
}

/// A minimal .xlsx: one sheet of inline strings, as Excel reads it.
fn write_xlsx(path: &Path, rows: &[Vec<&str>]) {
    use zip::write::SimpleFileOptions;
    let f = std::fs::File::create(path).unwrap();
    let mut z = zip::ZipWriter::new(f);
    let o = SimpleFileOptions::default().compression_method(zip::CompressionMethod::Deflated);
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
    let esc = |s: &str| {
        s.replace('&', "&amp;")
            .replace('<', "&lt;")
            .replace('>', "&gt;")
    };
    let mut sheet = String::from(
        r#"<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData>"#,
    );
    for (r, row) in rows.iter().enumerate() {
        sheet.push_str(&format!("<row r=\"{}\">", r + 1));
        for (c, v) in row.iter().enumerate() {
            if v.is_empty() {
                continue;
            }
            sheet.push_str(&format!(
                "<c r=\"{}{}\" t=\"inlineStr\"><is><t>{}</t></is></c>",
                col(c),
                r + 1,
                esc(v)
            ));
        }
        sheet.push_str("</row>");
    }
    sheet.push_str("</sheetData></worksheet>");
    put("xl/worksheets/sheet1.xml", &sheet);
    z.finish().unwrap();
}

fn dd(db: &Path, user: &str, args: &[&str]) -> (i32, String, String) {
    let o = Command::new(env!("CARGO_BIN_EXE_dutydesk"))
        .env("DUTYDESK_DB", db)
        .env("DUTYDESK_USER", user)
        .env("DUTYDESK_NOW", "2026-11-23T09:00:00Z")
        .env("DUTYDESK_CONFIG", "/dev/null")
        .env("DUTYDESK_SYSTEM_CONFIG", "/dev/null")
        .args(args)
        .output()
        .unwrap();
    (
        o.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&o.stdout).into_owned(),
        String::from_utf8_lossy(&o.stderr).into_owned(),
    )
}

fn count(db: &Path, sql: &str) -> i64 {
    rusqlite::Connection::open(db)
        .unwrap()
        .query_row(sql, [], |r| r.get(0))
        .unwrap()
}

fn desk(dir: &Path) -> std::path::PathBuf {
    let db = dir.join("desk.db");
    common::desk_db(
        &db,
        "Import Test Partnership",
        &[
            ("sam", "Sam Reed", "senior"),
            ("dan", "Dan Okoro", "dsl"),
            ("nina", "Nina Patel", "dsl"),
            ("vic", "Vic Lamb", "viewer"),
        ],
        common::now(),
    );
    db
}

#[test]
fn a_crafted_workbook_imports_whole_once_and_a_bad_row_stops_it_all() {
    let dir = common::private_dir();
    let db = desk(dir.path());
    let map = dir.path().join("map.toml");
    std::fs::write(&map, MAP).unwrap();
    let (m, d) = (map.to_str().unwrap(), dir.path());
    let audit_before = count(&db, "SELECT count(*) FROM audit_log");

    // A bad row among good ones: nothing is imported, every problem by row.
    let mut rows = vec![HEADINGS.to_vec()];
    rows.extend(good_rows());
    let mut bad = good_rows()[1].clone();
    bad[0] = "L-104";
    bad[1] = "31/02/2026";
    bad[2] = "Pupil";
    rows.push(bad);
    let mut age = good_rows()[0].clone();
    age[0] = "L-105";
    age[4] = "01/01/1990";
    rows.push(age);
    let bad_book = d.join("bad.xlsx");
    write_xlsx(&bad_book, &rows);
    let (code, out, err) = dd(
        &db,
        "dan",
        &["import", bad_book.to_str().unwrap(), "--map", m],
    );
    assert_eq!(code, 2, "{out}{err}");
    assert!(err.contains("row 5: raised:"), "{err}");
    assert!(err.contains("row 5: subject: \"Pupil\""), "{err}");
    assert!(err.contains("row 6:"), "the 'child' born in 1990: {err}");
    assert!(err.contains("nothing imported"), "{err}");
    assert_eq!(count(&db, "SELECT count(*) FROM escalations"), 0);
    assert_eq!(count(&db, "SELECT count(*) FROM audit_log"), audit_before);

    // Viewers may not import.
    let book = d.join("log.xlsx");
    let mut rows = vec![HEADINGS.to_vec()];
    rows.extend(good_rows());
    write_xlsx(&book, &rows);
    let (code, _, err) = dd(&db, "vic", &["import", book.to_str().unwrap(), "--map", m]);
    assert_eq!(code, 1, "{err}");
    assert!(err.contains("only a DSL or senior lead"), "{err}");

    // A dry run says what it would do and writes nothing.
    let (code, out, err) = dd(
        &db,
        "dan",
        &["import", book.to_str().unwrap(), "--map", m, "--dry-run"],
    );
    assert_eq!(code, 0, "{err}");
    assert!(out.contains("3 row(s) to import"), "{out}");
    assert_eq!(count(&db, "SELECT count(*) FROM escalations"), 0);

    // The good workbook.
    let (code, out, err) = dd(&db, "dan", &["import", book.to_str().unwrap(), "--map", m]);
    assert_eq!(code, 0, "{out}{err}");
    assert_eq!(count(&db, "SELECT count(*) FROM escalations"), 3);
    assert_eq!(count(&db, "SELECT count(*) FROM imports"), 3);
    // Original dates: 14 March 2025 10:15 GMT; its reference is of 2025.
    assert_eq!(
        count(
            &db,
            "SELECT raised_at FROM escalations WHERE subject_name = 'Ellis Marsh'"
        ),
        chrono::DateTime::parse_from_rfc3339("2025-03-14T10:15:00Z")
            .unwrap()
            .timestamp()
    );
    assert!(out.contains("SG-2025-"), "{out}");
    // Closed as the log closed it, with its outcome; the open one is held.
    assert_eq!(
        count(
            &db,
            "SELECT count(*) FROM escalations WHERE subject_name = 'Ellis Marsh' AND status = 'closed' AND outcome = 'no-further-action'"
        ),
        1
    );
    assert_eq!(
        count(
            &db,
            "SELECT count(*) FROM escalations e JOIN staff s ON s.id = e.assignee_id WHERE e.subject_name = 'Morag Finch' AND s.username = 'dan' AND e.acknowledged_at IS NOT NULL"
        ),
        1
    );
    // No deadline that fell due before the import is left to alarm.
    assert_eq!(
        count(
            &db,
            "SELECT count(*) FROM deadlines WHERE met_at IS NULL AND waived_at IS NULL AND due_at < 1795424400"
        ),
        0
    );
    // The allegation about the desk's DSL is restricted, and she is excluded.
    assert_eq!(
        count(
            &db,
            "SELECT restricted FROM escalations WHERE subject_name = 'N. Patel'"
        ),
        1
    );
    let (code, out, _) = dd(&db, "nina", &["list", "--status", "all"]);
    assert_eq!(code, 0);
    assert!(
        !out.contains("SG-2026-0002"),
        "nina sees the allegation about her: {out}"
    );
    assert_eq!(
        out.lines().filter(|l| l.starts_with("SG-")).count(),
        2,
        "{out}"
    );
    // Marked imported, in the chronology; the trail holds no record words.
    let (code, out, _) = dd(&db, "dan", &["show", "SG-2025-0001"]);
    assert_eq!(code, 0);
    assert!(
        out.contains("Imported from the earlier log (log.xlsx, row 2"),
        "{out}"
    );
    let trail: String = rusqlite::Connection::open(&db)
        .unwrap()
        .query_row(
            "SELECT group_concat(coalesce(detail, ''), ' ') FROM audit_log WHERE action = 'import'",
            [],
            |r| r.get(0),
        )
        .unwrap();
    assert!(
        !trail.contains("Ellis") && !trail.contains("messages"),
        "{trail}"
    );
    let (code, out, err) = dd(&db, "sam", &["verify"]);
    assert_eq!(code, 0, "{out}{err}");

    // The same workbook again changes nothing; so does the same log as CSV.
    let before = count(&db, "SELECT count(*) FROM audit_log");
    let (code, out, err) = dd(&db, "dan", &["import", book.to_str().unwrap(), "--map", m]);
    assert_eq!(code, 0, "{err}");
    assert!(
        out.contains("row 2: already imported as SG-2025-0001"),
        "{out}"
    );
    let csv_path = d.join("log.csv");
    let mut w = csv::Writer::from_path(&csv_path).unwrap();
    w.write_record(HEADINGS).unwrap();
    for r in good_rows() {
        w.write_record(&r).unwrap();
    }
    w.flush().unwrap();
    let (code, out, err) = dd(
        &db,
        "dan",
        &["import", csv_path.to_str().unwrap(), "--map", m],
    );
    assert_eq!(code, 0, "{err}");
    assert_eq!(out.matches("already imported as").count(), 3, "{out}");
    assert_eq!(count(&db, "SELECT count(*) FROM escalations"), 3);
    assert_eq!(count(&db, "SELECT count(*) FROM audit_log"), before);
}

/// A near name with no answer is refused by row, naming the answers but
/// never the colleague, as at intake.
#[test]
fn an_allegation_near_a_desk_users_name_needs_the_question_answered() {
    let dir = common::private_dir();
    let db = desk(dir.path());
    let map = dir.path().join("map.toml");
    std::fs::write(&map, MAP).unwrap();
    let mut rows = vec![HEADINGS.to_vec()];
    let mut r = good_rows()[2].clone();
    r[12] = "";
    rows.push(r);
    let csv_path = dir.path().join("log.csv");
    let mut w = csv::Writer::from_path(&csv_path).unwrap();
    for r in &rows {
        w.write_record(r).unwrap();
    }
    w.flush().unwrap();
    let (code, _, err) = dd(
        &db,
        "dan",
        &[
            "import",
            csv_path.to_str().unwrap(),
            "--map",
            map.to_str().unwrap(),
        ],
    );
    assert_eq!(code, 2, "{err}");
    assert!(err.contains("row 2:") && err.contains("about"), "{err}");
    assert!(!err.contains("nina"), "the colleague is never named: {err}");
    assert_eq!(count(&db, "SELECT count(*) FROM escalations"), 0);
}
