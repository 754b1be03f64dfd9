//! Settings that fail loudly (issue 20, point 2) and the one exit-status
//! table (issue 16, point 9).
//!
//! Every path of clap's command tree is run, with made-up but well-formed
//! arguments, once with a broken system file, once with an unknown setting
//! in it, and once with an unknown setting in the user's file: each stops
//! with exit 2 before doing anything, naming the file, the line and the
//! valid names. No command falls back to another database: nothing is
//! created anywhere. `config show` still shows where each value comes from.

mod common;

use std::path::Path;
use std::process::Command;

/// Every runnable path, with arguments that parse: each required positional
/// or option gets the first made-up value clap accepts for it.
fn command_lines() -> Vec<(String, Vec<String>)> {
    /// (path, required arguments as (long option or None, takes a value)).
    type Leaf = (Vec<String>, Vec<(Option<String>, bool, Vec<String>)>);
    fn walk(cmd: &clap::Command, path: Vec<String>, out: &mut Vec<Leaf>) {
        let subs: Vec<&clap::Command> = cmd
            .get_subcommands()
            .filter(|c| c.get_name() != "help")
            .collect();
        if subs.is_empty() || !cmd.is_subcommand_required_set() {
            let req = cmd
                .get_arguments()
                .filter(|a| a.is_required_set())
                .map(|a| {
                    (
                        (!a.is_positional()).then(|| a.get_long().unwrap_or_default().to_string()),
                        a.get_action().takes_values(),
                        a.get_possible_values()
                            .iter()
                            .map(|v| v.get_name().to_string())
                            .collect(),
                    )
                })
                .collect();
            out.push((path.clone(), req));
        }
        for s in subs {
            let mut p = path.clone();
            p.push(s.get_name().to_string());
            walk(s, p, out);
        }
    }
    let root = <dutydesk::cli::Cli as clap::CommandFactory>::command();
    let mut leaves = Vec::new();
    walk(&root, Vec::new(), &mut leaves);
    const MADE_UP: &[&str] = &[
        "SG-2026-0001",
        "1",
        "dsl",
        "escalation_opened",
        "hours",
        "unacknowledged",
        "2026-01-01",
    ];
    let build =
        |path: &[String], req: &[(Option<String>, bool, Vec<String>)], values: &[String]| {
            let mut args = path.to_vec();
            for ((long, takes, _), v) in req.iter().zip(values) {
                match long {
                    Some(l) => {
                        args.push(format!("--{l}"));
                        if *takes {
                            args.push(v.clone());
                        }
                    }
                    None => args.push(v.clone()),
                }
            }
            // Groups clap requires one member of.
            match path.join(" ").as_str() {
                "policy set" => args.extend(["--repeat".to_string(), "15".to_string()]),
                "signoff" => args.extend(["--reject".to_string()]),
                _ => {}
            }
            args
        };
    let parses = |args: &[String]| {
        let mut argv = vec!["dutydesk".to_string()];
        argv.extend(args.iter().cloned());
        root.clone().try_get_matches_from(argv).is_ok()
    };
    leaves
        .into_iter()
        .map(|(path, req)| {
            let mut values: Vec<String> = req
                .iter()
                .map(|(_, _, pv)| pv.first().cloned().unwrap_or_else(|| MADE_UP[0].into()))
                .collect();
            for i in 0..req.len() {
                if !req[i].2.is_empty() {
                    continue;
                }
                for v in MADE_UP {
                    values[i] = v.to_string();
                    if parses(&build(&path, &req, &values)) {
                        break;
                    }
                    // Later arguments may still be wrong: judge this one alone.
                    let mut alone = values.clone();
                    for (j, x) in alone.iter_mut().enumerate().skip(i + 1) {
                        if req[j].2.is_empty() {
                            *x = MADE_UP[0].into();
                        }
                    }
                    if parses(&build(&path, &req, &alone)) {
                        break;
                    }
                    let err = {
                        let mut argv = vec!["dutydesk".to_string()];
                        argv.extend(build(&path, &req, &values));
                        root.clone().try_get_matches_from(argv).unwrap_err()
                    };
                    if err.kind() != clap::error::ErrorKind::ValueValidation
                        && err.kind() != clap::error::ErrorKind::InvalidValue
                    {
                        break;
                    }
                    let shown = err.to_string();
                    let ours = match &req[i].0 {
                        Some(l) => shown.contains(&format!("--{l}")),
                        None => shown.contains("for '<"),
                    };
                    if !ours {
                        break;
                    }
                }
            }
            (path.join(" "), build(&path, &req, &values))
        })
        .collect()
}

fn run(dir: &Path, system: &Path, user: &Path, args: &[String]) -> (i32, String, String) {
    let o = Command::new(env!("CARGO_BIN_EXE_dutydesk"))
        .current_dir(dir)
        .env("DUTYDESK_SYSTEM_CONFIG", system)
        .env("DUTYDESK_CONFIG", user)
        .env_remove("DUTYDESK_DB")
        .env_remove("DUTYDESK_USER")
        .env_remove("DUTYDESK_NOW")
        .env_remove("COMPLETE")
        .env("NO_COLOR", "1")
        .args(args)
        .stdin(std::process::Stdio::null())
        .output()
        .unwrap();
    (
        o.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&o.stdout).into_owned(),
        String::from_utf8_lossy(&o.stderr).into_owned(),
    )
}

#[test]
fn every_command_stops_on_a_broken_settings_file_and_touches_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let db = d.join("shared.db");
    let system = d.join("system.toml");
    let user = d.join("user.toml");
    let good_system = format!("database = {:?}\n", db.display().to_string());
    let lines = command_lines();
    assert!(lines.len() > 60, "{} paths", lines.len());
    let cmd = <dutydesk::cli::Cli as clap::CommandFactory>::command();
    for (path, args) in &lines {
        let mut argv = vec!["dutydesk".to_string()];
        argv.extend(args.iter().cloned());
        cmd.clone()
            .try_get_matches_from(&argv)
            .unwrap_or_else(|e| panic!("`{path}`: the made-up arguments do not parse: {e}"));
    }
    // (what is wrong, system file, user file, what the message must hold)
    let cases: Vec<(&str, String, String, Vec<&str>)> = vec![
        (
            "a system file that is not TOML",
            format!("{good_system}[audit\n"),
            String::new(),
            vec!["system.toml", "line 2"],
        ),
        (
            "an unknown setting in the system file",
            format!("{good_system}databse = \"/elsewhere.db\"\n"),
            String::new(),
            vec![
                "system.toml",
                "line 2",
                "databse",
                "database",
                "organisation",
            ],
        ),
        (
            "a value the notifier cannot use",
            format!("{good_system}[notify]\nsmtp = \"localhost\"\n"),
            String::new(),
            vec!["system.toml line 3", "host:port"],
        ),
        (
            "a database path that is not a full path",
            "organisation = \"X\"\ndatabase = \"relative.db\"\n".to_string(),
            String::new(),
            vec!["system.toml line 2", "relative.db", "not a full path"],
        ),
        (
            "an empty database path",
            "database = \"\"\n".to_string(),
            String::new(),
            vec!["system.toml line 1", "database is empty"],
        ),
        (
            "a backup account that does not exist",
            format!("{good_system}[backup]\naccount = \"no-such-user-xyz\"\n"),
            String::new(),
            vec!["system.toml line 3", "no-such-user-xyz", "no such account"],
        ),
        (
            "an unknown setting in the user's file",
            good_system.clone(),
            "[notify]\nbel = true\n".to_string(),
            vec!["user.toml", "line 2", "bel", "bell", "terminal", "desktop"],
        ),
        (
            "an unknown theme",
            good_system.clone(),
            "[theme]\nname = \"purple\"\n".to_string(),
            vec!["user.toml", "line 2", "purple", "dark, light, mono"],
        ),
        (
            "a rebinding onto a key the screen already uses",
            good_system.clone(),
            "[keys.verbs]\n\"c\" = \"C\"\n".to_string(),
            vec![
                "user.toml line 2",
                "[keys.verbs]",
                "Contacts",
                "[dashboard]",
            ],
        ),
    ];
    for (what, sys_text, user_text, must) in &cases {
        std::fs::write(&system, sys_text).unwrap();
        std::fs::write(&user, user_text).unwrap();
        for (path, args) in &lines {
            let (code, out, err) = run(d, &system, &user, args);
            let label = if path.is_empty() {
                "(the dashboard)"
            } else {
                path
            };
            if path == "config" {
                // Still shows where each value comes from, and the problem.
                assert_eq!(code, 2, "{what}: config: {out}{err}");
                assert!(out.contains("PROBLEM:"), "{what}: config: {out}");
                assert!(out.contains("user file"), "{what}: config: {out}");
                continue;
            }
            assert_eq!(code, 2, "{what}: `{label}` exit {code}: {out}{err}");
            for m in must {
                assert!(err.contains(m), "{what}: `{label}` says {err:?}, not {m:?}");
            }
            assert!(out.is_empty(), "{what}: `{label}` printed {out:?}");
        }
        let left: Vec<_> = std::fs::read_dir(d)
            .unwrap()
            .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
            .filter(|n| n != "system.toml" && n != "user.toml")
            .collect();
        assert!(left.is_empty(), "{what}: files were made: {left:?}");
    }
}

/// The table the README and `--help` state: 0 done, 1 refused, 2 cannot
/// start, 3 unexpected failure; verbs and staff administration alike.
#[test]
fn exit_statuses_follow_one_table() {
    let dir = common::private_dir();
    let db = dir.path().join("desk.db");
    common::desk_db(
        &db,
        "Exit Test Partnership",
        &[
            ("alice", "Alice Senior", "senior"),
            ("bob", "Bob Dsl", "dsl"),
            ("dora", "Dora Deputy", "deputy"),
        ],
        common::now(),
    );
    let dd = |user: &str, args: &[&str]| {
        let o = Command::new(env!("CARGO_BIN_EXE_dutydesk"))
            .env("DUTYDESK_DB", &db)
            .env("DUTYDESK_USER", user)
            .env("DUTYDESK_CONFIG", "/dev/null")
            .env("DUTYDESK_SYSTEM_CONFIG", "/dev/null")
            .env_remove("DUTYDESK_NOW")
            .args(args)
            .output()
            .unwrap();
        (
            o.status.code().unwrap_or(-1),
            String::from_utf8_lossy(&o.stderr).into_owned(),
        )
    };
    let help = Command::new(env!("CARGO_BIN_EXE_dutydesk"))
        .arg("--help")
        .env("DUTYDESK_CONFIG", "/dev/null")
        .env("DUTYDESK_SYSTEM_CONFIG", "/dev/null")
        .output()
        .unwrap();
    let help = String::from_utf8_lossy(&help.stdout);
    assert!(
        help.contains(dutydesk::domain::exit::TABLE),
        "--help states the table: {help}"
    );
    let readme = std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/README.md"))
        .unwrap()
        .replace('\n', " ");
    assert!(
        readme.contains(&dutydesk::domain::exit::TABLE.replace('\n', " ")),
        "the README states the table"
    );
    // 0: done.
    assert_eq!(dd("alice", &["staff", "list"]).0, 0);
    // 1: refused, for a verb and for staff administration alike.
    let (code, err) = dd(
        "bob",
        &["staff", "add", "eve", "--name", "Eve", "--role", "dsl"],
    );
    assert_eq!(code, 1, "{err}");
    let (code, err) = dd("bob", &["note", "SG-2026-9999", "a note"]);
    assert_eq!(code, 1, "{err}");
    assert!(err.contains("no escalation SG-2026-9999"), "{err}");
    let (code, err) = dd("alice", &["staff", "role", "alice", "dsl"]);
    assert_eq!(code, 1, "{err}");
    // A permission refusal is 1 whatever the command.
    let (code, err) = dd(
        "dora",
        &[
            "policy", "set", "overdue", "--steps", "0:duty", "--repeat", "30",
        ],
    );
    assert_eq!(code, 1, "{err}");
    // 2: bad input, a value wrong whatever the desk's state.
    let (code, err) = dd(
        "alice",
        &[
            "policy", "set", "overdue", "--steps", "banana", "--repeat", "30",
        ],
    );
    assert_eq!(code, 2, "{err}");
    assert!(err.contains("MINUTES:TARGETS"), "{err}");
    let (code, out) = {
        let o = Command::new(env!("CARGO_BIN_EXE_dutydesk"))
            .env("DUTYDESK_DB", &db)
            .env("DUTYDESK_USER", "bob")
            .env("DUTYDESK_CONFIG", "/dev/null")
            .env("DUTYDESK_SYSTEM_CONFIG", "/dev/null")
            .args([
                "new",
                "--subject",
                "child",
                "--name",
                "Kai",
                "--area",
                "Leicester",
                "--category",
                "neglect",
                "--risk",
                "low",
                "--summary",
                "s",
            ])
            .output()
            .unwrap();
        (
            o.status.code().unwrap_or(-1),
            String::from_utf8_lossy(&o.stdout).trim().to_string(),
        )
    };
    assert_eq!(code, 0, "{out}");
    let (code, err) = dd("bob", &["assign", &out, "nobody"]);
    assert_eq!(code, 2, "{err}");
    assert!(err.contains("no active staff member"), "{err}");
    // 2: cannot start: usage, an unknown account, no database.
    assert_eq!(dd("alice", &["staff", "add"]).0, 2);
    let (code, err) = dd("mallory", &["list"]);
    assert_eq!(code, 2, "{err}");
    assert!(err.contains("not on this dutydesk's staff list"), "{err}");
    let o = Command::new(env!("CARGO_BIN_EXE_dutydesk"))
        .env("DUTYDESK_DB", dir.path().join("missing.db"))
        .env("DUTYDESK_CONFIG", "/dev/null")
        .env("DUTYDESK_SYSTEM_CONFIG", "/dev/null")
        .arg("list")
        .output()
        .unwrap();
    assert_eq!(o.status.code(), Some(2));
    // 3: a fault: the database file is damaged past its header.
    let broken = dir.path().join("broken.db");
    let mut bytes = std::fs::read(&db).unwrap();
    for b in bytes.iter_mut().skip(100).take(4000) {
        *b = 0xA5;
    }
    std::fs::write(&broken, &bytes).unwrap();
    let o = Command::new(env!("CARGO_BIN_EXE_dutydesk"))
        .env("DUTYDESK_DB", &broken)
        .env("DUTYDESK_USER", "alice")
        .env("DUTYDESK_CONFIG", "/dev/null")
        .env("DUTYDESK_SYSTEM_CONFIG", "/dev/null")
        .arg("list")
        .output()
        .unwrap();
    let code = o.status.code();
    assert!(
        code == Some(3) || code == Some(2),
        "a damaged file is a fault (3) or not a database (2): {code:?} {}",
        String::from_utf8_lossy(&o.stderr)
    );
}
