//! The rota as on-call tools keep it (issue 19, point 5), through the real
//! binary with a fixed clock: weekly shifts typed in UK time, one-off shifts
//! overriding them, `rota check` for gaps and overlaps across the October
//! clock change, and the notifier's "nobody on duty" and shift-start alerts.

mod common;

use assert_cmd::Command;
use std::path::{Path, PathBuf};

struct Desk {
    _dir: tempfile::TempDir,
    dir: PathBuf,
    db: PathBuf,
}

fn desk() -> Desk {
    let dir = common::private_dir();
    let root = dir.path().to_path_buf();
    let db = root.join("desk.db");
    common::desk_db(
        &db,
        "Rota desk",
        &[
            ("sam", "Sam Reed", "senior"),
            ("nina", "Nina Patel", "dsl"),
            ("dan", "Dan Okoro", "dsl"),
            ("dee", "Dee Hart", "deputy"),
        ],
        common::at("2026-10-01T09:00:00Z"),
    );
    Desk {
        _dir: dir,
        dir: root,
        db,
    }
}

fn dd(d: &Desk, user: &str, at: &str) -> Command {
    let mut c = Command::cargo_bin("dutydesk").unwrap();
    c.env("DUTYDESK_USER", user)
        .env("DUTYDESK_NOW", at)
        .env("DUTYDESK_DB", &d.db)
        .env("DUTYDESK_CONFIG", d.dir.join("user.toml"))
        .env("DUTYDESK_SYSTEM_CONFIG", d.dir.join("system.toml"))
        .env("NO_COLOR", "1");
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

fn ok(d: &Desk, user: &str, at: &str, args: &[&str]) -> String {
    let (code, out, err) = run(dd(d, user, at).args(args));
    assert_eq!(code, 0, "{user} {args:?}: {out}{err}");
    out
}

const BEFORE: &str = "2026-10-20T12:00:00Z";

#[test]
fn days_and_nights_have_no_gap_across_the_october_clock_change() {
    let d = desk();
    ok(
        &d,
        "nina",
        BEFORE,
        &["rota", "pattern", "add", "nina", "daily 09:00–21:00"],
    );
    ok(
        &d,
        "nina",
        BEFORE,
        &["rota", "pattern", "add", "dan", "daily 21:00-09:00"],
    );
    let out = ok(&d, "dan", BEFORE, &["rota", "check", "--days", "10"]);
    assert!(
        out.contains("No gaps or overlaps in the next 10 days"),
        "{out}"
    );
    // Who is on duty follows UK time: 08:30 GMT on Sunday 25 October is
    // still dan's night (21:00 BST to 09:00 GMT, 13 hours).
    let out = ok(&d, "dan", "2026-10-25T08:30:00Z", &["rota", "show"]);
    assert!(
        out.contains("On duty now: Dan Okoro until 25 Oct 2026 09:00"),
        "{out}"
    );
    let out = ok(&d, "dan", "2026-10-25T09:00:00Z", &["rota", "show"]);
    assert!(
        out.contains("On duty now: Nina Patel until 25 Oct 2026 21:00"),
        "{out}"
    );
    let list = ok(&d, "dee", BEFORE, &["rota", "pattern", "list"]);
    assert!(
        list.contains("daily 09:00-21:00") && list.contains("daily 21:00-09:00"),
        "{list}"
    );
}

#[test]
fn gaps_and_overlaps_are_reported_in_uk_time_and_one_offs_override() {
    let d = desk();
    ok(
        &d,
        "nina",
        BEFORE,
        &["rota", "pattern", "add", "nina", "daily 09:00-21:00"],
    );
    // dan's nights end with the night that starts Saturday 24 October.
    ok(
        &d,
        "nina",
        BEFORE,
        &[
            "rota",
            "pattern",
            "add",
            "dan",
            "daily 21:00-09:00",
            "--until",
            "2026-10-24",
        ],
    );
    // sam also covers Monday lunchtimes: an overlap with nina.
    ok(
        &d,
        "sam",
        BEFORE,
        &["rota", "pattern", "add", "sam", "Mon 12:00-14:00"],
    );
    let (code, out, err) = run(dd(&d, "dan", BEFORE).args(["rota", "check", "--days", "7"]));
    assert_eq!(code, 1, "{out}{err}");
    assert!(
        out.contains(
            "GAP      Sun 25 Oct 2026 21:00 GMT to Mon 26 Oct 2026 09:00 GMT: nobody on duty"
        ),
        "{out}"
    );
    assert!(
        out.contains("OVERLAP  Mon 26 Oct 2026 12:00 GMT to Mon 26 Oct 2026 14:00 GMT: Nina Patel and Sam Reed both on duty; alerts go to Sam Reed"),
        "{out}"
    );
    assert!(err.contains("problem(s) in the rota"), "{err}");
    // A one-off night cover fills the gap; it overrides the pattern, so it
    // is no overlap with nina's evening either.
    ok(
        &d,
        "nina",
        BEFORE,
        &[
            "rota",
            "add",
            "dee",
            "--from",
            "2026-10-25 20:00",
            "--to",
            "2026-10-26 09:00",
        ],
    );
    let (_, out, _) = run(dd(&d, "dan", BEFORE).args(["rota", "check", "--days", "7"]));
    assert!(!out.contains("GAP      Sun 25 Oct"), "{out}");
    assert!(!out.contains("Dee Hart"), "{out}");
    // Taking over during a pattern shift: the new one-off runs to its end.
    let out = ok(&d, "dan", "2026-10-27T10:00:00Z", &["rota", "take-over"]);
    assert!(
        out.contains("You are on duty until 27 Oct 2026 21:00"),
        "{out}"
    );
    let out = ok(&d, "nina", "2026-10-27T11:00:00Z", &["rota", "show"]);
    assert!(out.contains("On duty now: Dan Okoro"), "{out}");
    // Bad input: a clear refusal, nothing added.
    for (shift, says) in [
        ("Funday 09:00-17:00", "not a day"),
        ("Mon 09:00-09:00", "another time"),
    ] {
        let (code, _, err) =
            run(dd(&d, "nina", BEFORE).args(["rota", "pattern", "add", "dan", shift]));
        assert_eq!(code, 2, "bad input: {shift}");
        assert!(err.contains(says), "{err}");
    }
    let (code, _, err) =
        run(dd(&d, "dee", BEFORE).args(["rota", "pattern", "add", "dee", "Mon 09:00-17:00"]));
    assert_eq!(code, 1);
    assert!(err.contains("only an active DSL or senior lead"), "{err}");
}

fn hook(dir: &Path) {
    use std::os::unix::fs::PermissionsExt;
    let p = dir.join("hook.sh");
    std::fs::write(&p, "#!/bin/sh\ncat >> \"$(dirname \"$0\")/hook.out\"\n").unwrap();
    std::fs::set_permissions(&p, std::fs::Permissions::from_mode(0o755)).unwrap();
    std::fs::write(
        dir.join("system.toml"),
        format!(
            "[notify]\ncommand = \"{}\"\nfrom = \"d@example.org\"\n",
            p.display()
        ),
    )
    .unwrap();
}

fn hooked(d: &Desk) -> Vec<serde_json::Value> {
    std::fs::read_to_string(d.dir.join("hook.out"))
        .unwrap_or_default()
        .lines()
        .filter(|l| !l.trim().is_empty())
        .map(|l| serde_json::from_str(l).unwrap())
        .collect()
}

#[test]
fn nobody_on_duty_escalates_and_a_shift_start_says_what_is_open() {
    let d = desk();
    hook(&d.dir);
    for u in ["sam", "nina", "dan", "dee"] {
        ok(&d, "sam", BEFORE, &["staff", "set", u, "--hook", "on"]);
    }
    // Nina's weekday days only: Tuesday 20 October after 17:00 nobody is on.
    ok(
        &d,
        "nina",
        BEFORE,
        &["rota", "pattern", "add", "nina", "Mon-Fri 09:00-17:00"],
    );
    let pass = |when: &str| run(dd(&d, "sam", when).args(["notifier", "--once"]));
    pass("2026-10-20T16:05:00Z"); // 17:05 BST
    let gap: Vec<String> = hooked(&d)
        .iter()
        .filter(|v| v["kind"] == "nobody_on_duty")
        .map(|v| v["to"]["account"].as_str().unwrap().to_string())
        .collect();
    assert_eq!(
        gap,
        vec!["nina", "dan", "dee"],
        "every DSL and deputy first"
    );
    assert!(
        hooked(&d)[0]["text"]
            .as_str()
            .unwrap()
            .contains("since 20 Oct 2026 17:00")
    );
    pass("2026-10-20T16:35:00Z");
    assert!(
        hooked(&d)
            .iter()
            .any(|v| v["kind"] == "nobody_on_duty" && v["to"]["account"] == "sam")
    );
    // Acknowledged: it stops for everyone.
    let out = ok(
        &d,
        "dan",
        "2026-10-20T16:40:00Z",
        &["alerts", "ack", "rota"],
    );
    assert!(
        out.contains("nobody on duty since 20 Oct 2026 17:00"),
        "{out}"
    );
    let n = hooked(&d).len();
    pass("2026-10-20T18:00:00Z");
    assert_eq!(hooked(&d).len(), n);
    // A case recorded overnight, then nina's shift begins at 09:00 BST.
    ok(
        &d,
        "dan",
        "2026-10-21T07:00:00Z",
        &[
            "new",
            "--subject",
            "child",
            "--name",
            "Overnight Child",
            "--area",
            "Rutland",
            "--category",
            "neglect",
            "--risk",
            "low",
            "--summary",
            "Overnight",
        ],
    );
    pass("2026-10-21T08:05:00Z");
    let all = hooked(&d);
    let start: Vec<&serde_json::Value> =
        all.iter().filter(|v| v["kind"] == "shift_start").collect();
    assert_eq!(start.len(), 1, "{all:?}");
    assert_eq!(start[0]["to"]["account"], "nina");
    let text = start[0]["text"].as_str().unwrap();
    assert!(text.contains("Open now: 1 escalations"), "{text}");
    assert!(text.contains("1 not acknowledged"), "{text}");
    assert!(!text.contains("Overnight Child"), "{text}");
}
