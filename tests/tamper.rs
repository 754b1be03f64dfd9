//! Tamper evidence (issue 14, point 8): each way of altering the file that an
//! attacker with write access might try is caught by `dutydesk verify` once
//! an anchor exists. The tampering is done as an attacker would: raw SQL,
//! the guard triggers dropped and re-created exactly as they were, hashes
//! re-computed with dutydesk's own function.
//!
//! The commands run as the OS account (no `DUTYDESK_USER`): `init` makes it
//! the first senior lead, as on a real desk.

mod common;

use assert_cmd::Command;
use common::{private_dir, sql};
use dutydesk::store::audit::{self, Entry};
use dutydesk::store::{self as st, Create};
use rusqlite::{Connection, params};
use std::path::{Path, PathBuf};

fn dd(path: &Path) -> Command {
    let mut c = Command::cargo_bin("dutydesk").unwrap();
    c.env("DUTYDESK_DB", path)
        .env("DUTYDESK_CONFIG", "/dev/null")
        .env("DUTYDESK_SYSTEM_CONFIG", {
            // The system file a test may write; named, it must exist.
            let sys = path.with_extension("system.toml");
            if sys.exists() {
                sys
            } else {
                "/dev/null".into()
            }
        })
        .env_remove("DUTYDESK_USER")
        .env_remove("DUTYDESK_NOW");
    c
}

/// (exit code, stdout, stderr)
fn run(c: &mut Command) -> (i32, String, String) {
    let o = c.output().unwrap();
    (
        o.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&o.stdout).into_owned(),
        String::from_utf8_lossy(&o.stderr).into_owned(),
    )
}

fn ok(c: &mut Command) -> String {
    let (code, out, err) = run(c);
    assert_eq!(code, 0, "{out}{err}");
    out
}

fn anchors(path: &Path) -> PathBuf {
    let mut p = path.as_os_str().to_owned();
    p.push(".anchors");
    PathBuf::from(p)
}

/// A desk made by `init`: a child's case with a note and a referral, and a
/// restricted allegation about a DSL who uses the desk (`--about dora`: she
/// is excluded from it; the OS account recording it is the senior lead `init`
/// made, who sees it without being named). Returns the database and the two
/// references.
fn desk(dir: &Path) -> (PathBuf, String, String) {
    let path = dir.join("desk.db");
    ok(dd(&path).args(["init", "--org", "Test"]));
    ok(dd(&path).args([
        "staff",
        "add",
        "dora",
        "--name",
        "Dora Quill",
        "--role",
        "dsl",
    ]));
    let new = |extra: &[&str]| {
        let mut args = vec![
            "new",
            "--area",
            "Leicester",
            "--category",
            "physical",
            "--risk",
            "medium",
            "--summary",
            "summary of the concern",
            "--words",
            "the exact words",
        ];
        args.extend_from_slice(extra);
        ok(dd(&path).args(&args)).trim().to_string()
    };
    let child = new(&["--subject", "child", "--name", "Sam Roe"]);
    ok(dd(&path).args(["note", &child, "a note about the child"]));
    ok(dd(&path).args([
        "refer",
        &child,
        "--route",
        "children",
        "--shared",
        "what was shared with them",
    ]));
    let staff = new(&["--subject", "staff", "--name", "Pat Doe", "--about", "dora"]);
    (path, child, staff)
}

/// A desk whose trail has been verified once, so an anchor exists.
fn anchored(dir: &Path) -> (PathBuf, String, String) {
    let (path, child, staff) = desk(dir);
    let out = ok(dd(&path).arg("verify"));
    assert!(out.starts_with("OK"), "{out}");
    (path, child, staff)
}

/// The guard triggers an attacker drops before tampering.
const GUARDS: &[&str] = &[
    "audit_log_no_update",
    "audit_log_no_delete",
    "chronology_no_update",
    "chronology_no_delete",
    "referrals_no_delete",
    "referrals_outcome_once",
];

/// Runs `f` on a raw connection with the guard triggers dropped, then puts
/// them back exactly as they were (so the schema check sees nothing).
fn tamper(path: &Path, f: impl FnOnce(&Connection)) {
    let c = sql(path);
    let mut saved = Vec::new();
    for name in GUARDS {
        let sql: String = c
            .query_row(
                "SELECT sql FROM sqlite_master WHERE type = 'trigger' AND name = ?1",
                [name],
                |r| r.get(0),
            )
            .unwrap();
        c.execute_batch(&format!("DROP TRIGGER {name}")).unwrap();
        saved.push(sql);
    }
    f(&c);
    for sql in saved {
        c.execute_batch(&sql).unwrap();
    }
}

/// Re-computes every hash from audit row `from` on with dutydesk's own
/// function, so the chain is consistent again.
fn rehash_from(c: &Connection, from: i64) {
    type Row = (
        i64,
        i64,
        String,
        String,
        String,
        Option<String>,
        Option<String>,
        Option<String>,
    );
    let rows: Vec<Row> = c
        .prepare(
            "SELECT id, at, actor, action, entity, entity_id, detail, covers FROM audit_log
             WHERE id >= ?1 ORDER BY id",
        )
        .unwrap()
        .query_map([from], |r| {
            Ok((
                r.get(0)?,
                r.get(1)?,
                r.get(2)?,
                r.get(3)?,
                r.get(4)?,
                r.get(5)?,
                r.get(6)?,
                r.get(7)?,
            ))
        })
        .unwrap()
        .map(Result::unwrap)
        .collect();
    let mut prev: String = c
        .query_row(
            "SELECT hash FROM audit_log WHERE id < ?1 ORDER BY id DESC LIMIT 1",
            [from],
            |r| r.get(0),
        )
        .unwrap_or_else(|_| audit::GENESIS.to_string());
    for (id, at, actor, action, entity, entity_id, detail, covers) in rows {
        let h = audit::hash(
            &prev,
            &Entry {
                at,
                actor: &actor,
                action: &action,
                entity: &entity,
                entity_id: entity_id.as_deref(),
                detail: detail.as_deref(),
                covers: covers.as_deref(),
            },
        );
        c.execute(
            "UPDATE audit_log SET prev_hash = ?2, hash = ?3 WHERE id = ?1",
            params![id, prev, h],
        )
        .unwrap();
        prev = h;
    }
}

/// `verify` fails (exit 1, no new anchor) with a problem containing `needle`.
fn caught(path: &Path, needle: &str) -> String {
    let before = std::fs::read(anchors(path)).unwrap_or_default();
    let (code, out, err) = run(dd(path).arg("verify"));
    assert_eq!(code, 1, "not caught:\n{out}{err}");
    assert!(
        out.lines()
            .any(|l| l.starts_with("PROBLEM:") && l.contains(needle)),
        "expected a problem naming {needle:?}:\n{out}"
    );
    assert!(err.contains("no anchor recorded"), "{err}");
    assert_eq!(
        std::fs::read(anchors(path)).unwrap_or_default(),
        before,
        "a failed verify must not anchor"
    );
    out
}

fn last_id(path: &Path) -> i64 {
    sql(path)
        .query_row("SELECT max(id) FROM audit_log", [], |r| r.get(0))
        .unwrap()
}

fn chronology_id(path: &Path, body: &str) -> i64 {
    sql(path)
        .query_row("SELECT id FROM chronology WHERE body = ?1", [body], |r| {
            r.get(0)
        })
        .unwrap()
}

#[test]
fn a_clean_database_verifies_and_writes_an_anchor() {
    let dir = private_dir();
    let (path, _, _) = desk(dir.path());
    assert!(!anchors(&path).exists());
    let out = ok(dd(&path).arg("verify"));
    assert!(out.starts_with("OK"), "{out}");
    assert!(out.contains("0 earlier anchor(s)"), "{out}");
    let text = std::fs::read_to_string(anchors(&path)).unwrap();
    let (id, hash): (i64, String) = sql(&path)
        .query_row(
            "SELECT id, hash FROM audit_log ORDER BY id DESC LIMIT 1",
            [],
            |r| Ok((r.get(0)?, r.get(1)?)),
        )
        .unwrap();
    assert_eq!(text.lines().count(), 1, "{text}");
    let line = text.lines().next().unwrap();
    assert!(
        line.contains(&format!(" id={id} hash={hash} db=")),
        "{line}"
    );
    assert!(
        line.ends_with(&std::fs::canonicalize(&path).unwrap().display().to_string()),
        "{line}"
    );
    // Readable and appendable by the desk's group, nobody else.
    use std::os::unix::fs::PermissionsExt;
    let mode = std::fs::metadata(anchors(&path))
        .unwrap()
        .permissions()
        .mode();
    assert_eq!(mode & 0o777, 0o660);
    // A second run agrees with the first anchor and adds its own.
    let out = ok(dd(&path).arg("verify"));
    assert!(out.contains("1 earlier anchor(s)"), "{out}");
    assert_eq!(
        std::fs::read_to_string(anchors(&path))
            .unwrap()
            .lines()
            .count(),
        2
    );
}

#[test]
fn anchor_appends_the_chain_head_to_the_file() {
    let dir = private_dir();
    let (path, child, _) = desk(dir.path());
    let out = ok(dd(&path).arg("anchor"));
    let first = last_id(&path);
    assert!(out.contains(&format!("audit row {first}")), "{out}");
    ok(dd(&path).args(["note", &child, "another note"]));
    ok(dd(&path).arg("anchor"));
    let text = std::fs::read_to_string(anchors(&path)).unwrap();
    let ids: Vec<String> = text
        .lines()
        .map(|l| l.split(' ').nth(1).unwrap().to_string())
        .collect();
    assert_eq!(
        ids,
        vec![format!("id={first}"), format!("id={}", last_id(&path))]
    );
    assert!(last_id(&path) > first);
}

#[test]
fn the_anchor_file_is_the_one_the_system_file_names() {
    let dir = private_dir();
    let (path, _, _) = desk(dir.path());
    let elsewhere = dir.path().join("kept-elsewhere.log");
    std::fs::write(
        path.with_extension("system.toml"),
        format!(
            "[audit]\nanchor_file = {:?}\n",
            elsewhere.display().to_string()
        ),
    )
    .unwrap();
    ok(dd(&path).arg("verify"));
    assert!(!anchors(&path).exists());
    assert_eq!(
        std::fs::read_to_string(&elsewhere).unwrap().lines().count(),
        1
    );
    // A symbolic link in its place is refused, not followed.
    std::fs::remove_file(&elsewhere).unwrap();
    std::os::unix::fs::symlink(dir.path().join("target.log"), &elsewhere).unwrap();
    let (code, _, err) = run(dd(&path).arg("anchor"));
    assert_eq!(code, 1, "{err}");
    assert!(err.contains("symbolic link"), "{err}");
    assert!(!dir.path().join("target.log").exists());
}

#[test]
fn deleting_the_last_audit_rows_is_caught() {
    let dir = private_dir();
    let (path, child, _) = anchored(dir.path());
    let end = last_id(&path);
    // The attacker looks at the record, then removes the trace of it and more.
    ok(dd(&path).args(["show", &child]));
    tamper(&path, |c| {
        c.execute("DELETE FROM audit_log WHERE id > ?1", [end - 2])
            .unwrap();
    });
    caught(&path, "shorter than its anchor of");
}

#[test]
fn editing_a_row_and_rehashing_from_there_is_caught() {
    let dir = private_dir();
    let (path, _, _) = anchored(dir.path());
    tamper(&path, |c| {
        c.execute(
            "UPDATE audit_log SET actor = 'somebody-else' WHERE id = 8",
            [],
        )
        .unwrap();
        rehash_from(c, 8);
    });
    // The chain itself is consistent again: only the anchor tells.
    assert_eq!(audit::first_broken(&sql(&path)).unwrap(), None);
    let out = caught(&path, "no longer has the hash anchored on");
    assert!(!out.contains("does not match the chain"), "{out}");
}

#[test]
fn deleting_a_middle_row_and_rehashing_is_caught() {
    let dir = private_dir();
    let (path, _, _) = anchored(dir.path());
    tamper(&path, |c| {
        c.execute("DELETE FROM audit_log WHERE id = 8", []).unwrap();
        rehash_from(c, 9);
    });
    assert_eq!(audit::first_broken(&sql(&path)).unwrap(), None);
    let out = caught(&path, "row 8 is missing (ids jump from 7 to 9)");
    assert!(out.contains("no longer has the hash anchored"), "{out}");
}

#[test]
fn editing_a_chronology_note_is_caught() {
    let dir = private_dir();
    let (path, child, _) = anchored(dir.path());
    let id = chronology_id(&path, "a note about the child");
    tamper(&path, |c| {
        c.execute(
            "UPDATE chronology SET body = 'nothing to worry about' WHERE id = ?1",
            [id],
        )
        .unwrap();
    });
    caught(
        &path,
        &format!("chronology row {id} of {child} changed since audit row"),
    );
}

#[test]
fn deleting_a_chronology_note_is_caught() {
    let dir = private_dir();
    let (path, _, _) = anchored(dir.path());
    let id = chronology_id(&path, "a note about the child");
    tamper(&path, |c| {
        c.execute("DELETE FROM chronology WHERE id = ?1", [id])
            .unwrap();
    });
    caught(&path, &format!("chronology row(s) {id} are missing"));
}

#[test]
fn a_forged_chronology_row_is_caught() {
    let dir = private_dir();
    let (path, child, _) = anchored(dir.path());
    let mut id = 0;
    tamper(&path, |c| {
        c.execute(
            "INSERT INTO chronology (escalation_id, at, author_id, kind, body)
             SELECT id, raised_at + 60, created_by, 'note', 'Parent says all is well.'
             FROM escalations WHERE reference = ?1",
            [&child],
        )
        .unwrap();
        id = c.last_insert_rowid();
    });
    caught(
        &path,
        &format!("chronology row {id} ({child}) is covered by no audit row"),
    );
}

#[test]
fn editing_a_referral_is_caught() {
    let dir = private_dir();
    let (path, child, _) = anchored(dir.path());
    tamper(&path, |c| {
        c.execute(
            "UPDATE referrals SET shared_what = 'nothing', route = 'other'",
            [],
        )
        .unwrap();
    });
    caught(&path, &format!("referral row 1 of {child} changed"));
}

#[test]
fn a_referral_outcome_set_outside_dutydesk_is_caught() {
    let dir = private_dir();
    let (path, child, _) = anchored(dir.path());
    // The trigger lets an outcome be recorded once, even by hand: the trail
    // still says it did not come through dutydesk.
    sql(&path)
        .execute(
            "UPDATE referrals SET outcome = 'no further action', outcome_at = 1",
            [],
        )
        .unwrap();
    caught(
        &path,
        &format!("referral 1 ({child}) has an outcome no audit row covers"),
    );
}

#[test]
fn unrestricting_an_escalation_by_hand_is_caught() {
    let dir = private_dir();
    let (path, _, staff) = anchored(dir.path());
    tamper(&path, |c| {
        c.execute("UPDATE escalations SET restricted = 0", [])
            .unwrap();
    });
    caught(
        &path,
        &format!("{staff}: its restricted flag is 0 but the audit trail says 1"),
    );
}

#[test]
fn deleting_an_access_row_is_caught() {
    let dir = private_dir();
    let (path, _, staff) = anchored(dir.path());
    tamper(&path, |c| {
        assert_eq!(c.execute("DELETE FROM escalation_access", []).unwrap(), 1);
    });
    // The senior lead running verify may see the case, so it is named.
    let out = caught(
        &path,
        "the staff named on it or excluded from it differ from the audit trail",
    );
    assert!(out.contains(&staff), "{out}");
}

#[test]
fn marking_an_init_database_as_a_demo_is_caught() {
    let dir = private_dir();
    let (path, _, _) = anchored(dir.path());
    tamper(&path, |c| {
        c.execute(
            "INSERT OR REPLACE INTO settings (key, value) VALUES ('demo', '1')",
            [],
        )
        .unwrap();
    });
    caught(&path, "marked as a demo (setting demo = 1)");
}

#[test]
fn anchor_refuses_a_trail_that_no_longer_matches() {
    let dir = private_dir();
    let (path, _, _) = anchored(dir.path());
    tamper(&path, |c| {
        c.execute("UPDATE audit_log SET detail = 'x' WHERE id = 3", [])
            .unwrap();
        rehash_from(c, 3);
    });
    let before = std::fs::read(anchors(&path)).unwrap();
    let (code, out, err) = run(dd(&path).arg("anchor"));
    assert_eq!(code, 1, "{out}{err}");
    assert!(out.contains("PROBLEM: audit row"), "{out}");
    assert_eq!(std::fs::read(anchors(&path)).unwrap(), before);
}

#[test]
fn chronology_and_referrals_refuse_changes_and_take_an_outcome_once() {
    let dir = private_dir();
    let (path, _, _) = desk(dir.path());
    let c = sql(&path);
    for bad in [
        "UPDATE chronology SET body = 'x'",
        "DELETE FROM chronology",
        "DELETE FROM referrals",
        "UPDATE referrals SET shared_what = 'x'",
        "UPDATE referrals SET outcome = 'x', shared_why = 'y'",
    ] {
        let err = c.execute(bad, []).unwrap_err().to_string();
        assert!(err.contains("append-only"), "{bad}: {err}");
    }
    c.execute(
        "UPDATE referrals SET outcome = 'accepted', outcome_at = 5",
        [],
    )
    .unwrap();
    let err = c
        .execute("UPDATE referrals SET outcome = 'declined'", [])
        .unwrap_err()
        .to_string();
    assert!(
        err.contains("only an outcome may be recorded, once"),
        "{err}"
    );
}

#[test]
fn an_outcome_recorded_through_the_store_is_covered() {
    let dir = private_dir();
    let (path, _, _) = desk(dir.path());
    let user = dutydesk::identity::os_account().unwrap();
    let mut s = st::open(&path, Create::No).unwrap();
    s.write(&user, chrono::Utc::now(), |w| {
        w.tx().execute(
            "UPDATE referrals SET outcome = 'accepted for assessment', outcome_at = 100 WHERE id = 1",
            [],
        )?;
        w.audit("outcome", "referral", Some("1"), None)
    })
    .unwrap();
    let covers: String = sql(&path)
        .query_row(
            "SELECT covers FROM audit_log ORDER BY id DESC LIMIT 1",
            [],
            |r| r.get(0),
        )
        .unwrap();
    assert!(covers.starts_with("outcome 1 "), "{covers}");
    ok(dd(&path).arg("verify"));
}

#[test]
fn the_trail_keeps_what_happened_not_the_words() {
    let dir = private_dir();
    let (path, child, staff) = desk(dir.path());
    ok(dd(&path).args([
        "close",
        &child,
        "--outcome",
        "advice-given",
        "--rationale",
        "the rationale given",
        "--waive",
        "childrens_decision=the waiver reason given",
    ]));
    let out = ok(dd(&path).args(["audit", "--json"]));
    for words in [
        "the waiver reason given",
        "a note about the child",
        "summary of the concern",
        "what was shared with them",
        "the rationale given",
        "the exact words",
        "Sam Roe",
        "Pat Doe",
    ] {
        assert!(!out.contains(words), "{words:?} in the trail:\n{out}");
    }
    // What happened, and to which record, is there.
    assert!(out.contains("\"action\": \"note\""), "{out}");
    assert!(out.contains(&child) && out.contains(&staff), "{out}");
    // The trail keeps which chronology line each change wrote (the shown
    // trail leaves out the detail of rows about escalations).
    let id = chronology_id(&path, "a note about the child");
    let kept: i64 = sql(&path)
        .query_row(
            "SELECT count(*) FROM audit_log WHERE detail = ?1",
            [format!("chronology {id}")],
            |r| r.get(0),
        )
        .unwrap();
    assert_eq!(kept, 1);
}

/// A database written by schema v4 (no digests, no access rows, no creation
/// row) migrates to v5 with what it holds covered, verifies, and then
/// catches tampering like any other.
#[test]
fn a_v4_database_with_records_migrates_and_verifies() {
    let dir = private_dir();
    let path = dir.path().join("old.db");
    {
        let c = sql(&path);
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o660)).unwrap();
        c.execute_batch(
            &std::fs::read_to_string(concat!(
                env!("CARGO_MANIFEST_DIR"),
                "/tests/fixtures/schema-v4.sql"
            ))
            .unwrap(),
        )
        .unwrap();
        c.pragma_update(None, "user_version", 4).unwrap();
        let user = dutydesk::identity::os_account().unwrap();
        c.execute_batch(&format!(
            "INSERT INTO staff (id, username, display_name, role, created_at)
                 VALUES (1, '{user}', 'Me', 'dsl', 0), (2, 'jo', 'Jo', 'dsl', 0);
             INSERT INTO categories (code, label, framework) VALUES ('physical', 'Physical', 'child');
             INSERT INTO escalations (id, reference, ref_year, ref_seq, subject_kind, subject_name,
                 area, location_type, risk, status, raised_by, raised_at, exact_words, consent,
                 restricted, created_by, created_at, updated_by, updated_at)
             VALUES (1, 'SG-2025-0001', 2025, 1, 'child', 'A Child', 'Leicester', 'own_home',
                     'low', 'new', 'x', 0, 'words', 'given', 0, 1, 0, 1, 0),
                    (2, 'SG-2025-0002', 2025, 2, 'staff', 'Jo', 'Leicester', 'workplace',
                     'high', 'new', 'x', 0, 'words', 'given', 1, 1, 0, 1, 0);
             INSERT INTO escalation_access VALUES (2, 2, 'excluded');
             INSERT INTO chronology (escalation_id, at, author_id, kind, body)
                 VALUES (1, 0, 1, 'created', 'Escalation recorded'), (1, 1, 1, 'note', 'old note'),
                        (2, 0, 1, 'created', 'Escalation recorded');
             INSERT INTO referrals (escalation_id, route, method, made_by, made_at, outcome, outcome_at)
                 VALUES (1, 'children', 'phone', 1, 2, 'accepted', 3);"
        ))
        .unwrap();
        let mut prev = audit::GENESIS.to_string();
        for (i, action) in ["init", "create", "note"].iter().enumerate() {
            let e = Entry {
                at: i as i64,
                actor: &user,
                action,
                entity: "escalation",
                entity_id: Some("SG-2025-0001"),
                detail: None,
                covers: None,
            };
            let h = audit::hash(&prev, &e);
            c.execute(
                "INSERT INTO audit_log (at, actor, action, entity, entity_id, prev_hash, hash)
                 VALUES (?1, ?2, ?3, 'escalation', 'SG-2025-0001', ?4, ?5)",
                params![e.at, user, action, prev, h],
            )
            .unwrap();
            prev = h;
        }
    }
    drop(st::open(&path, Create::No).unwrap());
    let c = sql(&path);
    let added: Vec<(String, String, Option<String>)> = c
        .prepare("SELECT actor, action, detail FROM audit_log WHERE id > 3 ORDER BY id")
        .unwrap()
        .query_map([], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))
        .unwrap()
        .map(Result::unwrap)
        .collect();
    let actions: Vec<&str> = added.iter().map(|a| a.1.as_str()).collect();
    assert_eq!(actions, ["create", "access", "cover"], "{added:?}");
    assert_eq!(added[0].2.as_deref(), Some("init"));
    assert_eq!(
        added[1].2.as_deref(),
        Some("restricted=1; named=; excluded=jo")
    );
    let out = ok(dd(&path).arg("verify"));
    assert!(out.starts_with("OK"), "{out}");
    tamper(&path, |c| {
        c.execute("UPDATE chronology SET body = 'changed' WHERE id = 2", [])
            .unwrap();
    });
    caught(&path, "chronology row");
}
