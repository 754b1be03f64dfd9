//! Contacts through the commands: the number to ring at a moment, search,
//! CSV round trip, and bad rows refused by line number.

use assert_cmd::Command;
use std::path::{Path, PathBuf};

fn dd(path: &Path) -> Command {
    let mut c = Command::cargo_bin("dutydesk").unwrap();
    c.env("DUTYDESK_USER", "alice")
        .env("DUTYDESK_DB", path)
        .env("DUTYDESK_NOW", "2026-11-23T09:00:00Z");
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

fn demo(dir: &Path) -> PathBuf {
    let path = dir.join("demo.db");
    assert_eq!(
        run(dd(&path).args(["demo", "--no-open", "--cases", "6"])).0,
        0
    );
    path
}

#[test]
fn the_number_to_ring_depends_on_the_time() {
    let dir = private_dir();
    let path = demo(dir.path());
    let ask = |at: &str| {
        let (code, out, err) = run(dd(&path).args([
            "contacts", "--route", "children", "--area", "Rutland", "--json", "--at", at,
        ]));
        assert_eq!(code, 0, "{err}");
        let v: serde_json::Value = serde_json::from_str(&out).unwrap();
        // Rutland's own children's line (its out-of-hours line is listed too).
        let office = v["items"]
            .as_array()
            .unwrap()
            .iter()
            .find(|a| a["contact"]["service"] == "Children's referrals")
            .unwrap()
            .clone();
        (
            office["open_now"].as_bool().unwrap(),
            office["ring"].as_str().unwrap().to_string(),
        )
    };
    // Monday 08:29 closed → Leicestershire's 24/7 line; 08:30 open → Rutland.
    assert_eq!(ask("2026-11-23T08:29:00Z"), (false, "0116 305 0005".into()));
    assert_eq!(ask("2026-11-23T08:30:00Z"), (true, "01572 758 407".into()));
    assert_eq!(ask("2026-11-23T16:59:00Z"), (true, "01572 758 407".into()));
    assert_eq!(ask("2026-11-23T17:00:00Z"), (false, "0116 305 0005".into()));
    // Friday closes at 16:30; Saturday closed; Good Friday 2027 closed.
    assert!(!ask("2026-11-27T16:30:00Z").0);
    assert!(!ask("2026-11-28T11:00:00Z").0);
    assert!(!ask("2027-03-26T10:00:00Z").0);
    // In summer, 08:30 BST is 07:30 UTC.
    assert!(ask("2026-07-06T07:30:00Z").0);
    // Bad input names the forms a time may take, and exits 2.
    let (code, _, err) = run(dd(&path).args(["contacts", "--at", "blue moon"]));
    assert_eq!(code, 2);
    assert!(
        err.contains("27/11 09:15") && err.contains("2026-11-30T09:00:00Z"),
        "{err}"
    );
}

#[test]
fn search_finds_by_any_word() {
    let dir = private_dir();
    let path = demo(dir.path());
    let (_, out, _) = run(dd(&path).args(["contacts", "rutland", "lado"]));
    assert_eq!(out.lines().count(), 1, "{out}");
    assert!(out.contains("01572 720 454"), "{out}");
    let (_, out, _) = run(dd(&path).args(["contacts", "wolverhampton"]));
    assert!(out.lines().count() >= 3, "{out}");
}

#[test]
fn csv_round_trip_and_bad_rows() {
    let dir = private_dir();
    let path = demo(dir.path());
    let (_, csv, _) = run(dd(&path).args(["contacts", "export"]));
    let file = dir.path().join("c.csv");
    std::fs::write(&file, &csv).unwrap();
    let (code, out, err) = run(dd(&path).args(["contacts", "import"]).arg(&file));
    assert_eq!(code, 0, "{err}");
    assert!(out.contains("0 added, 0 changed, 25 unchanged"), "{out}");
    // Walsall is not one of the demo's areas until a senior lead adds it.
    let (code, _, err) = run(dd(&path)
        .env("DUTYDESK_USER", "rwhite")
        .args(["areas", "add", "Walsall"]));
    assert_eq!(code, 0, "{err}");
    // A new row and a changed number; a dry run first changes nothing.
    let edited = csv.replace("01572 720 454", "01572 720 999")
        + ",Walsall Council,Children's MASH,children,Walsall,0300 555 2866,,,,Mon-Fri 09:00-17:00,no,\n";
    std::fs::write(&file, &edited).unwrap();
    let (_, out, _) = run(dd(&path)
        .args(["contacts", "import", "--dry-run"])
        .arg(&file));
    assert!(out.contains("1 to add, 1 to change"), "{out}");
    let (_, out, _) = run(dd(&path).args(["contacts", "rutland", "lado"]));
    assert!(
        out.contains("01572 720 454"),
        "dry run changed nothing: {out}"
    );
    let (code, out, _) = run(dd(&path).args(["contacts", "import"]).arg(&file));
    assert_eq!(code, 0);
    assert!(out.contains("1 added, 1 changed"), "{out}");
    let (_, out, _) = run(dd(&path).args(["contacts", "import"]).arg(&file));
    assert!(
        out.contains("0 added, 0 changed, 26 unchanged"),
        "idempotent: {out}"
    );
    // A bad row: its line is named and nothing is imported.
    let bad = edited.replace("0300 555 2866", "ring the office")
        + ",X,Y,children,Walsall,0300 1,,,,Mon 9-5,no,\n";
    std::fs::write(&file, &bad).unwrap();
    let (code, _, err) = run(dd(&path).args(["contacts", "import"]).arg(&file));
    assert_eq!(code, 2);
    assert!(err.contains("line 27: phone"), "{err}");
    assert!(err.contains("nothing imported"), "{err}");
    let (_, out, _) = run(dd(&path).args(["contacts", "walsall"]));
    assert!(out.contains("0300 555 2866"), "{out}");
    // A fallback to itself, or in a loop, is refused.
    let (_, csv, _) = run(dd(&path).args(["contacts", "export"]));
    let first = csv.lines().nth(1).unwrap();
    let id = first.split(',').next().unwrap();
    let selfish = format!(
        "{}\n{},{}",
        csv.lines().next().unwrap(),
        id,
        first.split_once(',').unwrap().1.rsplit_once(',').unwrap().0
    ) + &format!(",{id}\n");
    std::fs::write(&file, selfish).unwrap();
    let (code, _, err) = run(dd(&path).args(["contacts", "import"]).arg(&file));
    assert_eq!(code, 2, "a bad value in the file");
    assert!(err.contains("fall back to itself"), "{err}");
}

/// A temporary directory only its owner can list, as the desk requires of a
/// real database's directory.
fn private_dir() -> tempfile::TempDir {
    use std::os::unix::fs::PermissionsExt;
    let d = tempfile::tempdir().unwrap();
    std::fs::set_permissions(d.path(), std::fs::Permissions::from_mode(0o700)).unwrap();
    d
}

/// An Emergency Duty Team's hours at their edges: evenings overnight, the
/// weekend, and a bank holiday (Christmas 2026: Friday 25, Monday 28).
#[test]
fn out_of_hours_lines_answer_at_night_weekends_and_bank_holidays_only() {
    let dir = private_dir();
    let path = demo(dir.path());
    let edt = |at: &str| {
        let (code, out, err) = run(dd(&path).args([
            "contacts", "--route", "adults", "--area", "Leics", "--json", "--at", at,
        ]));
        assert_eq!(code, 0, "{err}");
        let v: serde_json::Value = serde_json::from_str(&out).unwrap();
        let find = |service: &str| {
            v["items"]
                .as_array()
                .unwrap()
                .iter()
                .find(|a| {
                    a["contact"]["service"]
                        .as_str()
                        .unwrap()
                        .starts_with(service)
                })
                .unwrap()
                .clone()
        };
        let office = find("Adults' safeguarding");
        (
            find("Emergency Duty Team")["open_now"].as_bool().unwrap(),
            office["ring"].as_str().unwrap().to_string(),
        )
    };
    // Tuesday midday: the EDT is shut, the office answers.
    assert_eq!(edt("2026-11-24T12:00:00Z"), (false, "0116 305 0004".into()));
    // 16:59 office, 17:00 the EDT; overnight until 08:30 the next morning.
    assert_eq!(edt("2026-11-24T16:59:00Z"), (false, "0116 305 0004".into()));
    assert_eq!(edt("2026-11-24T17:00:00Z"), (true, "0116 255 1606".into()));
    assert_eq!(edt("2026-11-25T08:29:00Z"), (true, "0116 255 1606".into()));
    assert_eq!(edt("2026-11-25T08:30:00Z"), (false, "0116 305 0004".into()));
    // Friday from 16:30 through Saturday midnight.
    assert_eq!(edt("2026-11-27T16:30:00Z"), (true, "0116 255 1606".into()));
    assert_eq!(edt("2026-11-29T00:00:00Z"), (true, "0116 255 1606".into()));
    // Christmas Day and the substitute Boxing Day at noon: the EDT.
    assert_eq!(edt("2026-12-25T12:00:00Z"), (true, "0116 255 1606".into()));
    assert_eq!(edt("2026-12-28T12:00:00Z"), (true, "0116 255 1606".into()));
    assert_eq!(edt("2026-12-29T12:00:00Z"), (false, "0116 305 0004".into()));
    // An adult in Rutland out of hours is sent to the out-of-hours line for
    // Rutland adults, labelled for them, never a children's service.
    let (_, out, _) = run(dd(&path).args([
        "contacts",
        "--route",
        "adults",
        "--area",
        "Rutland",
        "--at",
        "2026-11-28T19:00:00Z",
    ]));
    assert!(out.contains("→ ring 0116 305 0005 (Leicestershire County Council Out of hours for Rutland adults, for adults in Rutland)"), "{out}");
    assert!(!out.contains("Children"), "{out}");
}

#[test]
fn areas_are_checked_and_a_look_up_never_comes_back_empty() {
    let dir = private_dir();
    let path = demo(dir.path());
    let (code, _, err) = run(dd(&path).args(["contacts", "--area", "Rutlnd"]));
    assert_eq!(code, 2);
    assert!(err.contains("did you mean Rutland?"), "{err}");
    assert!(
        err.contains("Leicester, Leicestershire, Rutland, Wolverhampton"),
        "{err}"
    );
    // Another name finds the area.
    let (code, out, _) = run(dd(&path).args([
        "contacts",
        "--area",
        "leicester city",
        "--route",
        "children",
    ]));
    assert_eq!(code, 0);
    assert!(out.contains("0116 454 1004"), "{out}");
    // Nothing for the LADO where the person lives is not known: 999 and 101 still.
    let (code, out, _) = run(dd(&path).args(["contacts", "--area", "unknown", "--route", "lado"]));
    assert_eq!(code, 0);
    assert!(out.contains("999") && out.contains("101"), "{out}");
    let (_, out, _) = run(dd(&path).args(["contacts", "no", "such", "service"]));
    assert!(out.contains("999") && out.contains("101"), "{out}");
    // National lines publish their numbers.
    for (q, number) in [
        ("slavery", "08000 121 700"),
        ("fgm", "0800 028 3550"),
        ("forced marriage", "020 7008 0151"),
    ] {
        let (_, out, _) = run(dd(&path).args(["contacts", q]));
        assert!(out.contains(number), "{q}: {out}");
    }
    let (_, out, _) = run(dd(&path).args(["contacts", "ceop"]));
    assert!(out.contains("ceop.police.uk"), "{out}");
    // Every demo area has a children's, an adults' and an out-of-hours line.
    for area in ["Leicester", "Leicestershire", "Rutland", "Wolverhampton"] {
        for route in ["children", "adults"] {
            let (_, out, _) = run(dd(&path).args([
                "contacts",
                "--area",
                area,
                "--route",
                route,
                "--json",
                "--at",
                "2026-11-28T19:00:00Z",
            ]));
            let v: serde_json::Value = serde_json::from_str(&out).unwrap();
            assert!(
                v["items"]
                    .as_array()
                    .unwrap()
                    .iter()
                    .any(|a| a["contact"]["area"] == area && a["ring"].as_str().is_some()),
                "{area} {route}: {out}"
            );
        }
    }
}

#[test]
fn import_links_fallbacks_in_any_order_and_refuses_overlaps_plainly() {
    let dir = private_dir();
    let path = demo(dir.path());
    // An export, its rows reversed (fallbacks now come before their targets),
    // imported into a fresh demo database with no contacts of its own.
    let (_, csv, _) = run(dd(&path).args(["contacts", "export"]));
    let mut lines: Vec<&str> = csv.lines().collect();
    let header = lines.remove(0);
    lines.reverse();
    let file = dir.path().join("reversed.csv");
    std::fs::write(&file, format!("{header}\n{}\n", lines.join("\n"))).unwrap();
    let fresh = dir.path().join("fresh.db");
    let conn = {
        assert_eq!(
            run(dd(&fresh).args(["demo", "--no-open", "--cases", "1"])).0,
            0
        );
        rusqlite::Connection::open(&fresh).unwrap()
    };
    conn.execute_batch("PRAGMA foreign_keys = OFF; UPDATE contacts SET fallback_id = NULL; DELETE FROM contact_hours; DELETE FROM contacts;")
        .unwrap();
    drop(conn);
    let (code, out, err) = run(dd(&fresh).args(["contacts", "import"]).arg(&file));
    assert_eq!(code, 0, "{err}");
    assert!(out.contains("25 added"), "{out}");
    let (_, again, _) = run(dd(&fresh).args(["contacts", "export"]));
    assert_eq!(again, csv, "the same contacts, ids and fallbacks");
    // Overlapping hours: a plain message naming both spans, not a database error.
    let bad = format!(
        "{header}\n,Test Council,Duty line,children,Rutland,0116 000 0000,,,,Mon-Fri 09:00-17:00; Mon 12:00-20:00,no,\n"
    );
    std::fs::write(&file, bad).unwrap();
    let (code, _, err) = run(dd(&path).args(["contacts", "import"]).arg(&file));
    assert_eq!(code, 2);
    assert!(
        err.contains("Mon 09:00-17:00 and Mon 12:00-20:00 overlap"),
        "{err}"
    );
    assert!(!err.contains("UNIQUE"), "{err}");
    // A fallback must serve the same people: an adults' line never falls
    // back to a children's one.
    let children_id = csv
        .lines()
        .find(|l| l.contains("Children's safeguarding (24/7)") && l.contains("Leicestershire"))
        .and_then(|l| l.split(',').next())
        .unwrap()
        .to_string();
    let wrong = format!(
        "{header}\n,Test Council,Adults duty,adults,Rutland,0116 000 0001,,,,Mon-Fri 09:00-17:00,no,{children_id}\n"
    );
    std::fs::write(&file, wrong).unwrap();
    let (code, _, err) = run(dd(&path).args(["contacts", "import"]).arg(&file));
    assert_eq!(code, 2);
    assert!(err.contains("must serve the same people"), "{err}");
    // Overnight hours and 24:00 import as written.
    let night = format!(
        "{header}\n,Test Council,Night line,adults,Rutland,0116 000 0002,,,,Mon-Thu 17:00-08:30; Fri 16:30-24:00; BH 00:00-24:00,no,\n"
    );
    std::fs::write(&file, night).unwrap();
    let (code, out, err) = run(dd(&path).args(["contacts", "import"]).arg(&file));
    assert_eq!(code, 0, "{err}");
    assert!(out.contains("1 added"), "{out}");
    let (_, out, _) = run(dd(&path).args(["contacts", "export"]));
    assert!(
        out.contains("Mon-Thu 17:00-08:30; Fri 16:30-24:00; BH 00:00-24:00"),
        "{out}"
    );
}
