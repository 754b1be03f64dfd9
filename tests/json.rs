//! Stable JSON (issue 20, point 3): the real output of every `--json`
//! command (found in clap's command tree), on the demo at a fixed moment, checked against its JSON
//! Schema in docs/json/ (with the `jsonschema` crate); every document carries
//! `schema_version`; every time in any document is RFC 3339 with the UK
//! offset; docs/JSON.md names every schema.

mod common;

use std::path::Path;
use std::process::Command;

fn dd(db: &Path, user: &str, args: &[&str]) -> String {
    let o = Command::new(env!("CARGO_BIN_EXE_dutydesk"))
        .env("DUTYDESK_DB", db)
        .env("DUTYDESK_USER", user)
        .env("DUTYDESK_NOW", "2026-11-23T09:00:00Z")
        .env("DUTYDESK_CONFIG", "/dev/null")
        .env("DUTYDESK_SYSTEM_CONFIG", "/dev/null")
        .args(args)
        .output()
        .unwrap();
    assert!(
        o.status.success(),
        "{args:?}: {}",
        String::from_utf8_lossy(&o.stderr)
    );
    String::from_utf8(o.stdout).unwrap()
}

/// Every string that reads as an instant must carry the UK offset.
fn times_are_uk(v: &serde_json::Value, at: &str, bad: &mut Vec<String>) {
    match v {
        serde_json::Value::Object(m) => {
            for (k, x) in m {
                times_are_uk(x, &format!("{at}.{k}"), bad)
            }
        }
        serde_json::Value::Array(a) => {
            for (i, x) in a.iter().enumerate() {
                times_are_uk(x, &format!("{at}[{i}]"), bad)
            }
        }
        serde_json::Value::String(s)
            if chrono::DateTime::parse_from_rfc3339(s).is_ok()
                && !(s.ends_with("+00:00") || s.ends_with("+01:00")) =>
        {
            bad.push(format!("{at} = {s}"));
        }
        _ => {}
    }
}

#[test]
fn every_document_matches_its_schema() {
    let dir = common::private_dir();
    let (db, _) = common::demo_db(dir.path(), 40);
    let reference = {
        let list: serde_json::Value =
            serde_json::from_str(&dd(&db, "rwhite", &["list", "--json"])).unwrap();
        list["items"][0]["reference"].as_str().unwrap().to_string()
    };
    // Something for every document to hold: a task and an attachment.
    dd(
        &db,
        "rwhite",
        &[
            "task",
            "add",
            &reference,
            "--owner",
            "rwhite",
            "--due",
            "23:00",
            "ring back",
        ],
    );
    let note = dir.path().join("note.txt");
    std::fs::write(&note, "a letter\n").unwrap();
    dd(
        &db,
        "rwhite",
        &["attach", &reference, note.to_str().unwrap()],
    );
    // (command path as clap names it, document, arguments)
    let runs: Vec<(&str, &str, Vec<&str>)> = vec![
        (
            "list",
            "escalations",
            vec!["list", "--json", "--status", "all"],
        ),
        ("show", "escalation", vec!["show", &reference, "--json"]),
        ("export", "export", vec!["export", &reference, "--json"]),
        (
            "export",
            "export",
            vec!["export", &reference, "--json", "--redact-third-parties"],
        ),
        ("search", "search", vec!["search", &reference, "--json"]),
        ("person", "person", vec!["person", &reference, "--json"]),
        ("task list", "tasks", vec!["task", "list", "--json"]),
        (
            "attachments",
            "attachments",
            vec!["attachments", &reference, "--json"],
        ),
        (
            "deadlines",
            "deadlines",
            vec!["deadlines", "--json", "--all"],
        ),
        ("staff list", "staff", vec!["staff", "list", "--json"]),
        ("alerts", "alerts", vec!["alerts", "--json"]),
        ("areas list", "areas", vec!["areas", "list", "--json"]),
        (
            "categories list",
            "categories",
            vec!["categories", "list", "--json"],
        ),
        ("audit", "audit", vec!["audit", "--json"]),
        ("rules list", "rules", vec!["rules", "list", "--json"]),
        (
            "settings list",
            "settings",
            vec!["settings", "list", "--json"],
        ),
        ("policy list", "policies", vec!["policy", "list", "--json"]),
        (
            "holidays list",
            "holidays",
            vec!["holidays", "list", "--json"],
        ),
        (
            "contacts",
            "contacts",
            vec![
                "contacts",
                "--route",
                "ms1",
                "--area",
                "Leicester",
                "--json",
            ],
        ),
        ("routes", "routes", vec!["routes", &reference, "--json"]),
        ("reviews", "reviews", vec!["reviews", "--json"]),
        ("rota show", "rota", vec!["rota", "show", "--json"]),
        ("handover", "handover", vec!["handover", "--json"]),
        (
            "report",
            "report",
            vec![
                "report",
                "--from",
                "2026-01-01",
                "--to",
                "2026-10-31",
                "--json",
            ],
        ),
    ];
    // Every command that can print JSON is checked here: one added to the
    // CLI without a schema and a run above fails.
    let checked: Vec<&str> = runs.iter().map(|(c, _, _)| *c).collect();
    for c in json_commands() {
        assert!(
            checked.contains(&c.as_str()),
            "`dutydesk {c}` prints JSON but is not checked: add its schema (docs/json/), its line in docs/JSON.md and a run here"
        );
    }
    let schemas: Vec<String> = std::fs::read_dir(concat!(env!("CARGO_MANIFEST_DIR"), "/docs/json"))
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    for s in &schemas {
        let name = s.trim_end_matches(".schema.json");
        assert!(
            runs.iter().any(|(_, d, _)| *d == name),
            "docs/json/{s} belongs to no command"
        );
    }
    let docs =
        std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/docs/JSON.md")).unwrap();
    let mut problems = Vec::new();
    for (_, name, args) in &runs {
        let path = format!(
            "{}/docs/json/{name}.schema.json",
            env!("CARGO_MANIFEST_DIR")
        );
        let schema: serde_json::Value =
            serde_json::from_str(&std::fs::read_to_string(&path).unwrap()).unwrap();
        let validator = jsonschema::validator_for(&schema)
            .unwrap_or_else(|e| panic!("{path} is not a valid schema: {e}"));
        let text = dd(&db, "rwhite", args);
        let doc: serde_json::Value = serde_json::from_str(&text)
            .unwrap_or_else(|e| panic!("{args:?} is not JSON: {e}\n{text}"));
        for e in validator.iter_errors(&doc) {
            problems.push(format!("{name}: {} at {}", e, e.instance_path()));
        }
        assert_eq!(doc["schema_version"], 1, "{name}");
        assert_eq!(doc["document"], *name, "{name}");
        times_are_uk(&doc, name, &mut problems);
        if let Some(items) = doc["items"].as_array() {
            assert!(
                !items.is_empty(),
                "{name}: the demo gives something to list"
            );
        }
        assert!(
            docs.contains(&format!("`{name}`")),
            "docs/JSON.md does not name the {name} document"
        );
    }
    assert!(problems.is_empty(), "{}", problems.join("\n"));
}

/// People are usernames, categories are codes, with the words beside them.
#[test]
fn people_are_usernames_and_lists_are_codes() {
    let dir = common::private_dir();
    let (db, _) = common::demo_db(dir.path(), 40);
    let list: serde_json::Value =
        serde_json::from_str(&dd(&db, "rwhite", &["list", "--json"])).unwrap();
    let staff: serde_json::Value =
        serde_json::from_str(&dd(&db, "rwhite", &["staff", "list", "--json"])).unwrap();
    let usernames: Vec<&str> = staff["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["username"].as_str().unwrap())
        .collect();
    let mut held = 0;
    for e in list["items"].as_array().unwrap() {
        if let Some(a) = e["assignee"].as_str() {
            held += 1;
            assert!(usernames.contains(&a), "{a} is not an account");
            assert!(
                e["assignee_name"].as_str().is_some(),
                "the name is beside it"
            );
        }
        for c in e["categories"].as_array().unwrap() {
            let code = c["code"].as_str().expect("every category has its code");
            assert!(code.chars().all(|ch| ch.is_ascii_lowercase() || ch == '_'));
        }
    }
    assert!(held > 0);
}

/// Every command path that can print JSON: a `--json` flag, or a
/// `--format` taking `json`, found in clap's command tree (so a new command
/// with JSON cannot be left out of the check above).
fn json_commands() -> Vec<String> {
    fn walk(cmd: &clap::Command, path: Vec<String>, out: &mut Vec<String>) {
        let json = cmd.get_arguments().any(|a| {
            a.get_long() == Some("json")
                || (a.get_long() == Some("format")
                    && a.get_possible_values()
                        .iter()
                        .any(|v| v.get_name() == "json"))
        });
        if json {
            out.push(path.join(" "));
        }
        for s in cmd.get_subcommands().filter(|c| c.get_name() != "help") {
            let mut p = path.clone();
            p.push(s.get_name().to_string());
            walk(s, p, out);
        }
    }
    let root = <dutydesk::cli::Cli as clap::CommandFactory>::command();
    let mut out = Vec::new();
    walk(&root, Vec::new(), &mut out);
    out
}
