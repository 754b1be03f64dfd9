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
        (
            v[0]["open_now"].as_bool().unwrap(),
            v[0]["ring"].as_str().unwrap().to_string(),
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
    let (code, _, err) = run(dd(&path).args(["contacts", "--at", "tomorrow"]));
    assert_eq!(code, 2);
    assert!(err.contains("RFC 3339"), "{err}");
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
    assert!(out.contains("0 added, 0 changed, 15 unchanged"), "{out}");
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
        out.contains("0 added, 0 changed, 16 unchanged"),
        "idempotent: {out}"
    );
    // A bad row: its line is named and nothing is imported.
    let bad = edited.replace("0300 555 2866", "ring the office")
        + ",X,Y,children,Walsall,0300 1,,,,Mon 9-5,no,\n";
    std::fs::write(&file, &bad).unwrap();
    let (code, _, err) = run(dd(&path).args(["contacts", "import"]).arg(&file));
    assert_eq!(code, 2);
    assert!(err.contains("line 17: phone"), "{err}");
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
    assert_eq!(code, 2);
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
