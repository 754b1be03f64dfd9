//! Stable JSON (issue 20, point 3): the real output of every documented
//! `--json` command, on the demo at a fixed moment, checked against its JSON
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
    let runs: Vec<(&str, Vec<&str>)> = vec![
        ("escalations", vec!["list", "--json", "--status", "all"]),
        ("escalation", vec!["show", &reference, "--json"]),
        ("deadlines", vec!["deadlines", "--json", "--all"]),
        ("staff", vec!["staff", "list", "--json"]),
        ("alerts", vec!["alerts", "--json"]),
        ("areas", vec!["areas", "list", "--json"]),
        ("categories", vec!["categories", "list", "--json"]),
        ("audit", vec!["audit", "--json"]),
        ("rules", vec!["rules", "list", "--json"]),
        ("settings", vec!["settings", "list", "--json"]),
        ("policies", vec!["policy", "list", "--json"]),
        ("holidays", vec!["holidays", "list", "--json"]),
        (
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
    let docs =
        std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/docs/JSON.md")).unwrap();
    let mut problems = Vec::new();
    for (name, args) in &runs {
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
