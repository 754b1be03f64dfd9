//! `dutydesk restore BACKUP` (issue 20, point 6): a round trip through a
//! backup, refusals (a session has the database open, not a senior lead, a
//! damaged copy) that change nothing, the replaced file kept, the restore in
//! the trail, and `verify` clean afterwards although anchors were recorded
//! past the backup.

mod common;

use std::path::Path;
use std::process::Command;

fn dd(db: &Path, user: &str, args: &[&str]) -> (i32, String, String) {
    let o = Command::new(env!("CARGO_BIN_EXE_dutydesk"))
        .env("DUTYDESK_DB", db)
        .env("DUTYDESK_USER", user)
        .env("DUTYDESK_CONFIG", "/dev/null")
        .env("DUTYDESK_SYSTEM_CONFIG", "/dev/null")
        .env_remove("DUTYDESK_NOW")
        .args(args)
        .output()
        .unwrap();
    (
        o.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&o.stdout).into_owned(),
        String::from_utf8_lossy(&o.stderr).into_owned(),
    )
}

fn new_case(db: &Path, name: &str) -> String {
    let (code, out, err) = dd(
        db,
        "bob",
        &[
            "new",
            "--subject",
            "adult",
            "--name",
            name,
            "--area",
            "Rutland",
            "--category",
            "neglect",
            "--risk",
            "low",
            "--summary",
            "found without food",
        ],
    );
    assert_eq!(code, 0, "{err}");
    out.trim().to_string()
}

fn count(db: &Path, sql: &str) -> i64 {
    rusqlite::Connection::open(db)
        .unwrap()
        .query_row(sql, [], |r| r.get(0))
        .unwrap()
}

#[test]
fn a_backup_comes_back_whole_and_nothing_is_lost_on_the_way() {
    let dir = common::private_dir();
    let db = dir.path().join("desk.db");
    common::desk_db(
        &db,
        "Restore Test Partnership",
        &[
            ("alice", "Alice Senior", "senior"),
            ("bob", "Bob Dsl", "dsl"),
        ],
        common::now(),
    );
    let kept_case = new_case(&db, "Ada Before");
    let backups = dir.path().join("backups");
    std::fs::create_dir(&backups).unwrap();
    let copy = backups.join("desk-backup.db");
    let (code, _, err) = dd(&db, "alice", &["backup", copy.to_str().unwrap()]);
    assert_eq!(code, 0, "{err}");
    // Work goes on after the backup, and its head is anchored.
    let later = new_case(&db, "Bea After");
    let (code, _, err) = dd(&db, "alice", &["anchor"]);
    assert_eq!(code, 0, "{err}");
    let before = std::fs::read(&db).unwrap();

    // A session with the database open: refused, nothing changed.
    let holder = dutydesk::store::open(&db, dutydesk::store::Create::No).unwrap();
    let (code, _, err) = dd(&db, "alice", &["restore", copy.to_str().unwrap()]);
    assert_eq!(code, 1, "{err}");
    assert!(
        err.contains("open in another session") && err.contains(&std::process::id().to_string()),
        "{err}"
    );
    drop(holder);
    // Not a senior lead: refused.
    let (code, _, err) = dd(&db, "bob", &["restore", copy.to_str().unwrap()]);
    assert_eq!(code, 1, "{err}");
    assert!(err.contains("only a senior lead"), "{err}");
    // A damaged copy: refused, nothing left behind.
    let damaged = backups.join("damaged.db");
    let mut bytes = std::fs::read(&copy).unwrap();
    let n = bytes.len();
    for b in bytes.iter_mut().skip(n / 4).take(n / 2) {
        *b ^= 0x5A;
    }
    std::fs::write(&damaged, &bytes).unwrap();
    let (code, _, err) = dd(&db, "alice", &["restore", damaged.to_str().unwrap()]);
    assert_eq!(code, 1, "{err}");
    assert!(err.contains("failed its check"), "{err}");
    // Not a database at all.
    let text = backups.join("notes.txt");
    std::fs::write(&text, "not a backup").unwrap();
    let (code, _, err) = dd(&db, "alice", &["restore", text.to_str().unwrap()]);
    assert_eq!(code, 1, "{err}");
    assert!(err.contains("not a dutydesk backup"), "{err}");
    let (code, out, _) = dd(&db, "alice", &["list", "--status", "all"]);
    assert_eq!(code, 0);
    assert!(
        out.contains(&later),
        "nothing changed by the refusals: {out}"
    );
    let leftovers: Vec<String> = std::fs::read_dir(dir.path())
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|n| n.contains("restore") || n.contains("replaced"))
        .collect();
    assert!(leftovers.is_empty(), "{leftovers:?}");
    let _ = before;

    // The restore itself.
    let (code, out, err) = dd(&db, "alice", &["restore", copy.to_str().unwrap()]);
    assert_eq!(code, 0, "{err}");
    assert!(out.contains("kept as"), "{out}");
    let kept: Vec<_> = std::fs::read_dir(dir.path())
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.to_string_lossy().contains("desk.db.replaced-"))
        .collect();
    assert_eq!(kept.len(), 1, "the replaced file is kept");
    assert_eq!(
        count(
            &kept[0],
            &format!("SELECT count(*) FROM escalations WHERE reference = '{later}'")
        ),
        1,
        "the kept file holds the work done after the backup"
    );
    use std::os::unix::fs::PermissionsExt;
    assert_eq!(
        std::fs::metadata(&db).unwrap().permissions().mode() & 0o777,
        0o660
    );
    let (code, out, _) = dd(&db, "alice", &["list", "--status", "all"]);
    assert_eq!(code, 0);
    assert!(out.contains(&kept_case), "{out}");
    assert!(
        !out.contains(&later),
        "the restored desk is the backup's: {out}"
    );
    assert_eq!(
        count(
            &db,
            "SELECT count(*) FROM audit_log WHERE action = 'restore' AND actor = 'alice'"
        ),
        1
    );
    // The trail is shorter than the anchor recorded after the backup, but
    // the restore marker starts the check again: verify is clean.
    let (code, out, err) = dd(&db, "alice", &["verify"]);
    assert_eq!(code, 0, "{out}{err}");
    let anchors = std::fs::read_to_string(format!("{}.anchors", db.display())).unwrap();
    assert!(anchors.contains(" restore id="), "{anchors}");
    // Work goes on on the restored desk.
    new_case(&db, "Cy Afterwards");
    let (code, out, err) = dd(&db, "alice", &["verify"]);
    assert_eq!(code, 0, "{out}{err}");
}
