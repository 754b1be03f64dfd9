//! The binary as a user meets it: help, set-up, refusals and exit codes.
//! Refusals are one clear line on stderr with exit code 2, and change nothing.

mod common;

use assert_cmd::Command;
use std::os::unix::fs::PermissionsExt;
use std::path::Path;

const NOW: &str = "2026-11-23T09:00:00Z";

fn dd(user: &str) -> Command {
    let mut c = Command::cargo_bin("dutydesk").unwrap();
    c.env("DUTYDESK_USER", user)
        .env("DUTYDESK_NOW", NOW)
        .env_remove("DUTYDESK_DB")
        .env_remove("NO_COLOR");
    c
}

/// The binary as the OS account running the tests, on the real clock: the
/// only way to use a database made by `init`.
fn real() -> Command {
    let mut c = Command::cargo_bin("dutydesk").unwrap();
    c.env_remove("DUTYDESK_USER")
        .env_remove("DUTYDESK_NOW")
        .env_remove("DUTYDESK_DB")
        .env_remove("NO_COLOR");
    c
}

/// Runs and returns (exit code, stdout, stderr).
fn run(c: &mut Command) -> (i32, String, String) {
    let out = c.output().unwrap();
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

/// A desk with `admin` as its DSL, marked as a demo so that the tests can act
/// as anyone (`DUTYDESK_USER`), which a database made by `init` refuses.
fn init(path: &Path, admin: &str) {
    let staff = [(admin, admin, "senior")];
    common::desk_db(path, "Test Partnership", &staff, common::at(NOW));
}

#[test]
fn help_explains_every_command_and_variable() {
    let (code, out, _) = run(dd("x").arg("--help"));
    assert_eq!(code, 0);
    for word in [
        "init",
        "demo",
        "snapshot",
        "staff",
        "--db",
        "DUTYDESK_DB",
        "DUTYDESK_USER",
        "DUTYDESK_NOW",
        "NO_COLOR",
    ] {
        assert!(out.contains(word), "--help does not mention {word}:\n{out}");
    }
    let (code, out, _) = run(dd("x").args(["staff", "add", "--help"]));
    assert_eq!(code, 0);
    assert!(out.contains("--role"), "{out}");
}

#[test]
fn a_missing_database_names_the_path_and_the_way_out() {
    let dir = private_dir();
    let path = dir.path().join("nowhere.db");
    let (code, _, err) = run(dd("alice").args(["snapshot", "--db"]).arg(&path));
    assert_eq!(code, 2);
    assert!(err.contains(&path.display().to_string()), "{err}");
    assert!(
        err.contains("dutydesk init") && err.contains("dutydesk demo"),
        "{err}"
    );
    assert_eq!(err.trim().lines().count(), 1, "{err}");
    assert!(
        !path.exists(),
        "a missing database must not be created by opening it"
    );
    // The dashboard itself refuses before touching the terminal.
    let (code, _, err) = run(dd("alice").arg("--db").arg(&path));
    assert_eq!(code, 2);
    assert!(err.contains("dutydesk init"), "{err}");
}

#[test]
fn init_makes_a_private_database_with_the_caller_as_senior_lead() {
    let dir = private_dir();
    let path = dir.path().join("desk.db");
    let (code, _, err) = run(real()
        .args(["init", "--org", "Test Partnership", "--db"])
        .arg(&path));
    assert_eq!(code, 0, "{err}");
    let mode = std::fs::metadata(&path).unwrap().permissions().mode() & 0o777;
    assert_eq!(mode & 0o007, 0, "world has access: {mode:o}");
    assert_eq!(mode & 0o660, 0o660, "{mode:o}");
    let (code, out, _) = run(real().args(["staff", "list", "--json", "--db"]).arg(&path));
    assert_eq!(code, 0);
    let list: serde_json::Value = serde_json::from_str(&out).unwrap();
    let me = dutydesk::identity::os_account().unwrap();
    assert_eq!(list["items"][0]["username"], me.as_str());
    assert_eq!(list["items"][0]["role"], "senior");
    // A second init refuses and leaves the first alone.
    let before = std::fs::read(&path).unwrap();
    let (code, _, err) = run(real().args(["init", "--db"]).arg(&path));
    assert_eq!(code, 1, "{err}");
    assert!(err.contains("already"), "{err}");
    assert_eq!(before, std::fs::read(&path).unwrap());
}

#[test]
fn init_with_admin_names_someone_else() {
    let dir = private_dir();
    let path = dir.path().join("desk.db");
    let (code, _, err) = run(real()
        .args(["init", "--admin", "bob", "--name", "Bob Day", "--db"])
        .arg(&path));
    assert_eq!(code, 0, "{err}");
    let staff: (String, String, String) = common::sql(&path)
        .query_row("SELECT username, display_name, role FROM staff", [], |r| {
            Ok((r.get(0)?, r.get(1)?, r.get(2)?))
        })
        .unwrap();
    assert_eq!(staff, ("bob".into(), "Bob Day".into(), "senior".into()));
}

#[test]
fn unknown_and_deactivated_users_are_refused_in_one_line() {
    let dir = private_dir();
    let path = dir.path().join("desk.db");
    init(&path, "alice");
    let (code, _, err) = run(dd("stranger").args(["snapshot", "--db"]).arg(&path));
    assert_eq!(code, 2);
    assert!(
        err.contains("\"stranger\"") && err.contains("not on this dutydesk's staff list"),
        "{err}"
    );
    assert_eq!(err.trim().lines().count(), 1, "{err}");

    let (code, _, err) = run(dd("alice")
        .args([
            "staff", "add", "bob", "--name", "Bob Day", "--role", "deputy", "--db",
        ])
        .arg(&path));
    assert_eq!(code, 0, "{err}");
    let (code, _, err) = run(dd("alice")
        .args(["staff", "deactivate", "bob", "--db"])
        .arg(&path));
    assert_eq!(code, 0, "{err}");
    let (code, _, err) = run(dd("bob").args(["snapshot", "--db"]).arg(&path));
    assert_eq!(code, 2);
    assert!(err.contains("deactivated"), "{err}");
}

#[test]
fn only_a_senior_lead_changes_staff() {
    let dir = private_dir();
    let path = dir.path().join("desk.db");
    init(&path, "alice");
    let (code, _, _) = run(dd("alice")
        .args([
            "staff", "add", "dee", "--name", "Dee Puty", "--role", "deputy", "--db",
        ])
        .arg(&path));
    assert_eq!(code, 0);
    let (code, _, err) = run(dd("dee")
        .args([
            "staff", "add", "eve", "--name", "Eve", "--role", "dsl", "--db",
        ])
        .arg(&path));
    assert_eq!(code, 1);
    assert!(err.contains("only a senior lead may"), "{err}");
    let (_, out, _) = run(dd("alice").args(["staff", "list", "--db"]).arg(&path));
    assert!(!out.contains("eve"), "{out}");
    // Bad input changes nothing and says why.
    for (args, why) in [
        (
            vec!["staff", "add", "x y", "--name", "X", "--role", "dsl"],
            "not an account name",
        ),
        (
            vec!["staff", "add", "zed", "--name", "", "--role", "dsl"],
            "name",
        ),
        (
            vec!["staff", "add", "zed", "--name", "Zed", "--role", "boss"],
            "not a role",
        ),
        (
            vec!["staff", "add", "zed", "--name", "Zed\u{7}", "--role", "dsl"],
            "control",
        ),
        (
            vec!["staff", "add", "alice", "--name", "Again", "--role", "dsl"],
            "already",
        ),
        (vec!["staff", "deactivate", "nobody"], "no staff member"),
        (
            vec!["staff", "deactivate", "alice"],
            "last active senior lead",
        ),
    ] {
        let (code, _, err) = run(dd("alice").args(&args).arg("--db").arg(&path));
        // Bad values (a role clap refuses, an account name, an empty or
        // unprintable name, an unknown account) are 2; the desk's refusals
        // (already there, the last senior lead) are 1.
        let want = if ["already", "last active senior lead"].contains(&why) {
            1
        } else {
            2
        };
        assert_eq!(code, want, "{args:?}: {err}");
        assert!(err.to_lowercase().contains(why), "{args:?}: {err}");
    }
    let long = "n".repeat(101);
    let (code, _, err) = run(dd("alice")
        .args([
            "staff", "add", "zed", "--name", &long, "--role", "dsl", "--db",
        ])
        .arg(&path));
    assert_eq!(code, 2, "a value out of range: {err}");
    let (_, out, _) = run(dd("alice")
        .args(["staff", "list", "--json", "--db"])
        .arg(&path));
    let list: serde_json::Value = serde_json::from_str(&out).unwrap();
    assert_eq!(list["items"].as_array().unwrap().len(), 2, "{out}");
}

#[test]
fn a_file_that_is_not_a_database_is_left_untouched() {
    let dir = private_dir();
    let path = dir.path().join("notes.txt");
    std::fs::write(&path, "shopping list\n".repeat(200)).unwrap();
    let (code, _, err) = run(dd("alice").args(["snapshot", "--db"]).arg(&path));
    assert_eq!(code, 2);
    assert!(err.contains("not a dutydesk database"), "{err}");
    assert_eq!(
        std::fs::read_to_string(&path).unwrap(),
        "shopping list\n".repeat(200)
    );
}

#[test]
fn demo_creates_then_reuses_its_database() {
    let dir = private_dir();
    let (code, _, err) =
        run(dd("alice")
            .current_dir(dir.path())
            .args(["demo", "--no-open", "--cases", "12"]));
    assert_eq!(code, 0, "{err}");
    assert!(err.contains("12 escalations"), "{err}");
    let path = dir.path().join("dutydesk-demo.db");
    assert!(path.exists());
    // A second user joins the same demo; the cases are kept.
    let (code, _, err) = run(dd("bob")
        .current_dir(dir.path())
        .args(["demo", "--no-open"]));
    assert_eq!(code, 0, "{err}");
    let (code, out, err) = run(dd("bob")
        .args(["snapshot", "--width", "100", "--height", "30", "--db"])
        .arg(&path));
    assert_eq!(code, 0, "{err}");
    assert!(out.contains("you: bob (DSL)"), "{out}");
    assert_eq!(out.lines().count(), 30);
    // Out-of-range sizes are refused by the parser.
    let (code, _, _) =
        run(dd("alice")
            .current_dir(dir.path())
            .args(["demo", "--no-open", "--cases", "0"]));
    assert_eq!(code, 2);
}

#[test]
fn a_read_only_database_still_shows_the_dashboard_with_a_banner() {
    let dir = private_dir();
    let (code, _, err) =
        run(dd("alice")
            .current_dir(dir.path())
            .args(["demo", "--no-open", "--cases", "8"]));
    assert_eq!(code, 0, "{err}");
    let path = dir.path().join("dutydesk-demo.db");
    std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o440)).unwrap();
    let before = std::fs::read(&path).unwrap();
    let (code, out, err) = run(dd("alice").args(["snapshot", "--db"]).arg(&path));
    assert_eq!(code, 0, "{err}");
    assert!(out.to_lowercase().contains("read-only"), "{out}");
    assert_eq!(before, std::fs::read(&path).unwrap());
}

#[test]
fn the_clock_override_rejects_nonsense() {
    let dir = private_dir();
    let path = dir.path().join("desk.db");
    init(&path, "alice");
    let (code, _, err) = run(dd("alice")
        .env("DUTYDESK_NOW", "next tuesday")
        .args(["snapshot", "--db"])
        .arg(&path));
    assert_eq!(code, 2);
    assert!(err.contains("DUTYDESK_NOW"), "{err}");
}

/// A temporary directory only its owner can list, as the desk requires of a
/// real database's directory.
fn private_dir() -> tempfile::TempDir {
    use std::os::unix::fs::PermissionsExt;
    let d = tempfile::tempdir().unwrap();
    std::fs::set_permissions(d.path(), std::fs::Permissions::from_mode(0o700)).unwrap();
    d
}

/// The system file: its database is used when neither --db nor DUTYDESK_DB
/// says otherwise, its organisation names a new database, and a misspelt key
/// is refused with its line.
#[test]
fn the_system_file_gives_the_database_and_the_organisation() {
    let dir = private_dir();
    let db = dir.path().join("shared.db");
    let sys = dir.path().join("system.toml");
    std::fs::write(
        &sys,
        format!(
            "database = {:?}\norganisation = \"Northbrook Partnership\"\n",
            db.display().to_string()
        ),
    )
    .unwrap();
    let (code, _, err) = run(real().env("DUTYDESK_SYSTEM_CONFIG", &sys).arg("init"));
    assert_eq!(code, 0, "{err}");
    assert!(err.contains("Northbrook Partnership"), "{err}");
    assert!(db.exists(), "made where the system file says");
    let (code, out, err) = run(real()
        .env("DUTYDESK_SYSTEM_CONFIG", &sys)
        .args(["snapshot", "--width", "140", "--height", "30"]));
    assert_eq!(code, 0, "{err}");
    assert!(out.contains("Northbrook Partnership"), "{out}");
    std::fs::write(&sys, "databse = \"/x.db\"\n").unwrap();
    let (code, _, err) = run(dd("alice")
        .env("DUTYDESK_SYSTEM_CONFIG", &sys)
        .args(["config", "show"]));
    assert_eq!(code, 2, "{err}");
    assert!(err.contains("line 1") && err.contains("databse"), "{err}");
}

/// `list` writes its table as it reads (issue 21: bounded memory at any
/// size): over more rows than one chunk, every case the user may see is
/// listed once, open ones in the JSON list's order of urgency, and every
/// column starts at the same place on every line.
#[test]
fn a_long_list_is_written_as_read_and_stays_aligned() {
    let dir = common::private_dir();
    let (db, _) = common::demo_db(dir.path(), 1200);
    let list = |args: &[&str]| {
        let (code, out, err) = run(dd(common::USER)
            .env("DUTYDESK_DB", &db)
            .env("DUTYDESK_CONFIG", "/dev/null")
            .env("DUTYDESK_SYSTEM_CONFIG", "/dev/null")
            .arg("list")
            .args(args));
        assert_eq!(code, 0, "{err}");
        out
    };
    let all = list(&["--status", "all"]);
    let lines: Vec<&str> = all.lines().collect();
    let visible: i64 = common::sql(&db)
        .query_row(
            "SELECT count(*) FROM escalations WHERE restricted = 0",
            [],
            |r| r.get(0),
        )
        .unwrap();
    assert!(
        lines.len() as i64 > 501,
        "more than one chunk: {}",
        lines.len()
    );
    assert!(lines.len() as i64 > visible, "every case the user may see");
    let at = |l: &str, col: usize| {
        // Where the n-th column starts: after runs of two or more spaces.
        let mut starts = vec![0];
        let b = l.as_bytes();
        for i in 2..b.len() {
            if b[i - 1] == b' ' && b[i - 2] == b' ' && b[i] != b' ' {
                starts.push(i);
            }
        }
        starts.get(col).copied()
    };
    let status_at = at(lines[0], 3).unwrap();
    for l in &lines[1..] {
        assert_eq!(at(l, 3), Some(status_at), "{l}\n{}", lines[0]);
    }
    let refs: std::collections::HashSet<&str> = lines[1..]
        .iter()
        .map(|l| l.split(' ').next().unwrap())
        .collect();
    assert_eq!(refs.len(), lines.len() - 1, "each case once");
    // Open ones: the same cases in the same order as the JSON list.
    let open = list(&[]);
    let text_refs: Vec<&str> = open
        .lines()
        .skip(1)
        .map(|l| l.split(' ').next().unwrap())
        .collect();
    let json: serde_json::Value = serde_json::from_str(&list(&["--json"])).unwrap();
    let json_refs: Vec<&str> = json["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|i| i["reference"].as_str().unwrap())
        .collect();
    assert!(!json_refs.is_empty());
    assert_eq!(text_refs, json_refs);
}

/// Output that cannot be written (a full disk) ends every listing with exit 3
/// and the system's words, never a crash: `handover` panicked on it.
#[test]
fn a_full_disk_on_output_is_an_error_never_a_crash() {
    let dir = common::private_dir();
    let db = dir.path().join("desk.db");
    init(&db, "admin");
    for args in [
        &["handover"][..],
        &["rota", "show"],
        &["staff", "list"],
        &["alerts"],
        &["list", "--status", "all"],
        &["deadlines", "--all"],
        &["reviews"],
        &["config", "show"],
    ] {
        let full = std::fs::OpenOptions::new()
            .write(true)
            .open("/dev/full")
            .unwrap();
        let out = std::process::Command::new(assert_cmd::cargo::cargo_bin("dutydesk"))
            .env("DUTYDESK_USER", "admin")
            .env("DUTYDESK_NOW", NOW)
            .env("DUTYDESK_CONFIG", "/dev/null")
            .env("DUTYDESK_SYSTEM_CONFIG", "/dev/null")
            .env_remove("DUTYDESK_DB")
            .arg("--db")
            .arg(&db)
            .args(args)
            .stdout(full)
            .output()
            .unwrap();
        let (code, err) = (
            out.status.code().unwrap_or(-1),
            String::from_utf8_lossy(&out.stderr).into_owned(),
        );
        assert_eq!(code, 3, "{args:?}: {err}");
        assert!(err.contains("No space left on device"), "{args:?}: {err}");
        assert!(!err.contains("panicked"), "{args:?}: {err}");
    }
}
