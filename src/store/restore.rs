//! Restore (issue 20, point 6): put a verified backup in place of the live
//! database, keeping the file it replaces, while nobody has it open.
//!
//! Step by step (`to_place`):
//! 1. the backup is read with the user's own permissions (a file they name,
//!    as for every import) into a new temporary file beside the database
//!    (`O_EXCL`, mode 0660, the directory's group), and checked there, read-
//!    only: `PRAGMA integrity_check`, a dutydesk schema no newer than this
//!    program's, the whole tamper check of `verify` (audit chain, gaps, what
//!    it covers, restrictions) when it is of the current schema, no demo mark
//!    over a real database, and the person restoring an active senior lead in
//!    it (they will be answerable for it);
//! 2. the live database is checkpointed and closed, and an exclusive lock is
//!    taken on the dead-man byte of its `-shm` file, the byte every open
//!    SQLite connection holds a shared lock on: if any session (a
//!    dashboard, the notifier, a command) has the database open, that fails
//!    and the restore is refused, naming one of them by process id. Held
//!    through the swap, the lock also keeps new sessions out;
//! 3. the live file is renamed to `<db>.replaced-<UTC time>` (kept, never
//!    removed), the checked copy renamed into its place, the directory
//!    flushed; the lock is released;
//! 4. the restore is written to the restored trail (action `restore`, the
//!    backup's path and the kept file's name) and a restore marker is
//!    appended to the anchor file (see `anchor::record_restore`), so
//!    `verify` checks the restored trail from there instead of reporting
//!    the rows that came after the backup as cut away.
//!
//! Why refuse open sessions instead of waiting for writers: a session that
//! keeps its connection across the swap would go on reading and writing the
//! replaced file (its inode), silently; the DSL's next note would be lost.

use super::{Result, StoreError};
use std::io::{Read, Write as _};
use std::os::unix::fs::{OpenOptionsExt, PermissionsExt};
use std::path::{Path, PathBuf};

fn refused(msg: impl Into<String>) -> StoreError {
    StoreError::Refused(msg.into())
}

fn io(path: &Path, source: std::io::Error) -> StoreError {
    StoreError::Io {
        path: path.to_path_buf(),
        source,
    }
}

/// A checked copy of a backup, beside the database, ready to be swapped in.
#[derive(Debug)]
pub struct Checked {
    /// The temporary file holding the copy (removed if the restore stops).
    pub temp: PathBuf,
    /// Audit rows in the copy.
    pub audit_rows: i64,
    /// The copy's schema version (older ones are migrated when first opened).
    pub schema: i64,
}

impl Drop for Checked {
    fn drop(&mut self) {
        let _ = std::fs::remove_file(&self.temp);
    }
}

/// Step 1: copies `backup` (read as the user) beside `db` and checks it for
/// `actor`, who must be an active senior lead in it. `db_is_demo`: whether
/// the live database is a demo (a demo copy may not replace a real desk,
/// since the demo mark lets `DUTYDESK_USER` and `DUTYDESK_NOW` in).
///
/// Errors: a refusal naming what failed (not a dutydesk database, a newer
/// schema, integrity, the trail, the demo mark, the actor), nothing left
/// behind; an I/O error naming the path.
pub fn check(db: &Path, backup: &Path, actor: &str, db_is_demo: bool) -> Result<Checked> {
    let dir = db
        .parent()
        .filter(|d| !d.as_os_str().is_empty())
        .unwrap_or(Path::new("."));
    let mut src = super::files::open_as_user(backup).map_err(|e| {
        refused(format!(
            "cannot read the backup {}: {e}; give the path of a backup you made (`dutydesk backup`)",
            backup.display()
        ))
    })?;
    let temp = dir.join(format!(
        ".dutydesk-restore-{}-{}.tmp",
        std::process::id(),
        chrono::Utc::now().timestamp_nanos_opt().unwrap_or_default()
    ));
    let mut out = std::fs::OpenOptions::new()
        .write(true)
        .create_new(true)
        .mode(0o660)
        .custom_flags(libc::O_NOFOLLOW)
        .open(&temp)
        .map_err(|e| io(&temp, e))?;
    let mut checked = Checked {
        temp: temp.clone(),
        audit_rows: 0,
        schema: 0,
    };
    let mut head = [0u8; 16];
    let n = src.read(&mut head).map_err(|e| io(backup, e))?;
    if n < 16 || &head != b"SQLite format 3\0" {
        return Err(refused(format!(
            "{} is not a dutydesk backup (not an SQLite file); nothing was changed",
            backup.display()
        )));
    }
    out.write_all(&head).map_err(|e| io(&temp, e))?;
    std::io::copy(&mut src, &mut out).map_err(|e| io(&temp, e))?;
    // The umask may have narrowed it: 0660, as every database.
    out.set_permissions(std::fs::Permissions::from_mode(0o660))
        .map_err(|e| io(&temp, e))?;
    out.sync_all().map_err(|e| io(&temp, e))?;
    drop(out);
    let uri = format!("file:{}?mode=ro&immutable=1", temp.display());
    let conn = rusqlite::Connection::open_with_flags(
        uri,
        rusqlite::OpenFlags::SQLITE_OPEN_READ_ONLY
            | rusqlite::OpenFlags::SQLITE_OPEN_URI
            | rusqlite::OpenFlags::SQLITE_OPEN_NO_MUTEX,
    )
    .map_err(|e| refused(format!("the backup cannot be opened: {e}")))?;
    let bad = |what: String| {
        refused(format!(
            "the backup {} failed its check ({what}); nothing was changed",
            backup.display()
        ))
    };
    let integrity: String = conn
        .query_row("PRAGMA integrity_check", [], |r| r.get(0))
        .map_err(|e| bad(e.to_string()))?;
    if integrity != "ok" {
        return Err(bad(format!("integrity: {integrity}")));
    }
    let schema: i64 = conn
        .pragma_query_value(None, "user_version", |r| r.get(0))
        .map_err(|e| bad(e.to_string()))?;
    let known = super::migrate::SCHEMA_VERSION;
    if schema < 1 {
        return Err(bad("not a dutydesk database".into()));
    }
    if schema > known {
        return Err(bad(format!(
            "schema {schema} is newer than this dutydesk's {known}: restore it with the dutydesk that made it"
        )));
    }
    if schema == known {
        let report = super::audit::verify_as(&conn, None).map_err(|e| bad(e.to_string()))?;
        if let Some(p) = report.problems.first() {
            return Err(bad(format!(
                "{p}{}",
                if report.problems.len() > 1 {
                    format!(" and {} more problem(s)", report.problems.len() - 1)
                } else {
                    String::new()
                }
            )));
        }
    } else if let Some(row) = super::audit::first_broken(&conn).map_err(|e| bad(e.to_string()))? {
        return Err(bad(format!("audit trail broken at row {row}")));
    }
    let demo: bool = conn
        .query_row(
            "SELECT count(*) FROM settings WHERE key = 'demo' AND value = '1'",
            [],
            |r| r.get::<_, i64>(0),
        )
        .map_err(|e| bad(e.to_string()))?
        > 0;
    if demo && !db_is_demo {
        return Err(bad(
            "it is a demo database, marked to let DUTYDESK_USER and DUTYDESK_NOW in; it may not replace real records".into(),
        ));
    }
    let senior: bool = conn
        .query_row(
            "SELECT count(*) FROM staff WHERE username = ?1 AND active = 1 AND role = 'senior'",
            [actor],
            |r| r.get::<_, i64>(0),
        )
        .map_err(|e| bad(e.to_string()))?
        > 0;
    if !senior {
        return Err(refused(format!(
            "{actor} is not an active senior lead in the backup {}: only a senior lead of the desk being restored may restore it; nothing was changed",
            backup.display()
        )));
    }
    let audit_rows = conn
        .query_row("SELECT count(*) FROM audit_log", [], |r| r.get(0))
        .map_err(|e| bad(e.to_string()))?;
    checked.audit_rows = audit_rows;
    checked.schema = schema;
    Ok(checked)
}

/// A lock on the dead-man byte of `<db>-shm`, held while the files are swapped.
struct Exclusive {
    _file: std::fs::File,
}

/// SQLite's unix VFS: every connection to a WAL database holds a shared
/// lock on this byte of the `-shm` file while it is open
/// (`WALINDEX_LOCK_OFFSET` 120 + `SQLITE_SHM_NLOCK` 8).
const SHM_DMS: i64 = 128;

/// Step 2's lock: `Ok` when nobody has the database open (and keeps them
/// out while held); a refusal naming a process that has it open.
fn exclusive(db: &Path) -> Result<Option<Exclusive>> {
    let mut shm = db.as_os_str().to_owned();
    shm.push("-shm");
    let shm = PathBuf::from(shm);
    let file = match std::fs::OpenOptions::new()
        .read(true)
        .write(true)
        .custom_flags(libc::O_NOFOLLOW)
        .open(&shm)
    {
        Ok(f) => f,
        // No -shm: no connection in WAL mode has it open.
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(None),
        Err(e) => return Err(io(&shm, e)),
    };
    let mut lock = libc::flock {
        l_type: libc::F_WRLCK as libc::c_short,
        l_whence: libc::SEEK_SET as libc::c_short,
        l_start: SHM_DMS as libc::off_t,
        l_len: 1,
        l_pid: 0,
    };
    use std::os::fd::AsRawFd;
    // SAFETY: a valid fd and a filled-in flock structure.
    if unsafe { libc::fcntl(file.as_raw_fd(), libc::F_SETLK, &lock) } == 0 {
        return Ok(Some(Exclusive { _file: file }));
    }
    // Who holds it, for the message.
    // SAFETY: as above; F_GETLK fills the structure in.
    unsafe { libc::fcntl(file.as_raw_fd(), libc::F_GETLK, &mut lock) };
    Err(refused(format!(
        "the database is open in another session (process {}): ask everyone to quit dutydesk, stop the notifier (`systemctl stop dutydesk-notifier`) and the timers, then restore; nothing was changed",
        lock.l_pid
    )))
}

/// What a restore did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Placed {
    /// Where the replaced database was kept.
    pub kept: PathBuf,
}

/// Steps 2 and 3: with the live database closed by the caller, takes the
/// lock, keeps the live file as `<db>.replaced-<UTC time>` and puts the
/// checked copy in its place. `now` names the kept file.
///
/// Errors: a refusal while any session has the database open or when a
/// `-wal` still holds changes (open it once with dutydesk and try again);
/// an I/O error naming the path (nothing is moved unless both renames can be
/// made: the kept file is put back if the second fails).
pub fn place(db: &Path, checked: &Checked, now: chrono::DateTime<chrono::Utc>) -> Result<Placed> {
    let lock = exclusive(db)?;
    let with = |suffix: &str| {
        let mut p = db.as_os_str().to_owned();
        p.push(suffix);
        PathBuf::from(p)
    };
    let wal = with("-wal");
    if std::fs::metadata(&wal).is_ok_and(|m| m.len() > 0) {
        return Err(refused(format!(
            "{} still holds changes not yet in the database: open it once (`dutydesk verify`) and restore again; nothing was changed",
            wal.display()
        )));
    }
    let kept = with(&format!(".replaced-{}", now.format("%Y%m%dT%H%M%SZ")));
    if kept.exists() {
        return Err(refused(format!(
            "{} exists already: wait a second and restore again",
            kept.display()
        )));
    }
    if db.exists() {
        std::fs::rename(db, &kept).map_err(|e| io(db, e))?;
    }
    if let Err(e) = std::fs::rename(&checked.temp, db) {
        let _ = std::fs::rename(&kept, db);
        return Err(io(db, e));
    }
    let _ = std::fs::remove_file(&wal);
    if let Some(dir) = db.parent().filter(|d| !d.as_os_str().is_empty())
        && let Ok(d) = std::fs::File::open(dir)
    {
        let _ = d.sync_all();
    }
    drop(lock);
    Ok(Placed { kept })
}

/// Writes every change held in the `-wal` into the database file, so the
/// file kept by a restore is whole on its own. Called on the live database
/// just before it is closed and replaced.
pub fn checkpoint(store: &super::Store) -> Result<()> {
    store
        .conn()
        .execute_batch("PRAGMA wal_checkpoint(TRUNCATE);")?;
    Ok(())
}
