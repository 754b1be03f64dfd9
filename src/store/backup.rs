//! Backups: a verified, consistent copy for senior leads, written so that no
//! partial or foreign file ever stands at the destination.
//!
//! A backup is the whole database, restricted records and exact words
//! included, so only a senior lead (who may see every record) may make one,
//! and the copy is created readable by its maker alone (0600). The copy is
//! made by `VACUUM INTO`: one read transaction, so other sessions keep
//! writing (WAL) and their commits never restart it, as each one restarted
//! the page-by-page online backup. Step by step:
//! 1. the destination's directory is opened without following a symlink
//!    (refused if it is one) and every later step works inside that open
//!    directory, so it cannot be swapped mid-way; the destination must not
//!    exist at all (a file, a directory, a symlink, dangling or not);
//! 2. temporary files left in that directory by a killed backup
//!    (`.dutydesk-backup-*.tmp`, no longer locked by a running one) are
//!    removed, and reported;
//! 3. a new temporary file is created there (`O_CREAT|O_EXCL|O_NOFOLLOW`,
//!    0600) and locked, and SQLite writes the copy into that very file
//!    (through `/proc/self/fd`, so a name swapped in meanwhile cannot
//!    redirect it);
//! 4. the copy is checked (`PRAGMA integrity_check`, the audit chain, the
//!    schema version) and flushed to disk;
//! 5. it is renamed to the destination without replacing anything
//!    (`renameat2(RENAME_NOREPLACE)`, else a hard link), the directory is
//!    flushed, and the backup is written to the audit trail. If that last
//!    write fails the copy is removed again: no backup goes unaudited.
//!
//! A backup killed at any point leaves at most its temporary file, which the
//! next backup into that directory removes; the destination name appears
//! only once the copy is complete and verified.

use super::{Result, Store, StoreError};
use crate::domain::staff::Role;
use chrono::{DateTime, Utc};
use std::ffi::{CString, OsStr};
use std::fs::File;
use std::os::fd::{AsRawFd, FromRawFd, OwnedFd};
use std::os::unix::ffi::OsStrExt;
use std::path::{Path, PathBuf};

/// Temporary files of a backup in progress (or killed) start with this.
pub const TEMP_PREFIX: &str = ".dutydesk-backup-";
/// ... and end with this.
pub const TEMP_SUFFIX: &str = ".tmp";

/// What a backup did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Done {
    /// The verified copy.
    pub dest: PathBuf,
    /// Audit rows in the copy, its chain unbroken.
    pub audit_rows: i64,
    /// Temporary files of killed backups, removed from the directory.
    pub removed: Vec<PathBuf>,
    /// Temporary files that look like a backup's but were left alone (not
    /// this account's, or not a plain file), for the user to look at.
    pub left: Vec<PathBuf>,
}

/// Who may make a backup: senior leads, who may see every record in it
/// (issue 14: a backup is the whole database).
pub fn may_back_up(role: Role) -> bool {
    role == Role::Senior
}

fn refused(msg: String) -> StoreError {
    StoreError::Refused(msg)
}

fn io(path: &Path, source: std::io::Error) -> StoreError {
    StoreError::Io {
        path: path.to_path_buf(),
        source,
    }
}

fn cstr(name: &OsStr) -> Result<CString> {
    CString::new(name.as_bytes()).map_err(|_| refused("a file name cannot hold a NUL byte".into()))
}

/// The last OS error, as `std::io::Error`.
fn last() -> std::io::Error {
    std::io::Error::last_os_error()
}

/// Copies the database to `dest` for `actor` at `now` (see the module doc),
/// and records the backup in the audit trail (action `backup`, the
/// destination as detail).
///
/// Errors: a refusal for anyone but an active senior lead, on a read-only
/// database (the backup could not be audited), for a destination that exists
/// in any form or whose directory is a symlink or not a directory; an I/O
/// error naming the path; a refusal when the copy fails its checks. Nothing
/// is left at `dest` whenever it fails.
pub fn to(store: &mut Store, actor: &str, now: DateTime<Utc>, dest: &Path) -> Result<Done> {
    let me = super::staff::find(store, actor)?
        .filter(|s| s.active)
        .ok_or_else(|| refused(format!("{actor} is not active staff")))?;
    if !may_back_up(me.role) {
        return Err(refused(
            "only a senior lead may back up the database (a backup holds every record); ask a senior lead"
                .into(),
        ));
    }
    copy_to(store, actor, now, dest)
}

/// The same copy, made by the service account the system file's `[backup]
/// account` names (the nightly timer's `User=`): the caller has checked that
/// the OS account running is that one. Root alone writes the system file, so
/// this is the administrator's decision, as for the notifier's account; the
/// account is on no staff list, sees no record, and the copy is its own
/// (mode 0600 in its own 0700 directory). Audited with the account's name.
pub fn to_by_service(
    store: &mut Store,
    account: &str,
    now: DateTime<Utc>,
    dest: &Path,
) -> Result<Done> {
    copy_to(store, account, now, dest)
}

fn copy_to(store: &mut Store, actor: &str, now: DateTime<Utc>, dest: &Path) -> Result<Done> {
    if store.read_only() {
        return Err(refused(
            "the database is read-only for you, so the backup could not be audited; run it as a senior lead who can write to it"
                .into(),
        ));
    }
    let (dir_path, name) = split(dest)?;
    let dir = open_dir(&dir_path)?;
    let name_c = cstr(&name)?;
    if exists_at(&dir, &name_c) {
        return Err(refused(format!(
            "{} exists (as a file, directory or symlink): choose a new name; a backup never replaces anything",
            dest.display()
        )));
    }
    let (removed, left) = sweep(&dir, &dir_path);
    let temp_name = format!(
        "{TEMP_PREFIX}{}-{}{TEMP_SUFFIX}",
        std::process::id(),
        now.timestamp_nanos_opt().unwrap_or_default() ^ i64::from(std::process::id())
    );
    let temp_c = cstr(OsStr::new(&temp_name))?;
    let temp_path = dir_path.join(&temp_name);
    let file = create_locked(&dir, &temp_c, &temp_path)?;
    let outcome = copy_and_place(store, &dir, &file, &temp_c, &temp_path, &name_c, dest);
    let audit_rows = match outcome {
        Ok(n) => n,
        Err(e) => {
            // SAFETY: unlinking a name inside the directory we hold open.
            unsafe { libc::unlinkat(dir.as_raw_fd(), temp_c.as_ptr(), 0) };
            return Err(e);
        }
    };
    let detail = dest.display().to_string();
    if let Err(e) = store.write(actor, now, |w| {
        w.audit("backup", "database", None, Some(&detail))
    }) {
        // SAFETY: unlinking the name this backup just placed.
        unsafe { libc::unlinkat(dir.as_raw_fd(), name_c.as_ptr(), 0) };
        return Err(e);
    }
    Ok(Done {
        dest: dest.to_path_buf(),
        audit_rows,
        removed,
        left,
    })
}

/// The directory (as given; `.` for a bare name) and the file name.
fn split(dest: &Path) -> Result<(PathBuf, std::ffi::OsString)> {
    let name = match dest.file_name() {
        Some(n) if !dest.as_os_str().as_bytes().ends_with(b"/") => n.to_os_string(),
        _ => {
            return Err(refused(format!(
                "{} is not a file name: give the new backup file's path, e.g. /var/backups/dutydesk/monday.db",
                dest.display()
            )));
        }
    };
    let dir = match dest.parent() {
        Some(p) if !p.as_os_str().is_empty() => p.to_path_buf(),
        _ => PathBuf::from("."),
    };
    Ok((dir, name))
}

/// Opens the destination directory itself, refusing a symlink in its place.
fn open_dir(dir: &Path) -> Result<OwnedFd> {
    let c = cstr(dir.as_os_str())?;
    // SAFETY: `c` is a valid NUL-terminated path; the fd is owned below.
    let fd = unsafe {
        libc::open(
            c.as_ptr(),
            libc::O_RDONLY | libc::O_DIRECTORY | libc::O_NOFOLLOW | libc::O_CLOEXEC,
        )
    };
    if fd < 0 {
        let e = last();
        let symlink = std::fs::symlink_metadata(dir).is_ok_and(|m| m.file_type().is_symlink());
        return Err(match e.raw_os_error() {
            Some(libc::ELOOP | libc::ENOTDIR) if symlink => refused(format!(
                "the destination directory {} is a symlink: give the directory's real path{}",
                dir.display(),
                std::fs::canonicalize(dir)
                    .map(|p| format!(" ({})", p.display()))
                    .unwrap_or_default()
            )),
            Some(libc::ENOTDIR) => refused(format!("{} is not a directory", dir.display())),
            _ => io(dir, e),
        });
    }
    // SAFETY: `fd` was just opened and is owned by no one else.
    Ok(unsafe { OwnedFd::from_raw_fd(fd) })
}

/// Whether anything (even a dangling symlink) is called `name` in `dir`.
fn exists_at(dir: &OwnedFd, name: &CString) -> bool {
    let mut st = std::mem::MaybeUninit::<libc::stat>::uninit();
    // SAFETY: valid fd, NUL-terminated name, a buffer for the result.
    unsafe {
        libc::fstatat(
            dir.as_raw_fd(),
            name.as_ptr(),
            st.as_mut_ptr(),
            libc::AT_SYMLINK_NOFOLLOW,
        ) == 0
    }
}

/// The path SQLite can open for a file descriptor we hold: the very file,
/// whatever its name now points to.
fn fd_path(fd: &impl AsRawFd) -> PathBuf {
    PathBuf::from(format!("/proc/self/fd/{}", fd.as_raw_fd()))
}

/// Removes the temporary files of killed backups from `dir`: plain files of
/// this account whose lock no running backup holds. Others are listed.
fn sweep(dir: &OwnedFd, dir_path: &Path) -> (Vec<PathBuf>, Vec<PathBuf>) {
    let (mut removed, mut left) = (Vec::new(), Vec::new());
    let listing = std::fs::read_dir(fd_path(dir)).or_else(|_| std::fs::read_dir(dir_path));
    let Ok(listing) = listing else {
        return (removed, left);
    };
    // SAFETY: getuid cannot fail.
    let uid = unsafe { libc::getuid() };
    for entry in listing.flatten() {
        let name = entry.file_name();
        let text = name.to_string_lossy();
        if !text.starts_with(TEMP_PREFIX) || !text.ends_with(TEMP_SUFFIX) {
            continue;
        }
        let path = dir_path.join(&name);
        let Ok(c) = cstr(&name) else { continue };
        // SAFETY: valid fd and name; the fd is owned below.
        let fd = unsafe {
            libc::openat(
                dir.as_raw_fd(),
                c.as_ptr(),
                libc::O_RDONLY | libc::O_NOFOLLOW | libc::O_NONBLOCK | libc::O_CLOEXEC,
            )
        };
        if fd < 0 {
            left.push(path);
            continue;
        }
        // SAFETY: just opened, owned by no one else.
        let f = File::from(unsafe { OwnedFd::from_raw_fd(fd) });
        let ours = f.metadata().is_ok_and(|m| {
            use std::os::unix::fs::MetadataExt;
            m.is_file() && m.uid() == uid
        });
        if !ours {
            left.push(path);
            continue;
        }
        // SAFETY: flock on an fd we own. A running backup holds its lock.
        if unsafe { libc::flock(f.as_raw_fd(), libc::LOCK_EX | libc::LOCK_NB) } != 0 {
            continue;
        }
        // SAFETY: unlinking a name inside the directory we hold open.
        if unsafe { libc::unlinkat(dir.as_raw_fd(), c.as_ptr(), 0) } == 0 {
            removed.push(path);
        } else {
            left.push(path);
        }
    }
    (removed, left)
}

/// Creates the temporary file: new, not through a symlink, 0600 whatever the
/// umask, and locked so a concurrent backup's sweep leaves it alone.
fn create_locked(dir: &OwnedFd, name: &CString, path: &Path) -> Result<File> {
    // SAFETY: valid fd and name; the fd is owned below.
    let fd = unsafe {
        libc::openat(
            dir.as_raw_fd(),
            name.as_ptr(),
            libc::O_RDWR | libc::O_CREAT | libc::O_EXCL | libc::O_NOFOLLOW | libc::O_CLOEXEC,
            0o600 as libc::c_uint,
        )
    };
    if fd < 0 {
        return Err(StoreError::Create {
            path: path.to_path_buf(),
            source: last(),
        });
    }
    // SAFETY: just opened, owned by no one else.
    let f = File::from(unsafe { OwnedFd::from_raw_fd(fd) });
    // SAFETY: plain calls on an fd we own.
    unsafe {
        if libc::fchmod(f.as_raw_fd(), 0o600) != 0 || libc::flock(f.as_raw_fd(), libc::LOCK_EX) != 0
        {
            return Err(io(path, last()));
        }
    }
    Ok(f)
}

/// Writes the copy into `file`, checks it, flushes it and renames it to
/// `name`; returns how many audit rows the copy holds.
fn copy_and_place(
    store: &Store,
    dir: &OwnedFd,
    file: &File,
    temp: &CString,
    temp_path: &Path,
    name: &CString,
    dest: &Path,
) -> Result<i64> {
    // The copy goes into the file we created and hold; where /proc is not
    // mounted, into its name, checked to be that file afterwards.
    let proc_path = fd_path(file);
    let target = if proc_path.exists() {
        proc_path.clone()
    } else {
        std::fs::canonicalize(temp_path.parent().unwrap_or(Path::new(".")))
            .map_err(|e| io(temp_path, e))?
            .join(temp_path.file_name().unwrap_or_default())
    };
    store
        .conn()
        .execute("VACUUM main INTO ?1", [target.to_string_lossy()])
        .map_err(|e| refused(format!("the copy could not be made: {e}")))?;
    if !same_file(dir, temp, file) {
        return Err(refused(format!(
            "{} was replaced while the copy was written; nothing was kept",
            temp_path.display()
        )));
    }
    let audit_rows = check_copy(store, &target)?;
    file.sync_all().map_err(|e| io(temp_path, e))?;
    place(dir, temp, name, dest)?;
    // SAFETY: fsync on the directory fd we own, so the new name is durable.
    unsafe { libc::fsync(dir.as_raw_fd()) };
    Ok(audit_rows)
}

/// Whether `name` in `dir` is still the file we hold (same device and inode,
/// not a symlink).
fn same_file(dir: &OwnedFd, name: &CString, file: &File) -> bool {
    use std::os::unix::fs::MetadataExt;
    let Ok(m) = file.metadata() else { return false };
    let mut st = std::mem::MaybeUninit::<libc::stat>::uninit();
    // SAFETY: valid fd, NUL-terminated name, a buffer for the result.
    let ok = unsafe {
        libc::fstatat(
            dir.as_raw_fd(),
            name.as_ptr(),
            st.as_mut_ptr(),
            libc::AT_SYMLINK_NOFOLLOW,
        ) == 0
    };
    if !ok {
        return false;
    }
    // SAFETY: fstatat succeeded, so the buffer is filled.
    let st = unsafe { st.assume_init() };
    // The field types differ between targets; u64 holds them all.
    #[allow(clippy::unnecessary_cast)]
    let same = st.st_dev as u64 == m.dev() && st.st_ino as u64 == m.ino();
    same
}

/// The copy's integrity, audit chain and schema version; read-only and
/// immutable, so no journal or lock file is made beside it.
fn check_copy(store: &Store, copy: &Path) -> Result<i64> {
    let uri = format!("file:{}?mode=ro&immutable=1", copy.display());
    let conn = rusqlite::Connection::open_with_flags(
        uri,
        rusqlite::OpenFlags::SQLITE_OPEN_READ_ONLY
            | rusqlite::OpenFlags::SQLITE_OPEN_URI
            | rusqlite::OpenFlags::SQLITE_OPEN_NO_MUTEX,
    )
    .map_err(|e| refused(format!("the copy cannot be opened to check it: {e}")))?;
    let bad = |what: String| {
        refused(format!(
            "the copy failed its check ({what}); nothing was kept"
        ))
    };
    let integrity: String = conn
        .query_row("PRAGMA integrity_check", [], |r| r.get(0))
        .map_err(|e| bad(e.to_string()))?;
    if integrity != "ok" {
        return Err(bad(format!("integrity: {integrity}")));
    }
    if let Some(row) = super::audit::first_broken(&conn).map_err(|e| bad(e.to_string()))? {
        return Err(bad(format!("audit trail broken at row {row}")));
    }
    let version = |c: &rusqlite::Connection| -> Result<i64> {
        Ok(c.pragma_query_value(None, "user_version", |r| r.get(0))?)
    };
    if version(&conn)? != version(store.conn())? {
        return Err(bad("schema version differs".into()));
    }
    Ok(conn.query_row("SELECT count(*) FROM audit_log", [], |r| r.get(0))?)
}

/// Renames `temp` to `name` in `dir` without ever replacing anything.
fn place(dir: &OwnedFd, temp: &CString, name: &CString, dest: &Path) -> Result<()> {
    let d = dir.as_raw_fd();
    // SAFETY: valid fds and NUL-terminated names.
    let rc = unsafe {
        libc::syscall(
            libc::SYS_renameat2,
            d,
            temp.as_ptr(),
            d,
            name.as_ptr(),
            libc::RENAME_NOREPLACE,
        )
    };
    if rc == 0 {
        return Ok(());
    }
    let e = last();
    let exists = || {
        refused(format!(
            "{} appeared while the copy was made: nothing was replaced; choose a new name",
            dest.display()
        ))
    };
    match e.raw_os_error() {
        Some(libc::EEXIST) => Err(exists()),
        // A filesystem without RENAME_NOREPLACE: a hard link also never
        // replaces an existing name.
        Some(libc::EINVAL | libc::ENOSYS) => {
            // SAFETY: valid fds and names.
            if unsafe { libc::linkat(d, temp.as_ptr(), d, name.as_ptr(), 0) } != 0 {
                let e = last();
                return Err(if e.raw_os_error() == Some(libc::EEXIST) {
                    exists()
                } else {
                    io(dest, e)
                });
            }
            // SAFETY: the copy now has its real name; drop the temporary one.
            unsafe { libc::unlinkat(d, temp.as_ptr(), 0) };
            Ok(())
        }
        _ => Err(io(dest, e)),
    }
}
