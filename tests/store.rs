//! The store: opening, refusing, migrating, writing with an audit row.

use chrono::{TimeZone, Utc};
use dutydesk::domain::staff::Role;
use dutydesk::store::migrate::{Migration, PLAN, Plan, SCHEMA_VERSION, prepare_with};
use dutydesk::store::staff::{self, NewStaff};
use dutydesk::store::{self, Create, Store, StoreError, audit};
use rusqlite::Connection;
use std::os::unix::fs::PermissionsExt;
use std::path::{Path, PathBuf};

fn now() -> chrono::DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 11, 23, 9, 0, 0).unwrap()
}

/// A new database with `alice` as its first DSL.
fn fresh(dir: &tempfile::TempDir) -> (PathBuf, Store) {
    let path = dir.path().join("desk.db");
    let mut s = store::open(&path, Create::IfMissing).unwrap();
    s.write("alice", now(), |w| {
        staff::bootstrap(
            w,
            &NewStaff {
                username: "alice",
                display_name: "Alice Moore",
                // As `init` makes the first account: a senior lead.
                role: Role::Senior,
            },
        )?;
        store::seed::defaults(w, "Test Org")
    })
    .unwrap();
    (path, s)
}

/// A plain connection; a file it creates gets the desk's private mode.
fn raw(path: &Path) -> Connection {
    use std::os::unix::fs::PermissionsExt;
    let c = Connection::open(path).unwrap();
    std::fs::set_permissions(path, std::fs::Permissions::from_mode(0o660)).unwrap();
    c
}

#[test]
fn new_database_has_schema_pragmas_and_mode_0660() {
    let dir = private_dir();
    let (path, _s) = fresh(&dir);
    let c = raw(&path);
    let v: i64 = c
        .pragma_query_value(None, "user_version", |r| r.get(0))
        .unwrap();
    assert_eq!(v, SCHEMA_VERSION);
    let mode: String = c
        .pragma_query_value(None, "journal_mode", |r| r.get(0))
        .unwrap();
    assert_eq!(mode, "wal");
    let perms = std::fs::metadata(&path).unwrap().permissions().mode() & 0o777;
    assert_eq!(perms, 0o660);
    let n: i64 = c
        .query_row("SELECT count(*) FROM bank_holidays", [], |r| r.get(0))
        .unwrap();
    assert_eq!(n, 24);
}

#[test]
fn missing_database_names_the_path_and_the_way_out() {
    let dir = private_dir();
    let path = dir.path().join("nope.db");
    let err = store::open(&path, Create::No).err().unwrap();
    let msg = err.to_string();
    assert!(matches!(err, StoreError::Missing(_)));
    assert!(
        msg.contains("nope.db") && msg.contains("init") && msg.contains("demo"),
        "{msg}"
    );
    assert!(!path.exists(), "opening must not create the file");
}

#[test]
fn a_file_that_is_not_sqlite_is_refused_untouched() {
    let dir = private_dir();
    let path = dir.path().join("notes.db");
    let content = b"these are my notes, not a database\n".repeat(50);
    std::fs::write(&path, &content).unwrap();
    let err = store::open(&path, Create::IfMissing).err().unwrap();
    assert!(matches!(err, StoreError::NotADatabase(_)), "{err}");
    assert_eq!(std::fs::read(&path).unwrap(), content);
    assert!(!dir.path().join("notes.db-wal").exists());
}

#[test]
fn a_newer_schema_is_refused_untouched() {
    let dir = private_dir();
    let (path, s) = fresh(&dir);
    drop(s);
    {
        let c = raw(&path);
        c.pragma_update(None, "user_version", SCHEMA_VERSION + 1)
            .unwrap();
        c.pragma_update(None, "wal_checkpoint", "TRUNCATE").unwrap();
    }
    let before = std::fs::read(&path).unwrap();
    let err = store::open(&path, Create::No).err().unwrap();
    assert!(matches!(err, StoreError::NewerSchema { .. }), "{err}");
    assert!(err.to_string().contains("upgrade dutydesk"));
    assert_eq!(std::fs::read(&path).unwrap(), before);
}

#[test]
fn a_foreign_sqlite_file_and_an_empty_one_are_refused() {
    let dir = private_dir();
    let path = dir.path().join("other.db");
    raw(&path)
        .execute_batch("CREATE TABLE recipes (x)")
        .unwrap();
    assert!(matches!(
        store::open(&path, Create::IfMissing).err().unwrap(),
        StoreError::Foreign(_)
    ));
    let empty = dir.path().join("empty.db");
    std::fs::write(&empty, b"").unwrap();
    std::fs::set_permissions(&empty, std::os::unix::fs::PermissionsExt::from_mode(0o660)).unwrap();
    let err = store::open(&empty, Create::No).err().unwrap();
    assert!(matches!(err, StoreError::Uninitialised(_)), "{err}");
    assert_eq!(std::fs::read(&empty).unwrap(), b"");
}

#[test]
fn an_older_database_is_migrated_in_one_transaction() {
    let dir = private_dir();
    let (path, mut s) = fresh(&dir);
    let steps = [Migration {
        to: SCHEMA_VERSION + 1,
        sql: "CREATE TABLE pagers (id INTEGER PRIMARY KEY);
              ALTER TABLE staff ADD COLUMN pager TEXT;",
    }];
    let plan = Plan {
        version: SCHEMA_VERSION + 1,
        steps: &steps,
        ..PLAN
    };
    prepare_with(&mut s, Create::No, plan).unwrap();
    let c = raw(&path);
    let v: i64 = c
        .pragma_query_value(None, "user_version", |r| r.get(0))
        .unwrap();
    assert_eq!(v, SCHEMA_VERSION + 1);
    c.execute("UPDATE staff SET pager = '07700 900000'", [])
        .unwrap();
}

#[test]
fn a_failing_migration_leaves_the_database_as_it_was() {
    let dir = private_dir();
    let (path, mut s) = fresh(&dir);
    let steps = [Migration {
        to: SCHEMA_VERSION + 1,
        sql: "CREATE TABLE pagers (id INTEGER PRIMARY KEY);
              ALTER TABLE no_such_table ADD COLUMN x TEXT;",
    }];
    let plan = Plan {
        version: SCHEMA_VERSION + 1,
        steps: &steps,
        ..PLAN
    };
    assert!(prepare_with(&mut s, Create::No, plan).is_err());
    let c = raw(&path);
    let v: i64 = c
        .pragma_query_value(None, "user_version", |r| r.get(0))
        .unwrap();
    assert_eq!(v, SCHEMA_VERSION);
    let pagers: i64 = c
        .query_row(
            "SELECT count(*) FROM sqlite_master WHERE name = 'pagers'",
            [],
            |r| r.get(0),
        )
        .unwrap();
    assert_eq!(pagers, 0);
}

/// Every old schema kept in tests/fixtures, migrated, equals schema.sql.
#[test]
fn old_schemas_migrate_to_exactly_the_current_one() {
    let dir = private_dir();
    let (fresh_path, s) = fresh(&dir);
    drop(s);
    let shape = |c: &Connection| -> Vec<(String, String)> {
        let mut st = c
            .prepare("SELECT name, sql FROM sqlite_master WHERE sql IS NOT NULL ORDER BY name")
            .unwrap();
        st.query_map([], |r| Ok((r.get(0)?, r.get(1)?)))
            .unwrap()
            .map(Result::unwrap)
            .collect()
    };
    let want = shape(&raw(&fresh_path));
    let mut found = 0;
    for v in 1..SCHEMA_VERSION {
        let fixture = format!(
            "{}/tests/fixtures/schema-v{v}.sql",
            env!("CARGO_MANIFEST_DIR")
        );
        let sql = std::fs::read_to_string(&fixture)
            .unwrap_or_else(|_| panic!("{fixture} missing: keep every old schema"));
        let path = dir.path().join(format!("v{v}.db"));
        let c = raw(&path);
        c.execute_batch(&sql).unwrap();
        c.pragma_update(None, "user_version", v).unwrap();
        drop(c);
        drop(store::open(&path, Create::No).unwrap());
        assert_eq!(shape(&raw(&path)), want, "schema v{v} migrated differs");
        found += 1;
    }
    assert_eq!(found, SCHEMA_VERSION - 1);
}

#[test]
fn a_read_only_file_opens_read_only_and_refuses_writes() {
    let dir = private_dir();
    let (path, s) = fresh(&dir);
    drop(s);
    std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o440)).unwrap();
    let mut s = store::open(&path, Create::No).unwrap();
    assert!(s.read_only());
    let err = s
        .write("alice", now(), |w| w.audit("test", "x", None, None))
        .err()
        .unwrap();
    assert!(matches!(err, StoreError::ReadOnly));
}

#[test]
fn a_write_without_an_audit_row_is_rolled_back() {
    let dir = private_dir();
    let (path, mut s) = fresh(&dir);
    let err = s
        .write("alice", now(), |w| {
            w.tx().execute(
                "INSERT INTO settings (key, value) VALUES ('sneaky', '1')",
                [],
            )?;
            Ok(())
        })
        .err()
        .unwrap();
    assert!(err.to_string().contains("audit"));
    let n: i64 = raw(&path)
        .query_row(
            "SELECT count(*) FROM settings WHERE key = 'sneaky'",
            [],
            |r| r.get(0),
        )
        .unwrap();
    assert_eq!(n, 0);
}

#[test]
fn a_locked_database_gives_a_clear_error_not_a_hang() {
    let dir = private_dir();
    let (path, mut s) = fresh(&dir);
    let holder = raw(&path);
    holder.execute_batch("BEGIN IMMEDIATE").unwrap();
    let started = std::time::Instant::now();
    let err = s
        .write("alice", now(), |w| w.audit("test", "x", None, None))
        .err()
        .unwrap();
    assert!(matches!(err, StoreError::Locked), "{err}");
    assert!(err.to_string().contains("locked"));
    assert!(started.elapsed() < std::time::Duration::from_secs(10));
    holder.execute_batch("ROLLBACK").unwrap();
}

#[test]
fn audit_rows_are_append_only_and_chained() {
    let dir = private_dir();
    let (path, _s) = fresh(&dir);
    let c = raw(&path);
    assert_eq!(audit::first_broken(&c).unwrap(), None);
    let n: i64 = c
        .query_row("SELECT count(*) FROM audit_log", [], |r| r.get(0))
        .unwrap();
    assert!(n >= 3, "init wrote {n} audit rows");
    let upd = c.execute("UPDATE audit_log SET actor = 'mallory' WHERE id = 2", []);
    assert!(upd.unwrap_err().to_string().contains("append-only"));
    assert!(c.execute("DELETE FROM audit_log", []).is_err());
    // Even with the triggers dropped, tampering shows in the chain.
    c.execute_batch(
        "DROP TRIGGER audit_log_no_update; UPDATE audit_log SET actor = 'mallory' WHERE id = 2;",
    )
    .unwrap();
    assert_eq!(audit::first_broken(&c).unwrap(), Some(2));
}

#[test]
fn staff_changes_need_a_senior_lead() {
    let dir = private_dir();
    let (_path, mut s) = fresh(&dir);
    let add = |s: &mut Store, actor: &str, user: &str, role: Role| {
        s.write(actor, now(), |w| {
            staff::add(
                w,
                &NewStaff {
                    username: user,
                    display_name: "Some One",
                    role,
                },
            )
        })
    };
    add(&mut s, "alice", "vic", Role::Viewer).unwrap();
    let err = add(&mut s, "vic", "eve", Role::Dsl).err().unwrap();
    assert!(err.to_string().contains("only a senior lead may"), "{err}");
    let err = add(&mut s, "alice", "vic", Role::Dsl).err().unwrap();
    assert!(err.to_string().contains("already"), "{err}");
    let err = add(&mut s, "alice", "bad name", Role::Dsl).err().unwrap();
    assert!(err.to_string().contains("not an account name"), "{err}");
    s.write("alice", now(), |w| staff::deactivate(w, "vic"))
        .unwrap();
    let err = staff::authenticate(&s, "vic").err().unwrap();
    assert!(err.to_string().contains("deactivated"));
    let err = staff::authenticate(&s, "nobody").err().unwrap();
    assert!(
        err.to_string()
            .contains("not on this dutydesk's staff list")
    );
}

/// A temporary directory only its owner can list, as the desk requires of a
/// real database's directory.
fn private_dir() -> tempfile::TempDir {
    use std::os::unix::fs::PermissionsExt;
    let d = tempfile::tempdir().unwrap();
    std::fs::set_permissions(d.path(), std::fs::Permissions::from_mode(0o700)).unwrap();
    d
}

#[test]
fn a_database_open_to_everyone_is_refused_with_the_fix() {
    use std::os::unix::fs::PermissionsExt;
    let dir = private_dir();
    let (path, s) = fresh(&dir);
    drop(s);
    std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o644)).unwrap();
    let err = store::open(&path, Create::No).err().unwrap();
    assert!(matches!(err, StoreError::Unsafe(_)), "{err}");
    assert!(err.to_string().contains("chmod 660"), "{err}");
    std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o660)).unwrap();
    // A directory others can list is refused for real records...
    std::fs::set_permissions(dir.path(), std::fs::Permissions::from_mode(0o755)).unwrap();
    let err = store::open(&path, Create::No).err().unwrap();
    assert!(
        err.to_string().contains("can be listed by everyone"),
        "{err}"
    );
    // ...and one anyone can write to, always.
    std::fs::set_permissions(dir.path(), std::fs::Permissions::from_mode(0o777)).unwrap();
    let err = store::open(&path, Create::No).err().unwrap();
    assert!(err.to_string().contains("writable by everyone"), "{err}");
    std::fs::set_permissions(dir.path(), std::fs::Permissions::from_mode(0o700)).unwrap();
    assert!(store::open(&path, Create::No).is_ok());
}
