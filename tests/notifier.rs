//! The notifier (issue 19) through the real binary, with a fixed clock
//! (`DUTYDESK_NOW`, on a demo-marked desk): escalation by policy across 90
//! minutes of an unacknowledged case, e-mail to a real SMTP server this test
//! runs on localhost, a command hook this test writes, failures retried while
//! the other channel delivers, an unreachable mail server, a hook that fails
//! or hangs, a malformed policy, need-to-know, and no personal detail in any
//! message or log line.

mod common;

use assert_cmd::Command;
use chrono::{DateTime, Duration, Utc};
use std::io::{BufRead, BufReader, Write};
use std::net::TcpListener;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};

const NAME: &str = "Zebedee Quartermain";
const WORDS: &str = "the cupboard key was behind the boiler";

/// (display name, account, role); the display names must never leave the desk.
const STAFF: &[(&str, &str, &str)] = &[
    ("sam", "Sam Reed", "senior"),
    ("nina", "Nina Patel", "dsl"),
    ("dan", "Dan Okoro", "dsl"),
    ("dora", "Dora Quill", "dsl"),
    ("dee", "Dee Hart", "deputy"),
    ("vic", "Vic Lamb", "viewer"),
];

/// Monday 23 November 2026, 09:00 GMT.
fn t0() -> DateTime<Utc> {
    common::now()
}

/// One received e-mail: (recipients, the whole DATA).
type Mail = (Vec<String>, String);

/// A tiny SMTP server on 127.0.0.1: accepts every message and keeps it.
/// Enough of RFC 5321 for lettre: greeting, EHLO/HELO, MAIL, RCPT, DATA,
/// RSET, NOOP, QUIT. Runs until the test process ends.
fn smtp_sink() -> (u16, Arc<Mutex<Vec<Mail>>>) {
    let l = TcpListener::bind("127.0.0.1:0").unwrap();
    let port = l.local_addr().unwrap().port();
    let got = Arc::new(Mutex::new(Vec::new()));
    let store = Arc::clone(&got);
    std::thread::spawn(move || {
        for conn in l.incoming() {
            let Ok(mut s) = conn else { continue };
            let store = Arc::clone(&store);
            std::thread::spawn(move || {
                let mut r = BufReader::new(s.try_clone().unwrap());
                let _ = s.write_all(b"220 sink ESMTP\r\n");
                let mut rcpt = Vec::new();
                let mut line = String::new();
                loop {
                    line.clear();
                    if r.read_line(&mut line).unwrap_or(0) == 0 {
                        return;
                    }
                    let cmd = line.trim_end().to_ascii_uppercase();
                    let reply: &[u8] = if cmd.starts_with("EHLO") || cmd.starts_with("HELO") {
                        b"250 sink\r\n"
                    } else if cmd.starts_with("MAIL") || cmd.starts_with("RSET") {
                        rcpt.clear();
                        b"250 ok\r\n"
                    } else if cmd.starts_with("RCPT") {
                        rcpt.push(line.trim_end()[8..].to_string());
                        b"250 ok\r\n"
                    } else if cmd == "DATA" {
                        let _ = s.write_all(b"354 go on\r\n");
                        let mut data = String::new();
                        loop {
                            line.clear();
                            if r.read_line(&mut line).unwrap_or(0) == 0 {
                                return;
                            }
                            if line == ".\r\n" {
                                break;
                            }
                            data.push_str(&line);
                        }
                        store.lock().unwrap().push((rcpt.clone(), data));
                        b"250 queued\r\n"
                    } else if cmd.starts_with("QUIT") {
                        let _ = s.write_all(b"221 bye\r\n");
                        return;
                    } else {
                        b"250 ok\r\n"
                    };
                    let _ = s.write_all(reply);
                }
            });
        }
    });
    (port, got)
}

/// A port nothing listens on.
fn closed_port() -> u16 {
    let l = TcpListener::bind("127.0.0.1:0").unwrap();
    l.local_addr().unwrap().port()
}

struct Desk {
    _dir: tempfile::TempDir,
    dir: PathBuf,
    db: PathBuf,
    system: PathBuf,
    hook_out: PathBuf,
}

fn dd(d: &Desk, user: &str, at: DateTime<Utc>) -> Command {
    let mut c = Command::cargo_bin("dutydesk").unwrap();
    c.env("DUTYDESK_USER", user)
        .env("DUTYDESK_NOW", at.to_rfc3339())
        .env("DUTYDESK_DB", &d.db)
        .env("DUTYDESK_CONFIG", d.dir.join("user.toml"))
        .env("DUTYDESK_SYSTEM_CONFIG", &d.system)
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

fn ok(d: &Desk, user: &str, at: DateTime<Utc>, args: &[&str]) -> String {
    let (code, out, err) = run(dd(d, user, at).args(args));
    assert_eq!(code, 0, "{user} {args:?}: {out}{err}");
    out
}

/// A hook script that appends each alert (one JSON line) to `hook.out`.
const RECORDING_HOOK: &str = "#!/bin/sh\ncat >> \"$(dirname \"$0\")/hook.out\"\n";

fn script(dir: &Path, name: &str, body: &str) -> PathBuf {
    use std::os::unix::fs::PermissionsExt;
    let p = dir.join(name);
    std::fs::write(&p, body).unwrap();
    std::fs::set_permissions(&p, std::fs::Permissions::from_mode(0o755)).unwrap();
    p
}

/// A desk with the staff above, each with an e-mail address and the hook on,
/// nina on duty all day, and the system file's `[notify]` as given (`{HOOK}`
/// is replaced by the recording hook's path).
fn desk(notify: &str) -> Desk {
    let dir = common::private_dir();
    let root = dir.path().to_path_buf();
    let db = root.join("desk.db");
    let staff: Vec<(&str, &str, &str)> = STAFF.to_vec();
    common::desk_db(&db, "Notifier desk", &staff, t0() - Duration::days(1));
    let hook = script(&root, "hook.sh", RECORDING_HOOK);
    let system = root.join("system.toml");
    std::fs::write(
        &system,
        format!(
            "[notify]\naccount = \"nobody\"\nfrom = \"dutydesk@example.org\"\n{}",
            notify.replace("{HOOK}", &hook.display().to_string())
        ),
    )
    .unwrap();
    let d = Desk {
        _dir: dir,
        hook_out: root.join("hook.out"),
        dir: root,
        db,
        system,
    };
    let before = t0() - Duration::hours(3);
    for (i, (user, _, _)) in STAFF.iter().enumerate() {
        ok(
            &d,
            "sam",
            before,
            &[
                "staff",
                "set",
                user,
                "--email",
                &format!("{user}@example.org"),
                "--hook",
                "on",
                "--hook-to",
                &format!("+44770090000{i}"),
            ],
        );
    }
    ok(
        &d,
        "sam",
        before,
        &[
            "rota",
            "add",
            "nina",
            "--from",
            "2026-11-23 06:00",
            "--to",
            "2026-11-23 20:00",
        ],
    );
    d
}

/// Records a child concern at `at` as dan; its reference.
fn concern(d: &Desk, at: DateTime<Utc>) -> String {
    ok(
        d,
        "dan",
        at,
        &[
            "new",
            "--subject",
            "child",
            "--name",
            NAME,
            "--area",
            "Rutland",
            "--category",
            "neglect",
            "--risk",
            "high",
            "--summary",
            "A concern",
            "--words",
            WORDS,
        ],
    )
    .trim()
    .to_string()
}

/// Every hook alert so far, parsed.
fn hooked(d: &Desk) -> Vec<serde_json::Value> {
    std::fs::read_to_string(&d.hook_out)
        .unwrap_or_default()
        .lines()
        .filter(|l| !l.trim().is_empty())
        .map(|l| serde_json::from_str(l).unwrap())
        .collect()
}

fn notifier(d: &Desk, at: DateTime<Utc>) -> (i32, String, String) {
    run(dd(d, "sam", at).args(["notifier", "--once"]))
}

/// Nothing personal: no display name, no subject name, no exact words, no
/// e-mail address in `text` (a log); `messages` may hold the recipient's
/// own address only in the envelope, never in the words.
fn assert_impersonal(what: &str, text: &str) {
    for (_, name, _) in STAFF {
        assert!(!text.contains(name), "{what} names {name}: {text}");
        let surname = name.split(' ').nth(1).unwrap();
        assert!(!text.contains(surname), "{what} names {surname}: {text}");
    }
    assert!(
        !text.contains(NAME) && !text.contains("Quartermain"),
        "{what} names the subject: {text}"
    );
    assert!(
        !text.contains(WORDS),
        "{what} holds the exact words: {text}"
    );
}

#[test]
fn ninety_minutes_of_an_unacknowledged_case_by_email_and_hook() {
    let (port, mail) = smtp_sink();
    let d = desk(&format!(
        "smtp = \"127.0.0.1:{port}\"\ncommand = \"{{HOOK}}\"\n"
    ));
    let r = concern(&d, t0());
    let mut logs = String::new();
    for minute in (0..=90).step_by(5) {
        let at = t0() + Duration::minutes(minute);
        if minute == 65 {
            // dee acknowledges at 10:05: it stops for everyone.
            let (code, out, err) = run(dd(&d, "dee", at - Duration::minutes(3)).args(["ack", &r]));
            assert_eq!(code, 0, "{out}{err}");
            assert!(format!("{out}{err}").contains(&r), "{out}{err}");
        }
        let (code, out, err) = notifier(&d, at);
        assert_eq!(code, 0, "{minute}: {out}{err}");
        logs.push_str(&err);
    }
    // Who was told when, by the hook (the clock is fixed per pass, so
    // `sent_at` is the pass's time).
    let mut told: Vec<(String, String, String)> = hooked(&d)
        .iter()
        .map(|v| {
            assert_eq!(v["kind"], "unacknowledged", "{v}");
            assert_eq!(v["reference"], r.as_str());
            (
                v["sent_at"].as_str().unwrap()[11..16].to_string(),
                v["to"]["account"].as_str().unwrap().to_string(),
                format!("{}/{}", v["round"], v["step"]),
            )
        })
        .collect();
    told.sort();
    let want: Vec<(String, String, String)> = [
        ("09:15", "nina", "0/1"),
        ("09:30", "dan", "0/2"),
        ("09:30", "dee", "0/2"),
        ("09:30", "dora", "0/2"),
        ("09:30", "nina", "0/2"),
        ("09:45", "sam", "0/3"),
        ("10:00", "dan", "1/1"),
        ("10:00", "dee", "1/1"),
        ("10:00", "dora", "1/1"),
        ("10:00", "nina", "1/1"),
        ("10:00", "sam", "1/1"),
    ]
    .iter()
    .map(|(a, b, c)| (a.to_string(), b.to_string(), c.to_string()))
    .collect();
    assert_eq!(
        told, want,
        "the viewer is never told; nothing after the acknowledgement"
    );
    // The same by e-mail, through a real SMTP conversation.
    let mail = mail.lock().unwrap().clone();
    assert_eq!(mail.len(), want.len());
    let mut to: Vec<String> = mail.iter().map(|(r, _)| r[0].clone()).collect();
    to.sort();
    assert_eq!(
        to.iter().filter(|t| t.contains("nina@example.org")).count(),
        3
    );
    assert!(!to.iter().any(|t| t.contains("vic@")));
    for (_, data) in &mail {
        assert!(
            data.contains(&format!("Subject: {r} not acknowledged")),
            "{data}"
        );
        assert!(data.contains(&format!("dutydesk ack {r}")), "{data}");
        assert_impersonal("an e-mail", data);
    }
    for v in hooked(&d) {
        assert_impersonal("a hook alert", &v.to_string());
    }
    assert_impersonal("the notifier's log", &logs);
    assert!(
        !logs.contains("@example.org") && !logs.contains("+4477"),
        "{logs}"
    );
    assert!(
        logs.contains(&format!(
            "delivered unacknowledged {r} step 1 round 0 to staff #"
        )),
        "{logs}"
    );
}

#[test]
fn a_failing_hook_is_retried_while_email_delivers() {
    let (port, mail) = smtp_sink();
    let d = desk(&format!(
        "smtp = \"127.0.0.1:{port}\"\ncommand = \"{{HOOK}}\"\n"
    ));
    // The hook fails twice, then works.
    script(
        &d.dir,
        "hook.sh",
        "#!/bin/sh\nd=\"$(dirname \"$0\")\"\nn=$(cat \"$d/count\" 2>/dev/null || echo 0)\nn=$((n+1))\necho $n > \"$d/count\"\n[ $n -le 2 ] && exit 3\ncat >> \"$d/hook.out\"\n",
    );
    let r = concern(&d, t0());
    let at = t0() + Duration::minutes(15);
    let (code, out, err) = notifier(&d, at);
    assert_eq!(
        code, 1,
        "a failure is reported in the exit code: {out}{err}"
    );
    assert!(
        err.contains(&format!(
            "FAILED unacknowledged {r} step 1 round 0 to staff #"
        )),
        "{err}"
    );
    assert!(
        err.contains("by hook (attempt 1): hook exited with status 3; retry at 23 Nov 2026 09:16"),
        "{err}"
    );
    assert_eq!(
        mail.lock().unwrap().len(),
        1,
        "e-mail delivered all the same"
    );
    // Not yet time for the retry: nothing is tried.
    let (code, _, err) = notifier(&d, at + Duration::seconds(30));
    assert_eq!(code, 0, "{err}");
    assert!(!err.contains("hook"), "{err}");
    // The retry fails again (attempt 2: two minutes), the next one delivers.
    let (code, _, err) = notifier(&d, at + Duration::minutes(1));
    assert_eq!(code, 1);
    assert!(
        err.contains("(attempt 2)") && err.contains("retry at 23 Nov 2026 09:18"),
        "{err}"
    );
    let (code, _, err) = notifier(&d, at + Duration::minutes(3));
    assert_eq!(code, 0, "{err}");
    assert!(err.contains("delivered unacknowledged"), "{err}");
    assert_eq!(hooked(&d).len(), 1);
    assert_eq!(mail.lock().unwrap().len(), 1, "e-mail is not sent twice");
}

#[test]
fn an_unreachable_mail_server_and_a_hanging_or_failing_hook_stop_nothing_else() {
    // Mail server unreachable: the hook delivers, the failure is reported.
    let d = desk(&format!(
        "smtp = \"127.0.0.1:{}\"\ncommand = \"{{HOOK}}\"\ntimeout_seconds = 2\n",
        closed_port()
    ));
    let r = concern(&d, t0());
    let (code, out, err) = notifier(&d, t0() + Duration::minutes(15));
    assert_eq!(code, 1, "{out}{err}");
    assert!(
        err.contains("by email (attempt 1): mail server 127.0.0.1:"),
        "{err}"
    );
    assert!(out.contains("1 delivered, 1 failed"), "{out}");
    assert_eq!(hooked(&d).len(), 1);
    assert_impersonal("the log", &err);

    // A hook that hangs is killed at the time limit; e-mail delivers.
    let (port, mail) = smtp_sink();
    let d = desk(&format!(
        "smtp = \"127.0.0.1:{port}\"\ncommand = \"{{HOOK}}\"\ntimeout_seconds = 1\n"
    ));
    script(&d.dir, "hook.sh", "#!/bin/sh\nsleep 30\n");
    let r2 = concern(&d, t0());
    let started = std::time::Instant::now();
    let (code, _, err) = notifier(&d, t0() + Duration::minutes(15));
    assert!(
        started.elapsed() < std::time::Duration::from_secs(10),
        "waited {:?}",
        started.elapsed()
    );
    assert_eq!(code, 1);
    assert!(
        err.contains(&format!("FAILED unacknowledged {r2}"))
            && err.contains("hook timed out after 1s"),
        "{err}"
    );
    assert_eq!(mail.lock().unwrap().len(), 1);

    // A hook that exits non-zero, and a hook that is missing.
    let d = desk(&format!(
        "smtp = \"127.0.0.1:{port}\"\ncommand = \"{{HOOK}}\"\n"
    ));
    script(&d.dir, "hook.sh", "#!/bin/sh\nexit 7\n");
    concern(&d, t0());
    let (_, _, err) = notifier(&d, t0() + Duration::minutes(15));
    assert!(err.contains("hook exited with status 7"), "{err}");
    std::fs::remove_file(d.dir.join("hook.sh")).unwrap();
    let (_, _, err) = notifier(&d, t0() + Duration::minutes(17));
    assert!(err.contains("hook could not be started"), "{err}");
    let _ = r;
}

#[test]
fn a_malformed_policy_is_reported_and_the_default_used() {
    let d = desk("command = \"{HOOK}\"\n");
    let r = concern(&d, t0());
    common::sql(&d.db)
        .execute(
            "UPDATE alert_policies SET steps = '10:everyone' WHERE kind = 'unacknowledged'",
            [],
        )
        .unwrap();
    let (code, _, err) = notifier(&d, t0() + Duration::minutes(15));
    assert_eq!(code, 0, "{err}");
    assert!(
        err.contains("PROBLEM: the unacknowledged policy is malformed (step \"10:everyone\": \"everyone\" is not a target: use holder, duty, deputies, dsls, seniors); the default is used"),
        "{err}"
    );
    assert_eq!(hooked(&d)[0]["reference"], r.as_str());
    let (_, out, _) = run(dd(&d, "nina", t0()).args(["policy", "list"]));
    assert!(out.contains("PROBLEM"), "{out}");
    // Setting it again through the desk is checked first, and fixes it.
    let (code, _, err) = run(dd(&d, "nina", t0()).args([
        "policy",
        "set",
        "unacknowledged",
        "--steps",
        "0:duty; 0:dsls",
        "--repeat",
        "15",
    ]));
    assert_eq!(code, 2, "bad input");
    assert!(
        err.contains("must come later than the step before it"),
        "{err}"
    );
    let out = ok(
        &d,
        "nina",
        t0(),
        &[
            "policy",
            "set",
            "unacknowledged",
            "--steps",
            "0:duty; 10:dsls,deputies; 20:seniors",
            "--repeat",
            "30",
        ],
    );
    assert!(out.contains("then everyone again every 30 min"), "{out}");
    let (code, _, err) = run(dd(&d, "dee", t0()).args([
        "policy",
        "set",
        "overdue",
        "--steps",
        "0:duty",
        "--no-repeat",
    ]));
    assert_eq!(code, 1, "a deputy may not change a policy");
    assert!(err.contains("only an active DSL or senior lead"), "{err}");
}

#[test]
fn a_restricted_case_pages_only_those_who_may_see_it() {
    let d = desk("command = \"{HOOK}\"\n");
    // nina records an allegation about dora: restricted, nina named.
    let r = ok(
        &d,
        "nina",
        t0(),
        &[
            "new",
            "--subject",
            "staff",
            "--name",
            NAME,
            "--area",
            "Rutland",
            "--category",
            "physical",
            "--risk",
            "high",
            "--summary",
            "Allegation",
            "--words",
            WORDS,
            "--about",
            "dora",
        ],
    )
    .trim()
    .to_string();
    for m in [15, 30, 45, 60] {
        notifier(&d, t0() + Duration::minutes(m));
    }
    let mut who: Vec<String> = hooked(&d)
        .iter()
        .filter(|v| v["reference"] == r.as_str())
        .map(|v| v["to"]["account"].as_str().unwrap().to_string())
        .collect();
    who.sort();
    who.dedup();
    assert_eq!(who, vec!["nina", "sam"]);
    // The alerts list: the same rule.
    for (user, sees) in [
        ("sam", true),
        ("nina", true),
        ("dan", false),
        ("dora", false),
        ("vic", false),
    ] {
        let (_, out, _) = run(dd(&d, user, t0() + Duration::minutes(60)).args(["alerts"]));
        assert_eq!(out.contains(&r), sees, "{user}: {out}");
    }
    // Acknowledging it: refused exactly as a case that does not exist.
    let missing = format!("{}9999", &r[..8]);
    let hidden = run(dd(&d, "dan", t0()).args(["alerts", "ack", &r]));
    let none = run(dd(&d, "dan", t0()).args(["alerts", "ack", &missing]));
    assert_eq!((hidden.0, hidden.2.replace(&r, &missing)), (none.0, none.2));
}

#[test]
fn only_the_notifiers_account_or_a_senior_lead_runs_it() {
    let d = desk("command = \"{HOOK}\"\n");
    let (code, _, err) = run(dd(&d, "nina", t0()).args(["notifier", "--once"]));
    assert_eq!(code, 1);
    assert!(
        err.contains("runs as the notifier's account") && err.contains("nina is neither"),
        "{err}"
    );
    let (code, _, err) = run(dd(&d, "nobody", t0()).args(["notifier", "--once"]));
    assert_eq!(code, 0, "{err}");
    // No channel configured: refused, saying what to set.
    std::fs::write(&d.system, "[notify]\nfrom = \"x@example.org\"\n").unwrap();
    let (code, _, err) = run(dd(&d, "sam", t0()).args(["notifier", "--once"]));
    assert_eq!(code, 2);
    assert!(
        err.contains("nothing to deliver on: set [notify] smtp"),
        "{err}"
    );
    std::fs::write(&d.system, "[notify]\nsmtp = \"localhost\"\n").unwrap();
    let (_, _, err) = run(dd(&d, "sam", t0()).args(["notifier", "--once"]));
    assert!(
        err.contains("write \\\"host:port\\\"") || err.contains("write \"host:port\""),
        "{err}"
    );
    // A broken system file stops every command (issue 20): put a sound one back.
    std::fs::write(&d.system, "[notify]\nfrom = \"x@example.org\"\n").unwrap();
    // Channels are set by their owner or a senior lead only, and checked.
    let (code, _, err) =
        run(dd(&d, "dan", t0()).args(["staff", "set", "nina", "--email", "x@example.org"]));
    assert_eq!(code, 1);
    assert!(err.contains("only nina or a senior lead"), "{err}");
    let (code, _, err) =
        run(dd(&d, "dan", t0()).args(["staff", "set", "dan", "--email", "not an address"]));
    assert_eq!(code, 2, "bad input");
    assert!(err.contains("is not an e-mail address"), "{err}");
    let out = ok(
        &d,
        "dan",
        t0(),
        &["staff", "set", "dan", "--quiet", "22:00-07:00"],
    );
    assert!(out.contains("quiet     22:00-07:00"), "{out}");
    // The trail says what changed, never the address.
    let trail: String = common::sql(&d.db)
        .query_row("SELECT group_concat(coalesce(detail, ''), '|') FROM audit_log WHERE action = 'channels'", [], |r| r.get(0))
        .unwrap();
    assert!(
        trail.contains("email set") && !trail.contains("@"),
        "{trail}"
    );
}

#[test]
fn quiet_hours_hold_routine_alerts_but_never_immediate_risk() {
    let d = desk("command = \"{HOOK}\"\n");
    ok(
        &d,
        "sam",
        t0(),
        &["staff", "set", "nina", "--quiet", "08:00-10:00"],
    );
    let routine = concern(&d, t0());
    let urgent = ok(
        &d,
        "dan",
        t0(),
        &[
            "new",
            "--subject",
            "child",
            "--name",
            "Other Child",
            "--area",
            "Rutland",
            "--category",
            "neglect",
            "--risk",
            "high",
            "--summary",
            "Life at risk",
            "--immediate-risk",
            "--called-999",
        ],
    )
    .trim()
    .to_string();
    let (_, out, _) = notifier(&d, t0() + Duration::minutes(16));
    // What quiet hours hold back is counted, not called "0 deferred".
    let held: usize = out
        .split(" held until quiet hours end")
        .next()
        .and_then(|s| s.rsplit('(').next())
        .and_then(|n| n.trim().parse().ok())
        .unwrap_or(0);
    assert!(held >= 1, "{out}");
    assert!(!out.contains(" 0 deferred"), "{out}");
    let refs: Vec<String> = hooked(&d)
        .iter()
        .filter(|v| v["to"]["account"] == "nina")
        .map(|v| v["reference"].as_str().unwrap().to_string())
        .collect();
    assert!(
        refs.contains(&urgent),
        "immediate risk ignores quiet hours: {refs:?}"
    );
    assert!(!refs.contains(&routine), "routine waits: {refs:?}");
    // At 10:00 her quiet hours end and the routine alert is delivered.
    notifier(&d, t0() + Duration::minutes(61));
    assert!(
        hooked(&d)
            .iter()
            .any(|v| v["to"]["account"] == "nina" && v["reference"] == routine.as_str())
    );
}

/// Issue 19: a restricted case (an allegation about a DSL) paged nobody for
/// its first 45 minutes, because the duty and all-DSL steps named no one
/// allowed to see it. A step with no one who may see the case falls through
/// at once to the next that has someone; the summary and the log say which
/// steps had no one; the hook's step is the text's ("Step 3 of 3").
#[test]
fn a_restricted_case_falls_through_at_once_to_who_may_see_it() {
    let d = desk("command = \"{HOOK}\"\n");
    let r = ok(
        &d,
        "sam",
        t0(),
        &[
            "new",
            "--subject",
            "staff",
            "--name",
            NAME,
            "--area",
            "Rutland",
            "--category",
            "physical",
            "--risk",
            "high",
            "--summary",
            "An allegation about a DSL",
            "--restricted",
        ],
    )
    .trim()
    .to_string();
    let (code, out, err) = notifier(&d, t0() + Duration::minutes(16));
    assert_eq!(code, 0, "{out}{err}");
    let mine: Vec<serde_json::Value> = hooked(&d)
        .into_iter()
        .filter(|v| v["reference"] == r.as_str() && v["kind"] == "unacknowledged")
        .collect();
    let told: Vec<(String, String)> = mine
        .iter()
        .map(|v| {
            (
                v["to"]["account"].as_str().unwrap().to_string(),
                format!("{}/{}", v["round"], v["step"]),
            )
        })
        .collect();
    assert_eq!(
        told,
        vec![("sam".to_string(), "0/3".to_string())],
        "the senior lead at once, not 30 minutes later; no DSL"
    );
    assert!(
        mine[0]["text"]
            .as_str()
            .unwrap()
            .contains("Step 3 of 3 of the escalation policy for not acknowledged."),
        "{}",
        mine[0]
    );
    assert!(
        out.contains("2 step(s) had no one allowed to see the case"),
        "{out}"
    );
    assert!(
        out.contains(&format!(
            "unacknowledged {r} step 1, unacknowledged {r} step 2"
        )),
        "{out}"
    );
    assert!(
        err.contains(&format!(
            "unacknowledged {r} step 1: no one it names is allowed to see the case"
        )),
        "{err}"
    );
    assert_impersonal("the log", &err);
    assert_impersonal("the summary", &out);
    // When step 3's own time comes, the senior lead is not told again.
    notifier(&d, t0() + Duration::minutes(46));
    let again = hooked(&d)
        .iter()
        .filter(|v| v["reference"] == r.as_str() && v["kind"] == "unacknowledged")
        .count();
    assert_eq!(again, 1, "once per step and person");
}
