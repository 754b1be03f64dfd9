//! Where the database may live. Safeguarding records on a shared host must not
//! be readable by everyone, replaceable by anyone, or on a network filesystem
//! (whose locking SQLite cannot trust). Each refusal says how to fix it.

use std::io::{self, Read};
use std::os::unix::fs::{MetadataExt, PermissionsExt};
use std::path::{Path, PathBuf};

/// Filesystems whose locks SQLite cannot rely on (statfs f_type).
const NETWORK_FS: &[(i64, &str)] = &[
    (0x6969, "NFS"),
    (0x517B, "SMB"),
    (0xFF53_4D42, "CIFS"),
    (0xFE53_4D42, "SMB2"),
    (0x0102_1997, "9P"),
    (0x5346_414F, "AFS"),
    (0x00C3_6400, "Ceph"),
    (0x0BD0_0BD0, "Lustre"),
];

/// The directory a database path lives in.
fn dir_of(path: &Path) -> &Path {
    match path.parent() {
        Some(p) if !p.as_os_str().is_empty() => p,
        _ => Path::new("."),
    }
}

/// The network filesystem `dir` is on, if it is on one.
pub fn network_fs(dir: &Path) -> Option<&'static str> {
    let c = std::ffi::CString::new(dir.as_os_str().as_encoded_bytes()).ok()?;
    let mut s: libc::statfs = unsafe { std::mem::zeroed() };
    // SAFETY: `c` is a valid NUL-terminated path and `s` a valid out-pointer.
    if unsafe { libc::statfs(c.as_ptr(), &mut s) } != 0 {
        return None;
    }
    let t = s.f_type as i64;
    NETWORK_FS.iter().find(|(m, _)| *m == t).map(|(_, n)| *n)
}

/// The SQLite files that sit beside a database in WAL mode and hold its
/// latest changes, record text included.
pub const SIDECARS: [&str; 2] = ["-wal", "-shm"];

/// `path` with `suffix` appended ("desk.db" + "-wal").
pub fn sidecar(path: &Path, suffix: &str) -> PathBuf {
    let mut p = path.as_os_str().to_owned();
    p.push(suffix);
    PathBuf::from(p)
}

/// Checks before opening any database, demo or real: neither the file, its
/// sidecars nor its directory is open to everyone, and none is on a network
/// filesystem. `demo`: a demo may live in an ordinary working directory that
/// others can list, or share with a group; real records must pass
/// [`problems`] in full. The first problem found, with its fix.
pub fn check(path: &Path, demo: bool) -> Result<(), String> {
    match problems(path, demo).into_iter().next() {
        Some(p) => Err(p),
        None => Ok(()),
    }
}

/// Every problem with where the database at `path` lives, each with the
/// command that fixes it (for `check`, and for `dutydesk verify`, which lists
/// them all). With `demo` false, also the rules of a shared host: a directory
/// shared with a group must be setgid, so that every file SQLite creates in it
/// takes the group (without it, the `-wal`/`-shm` files take the first user's
/// own group and lock every other DSL out), and the sidecars must be in the
/// database's group.
pub fn problems(path: &Path, demo: bool) -> Vec<String> {
    let mut out = Vec::new();
    let dir = dir_of(path);
    let shown = dir.display();
    if let Some(fs) = network_fs(dir) {
        out.push(format!(
            "{shown} is on a network filesystem ({fs}): SQLite cannot lock it safely; keep the database on a local disk"
        ));
    }
    let dir_meta = std::fs::metadata(dir).ok();
    if let Some(m) = &dir_meta {
        let mode = m.permissions().mode();
        if mode & 0o002 != 0 {
            out.push(format!(
                "{shown} is writable by everyone, so anyone could replace the database: `chmod o-w {shown}` (a group directory: `chmod 2770 {shown}`)"
            ));
        }
        if mode & 0o004 != 0 && !demo {
            out.push(format!(
                "{shown} can be listed by everyone: `chmod o-rwx {shown}` (a group directory: `chgrp dutydesk {shown} && chmod 2770 {shown}`)"
            ));
        }
        if mode & 0o070 != 0 && mode & 0o2000 == 0 && !demo {
            out.push(format!(
                "{shown} is shared with group {} but lacks the setgid bit, so the files SQLite creates beside the database would take each user's own group and lock the others out: `chmod g+s {shown}`",
                group_name(m.gid())
            ));
        }
    }
    let db_meta = std::fs::metadata(path).ok();
    if let Some(m) = &db_meta {
        let mode = m.permissions().mode();
        if mode & 0o006 != 0 {
            out.push(format!(
                "{} can be read or written by everyone (mode {:o}): `chmod 660 {}`",
                path.display(),
                mode & 0o777,
                path.display()
            ));
        }
        let setgid_group_dir = |d: &std::fs::Metadata| {
            let mode = d.permissions().mode();
            mode & 0o070 != 0 && mode & 0o2000 != 0
        };
        if let Some(d) = &dir_meta
            && !demo
            && setgid_group_dir(d)
            && d.gid() != m.gid()
        {
            out.push(format!(
                "{} belongs to group {} but its directory to group {}, so the files SQLite creates beside it would be in the wrong group: `chgrp {} {}`",
                path.display(),
                group_name(m.gid()),
                group_name(d.gid()),
                group_name(d.gid()),
                path.display()
            ));
        }
    }
    for suffix in SIDECARS {
        let side = sidecar(path, suffix);
        let Ok(s) = std::fs::symlink_metadata(&side) else {
            continue;
        };
        let mode = s.permissions().mode();
        if !s.file_type().is_file() {
            out.push(format!(
                "{} is not a plain file: remove it (`rm {}`) while nobody has the desk open",
                side.display(),
                side.display()
            ));
            continue;
        }
        if mode & 0o006 != 0 {
            out.push(format!(
                "{} can be read or written by everyone (mode {:o}): `chmod 660 {}`",
                side.display(),
                mode & 0o777,
                side.display()
            ));
        }
        if let Some(m) = &db_meta
            && !demo
            && s.gid() != m.gid()
        {
            out.push(format!(
                "{} belongs to group {} but the database to group {}, so other DSLs cannot open it: `chgrp {} {}`",
                side.display(),
                group_name(s.gid()),
                group_name(m.gid()),
                group_name(m.gid()),
                side.display()
            ));
        }
    }
    out
}

/// A group's name for messages, or its number when it has none.
fn group_name(gid: u32) -> String {
    let mut grp: libc::group = unsafe { std::mem::zeroed() };
    let mut buf = vec![0 as libc::c_char; 16 * 1024];
    let mut result: *mut libc::group = std::ptr::null_mut();
    // SAFETY: getgrgid_r writes into `grp` and `buf` (sized as given) and sets
    // `result` to `&grp` or null.
    let rc = unsafe { libc::getgrgid_r(gid, &mut grp, buf.as_mut_ptr(), buf.len(), &mut result) };
    if rc != 0 || result.is_null() {
        return gid.to_string();
    }
    // SAFETY: on success gr_name points at a NUL-terminated string in `buf`.
    unsafe { std::ffi::CStr::from_ptr(grp.gr_name) }
        .to_string_lossy()
        .into_owned()
}

/// Opens `path` for reading with the user's own credentials rather than the
/// binary's: under setgid (or setuid) the process could otherwise read files
/// of its group that its user cannot, and show them in a message. Used for
/// every file a user names or owns (their settings file, every FILE argument).
///
/// Only this thread's filesystem ids change (`setfsuid`/`setfsgid`, which the
/// kernel keeps per thread and glibc does not spread to other threads, unlike
/// `setegid`), and they are restored before returning, so it is safe with a
/// store worker running. Errors: whatever opening the file as the user gives
/// (not found, permission denied), or permission denied when the ids cannot
/// be switched.
pub fn open_as_user(path: &Path) -> io::Result<std::fs::File> {
    as_user(|| std::fs::File::open(path))
}

/// Runs `f` with this thread's filesystem ids switched to the real user's
/// (see [`open_as_user`]) when the binary is setgid or setuid, as it is
/// otherwise: for any file a user names, to read or to create (a backup's
/// destination, for one). `f` must not spawn threads or touch the store.
pub fn as_user<T>(f: impl FnOnce() -> io::Result<T>) -> io::Result<T> {
    if !crate::identity::is_privileged() {
        return f();
    }
    let _user = AsUser::enter()?;
    f()
}

/// The whole of a file the user names, read with their own credentials (see
/// [`open_as_user`]).
pub fn read_as_user(path: &Path) -> io::Result<Vec<u8>> {
    let mut f = open_as_user(path)?;
    let mut out = Vec::new();
    f.read_to_end(&mut out)?;
    Ok(out)
}

/// As [`read_as_user`], for a text file; not UTF-8 is `InvalidData`.
pub fn read_to_string_as_user(path: &Path) -> io::Result<String> {
    String::from_utf8(read_as_user(path)?)
        .map_err(|_| io::Error::new(io::ErrorKind::InvalidData, "not UTF-8 text"))
}

/// This thread's filesystem ids switched to the real user's until dropped.
struct AsUser {
    fsuid: libc::uid_t,
    fsgid: libc::gid_t,
}

impl AsUser {
    fn enter() -> io::Result<AsUser> {
        // SAFETY: the get*id calls cannot fail. setfsuid/setfsgid change only
        // this thread's filesystem ids, to ids the process already holds (the
        // real ones), which needs no privilege; they report no errors, so each
        // is read back by asking for an invalid id (-1), which changes nothing
        // and returns the current one.
        unsafe {
            let (uid, gid) = (libc::getuid(), libc::getgid());
            let back = AsUser {
                fsuid: libc::geteuid(),
                fsgid: libc::getegid(),
            };
            libc::setfsgid(gid);
            libc::setfsuid(uid);
            if libc::setfsgid(u32::MAX) as libc::gid_t != gid
                || libc::setfsuid(u32::MAX) as libc::uid_t != uid
            {
                drop(back);
                return Err(io::Error::from(io::ErrorKind::PermissionDenied));
            }
            Ok(back)
        }
    }
}

impl Drop for AsUser {
    fn drop(&mut self) {
        // SAFETY: back to the effective ids the process runs with.
        unsafe {
            libc::setfsuid(self.fsuid);
            libc::setfsgid(self.fsgid);
        }
    }
}

/// Gives a new database file its directory's group, so every DSL in that
/// group can open it (best effort: the user must belong to the group).
pub fn adopt_dir_group(path: &Path) {
    let Ok(dir) = std::fs::metadata(dir_of(path)) else {
        return;
    };
    let Ok(c) = std::ffi::CString::new(path.as_os_str().as_encoded_bytes()) else {
        return;
    };
    // SAFETY: valid path; uid -1 leaves the owner unchanged.
    unsafe {
        libc::chown(c.as_ptr(), u32::MAX, dir.gid());
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn mode(p: &Path, m: u32) {
        std::fs::set_permissions(p, std::fs::Permissions::from_mode(m)).unwrap();
    }

    #[test]
    fn open_to_everyone_is_refused_with_the_fix() {
        let d = tempfile::tempdir().unwrap();
        let db = d.path().join("x.db");
        std::fs::write(&db, b"").unwrap();
        mode(&db, 0o660);
        mode(d.path(), 0o700);
        assert_eq!(check(&db, false), Ok(()));
        mode(&db, 0o664);
        assert!(check(&db, false).unwrap_err().contains("chmod 660"));
        mode(&db, 0o660);
        mode(d.path(), 0o705);
        assert!(check(&db, false).unwrap_err().contains("chmod o-rwx"));
        assert_eq!(
            check(&db, true),
            Ok(()),
            "a demo may live in a working directory"
        );
        mode(d.path(), 0o777);
        assert!(
            check(&db, true)
                .unwrap_err()
                .contains("writable by everyone")
        );
        mode(d.path(), 0o700);
        assert_eq!(network_fs(d.path()), None);
    }

    #[test]
    fn a_group_directory_needs_the_setgid_bit() {
        let d = tempfile::tempdir().unwrap();
        let db = d.path().join("x.db");
        std::fs::write(&db, b"").unwrap();
        mode(&db, 0o660);
        for m in [0o770, 0o750, 0o710] {
            mode(d.path(), m);
            let e = check(&db, false).unwrap_err();
            assert!(
                e.contains("setgid") && e.contains("chmod g+s"),
                "{m:o}: {e}"
            );
            assert_eq!(check(&db, true), Ok(()), "a demo is not held to it");
        }
        mode(d.path(), 0o2770);
        assert_eq!(check(&db, false), Ok(()));
        mode(d.path(), 0o700);
    }

    #[test]
    fn sidecars_must_be_private_plain_files() {
        let d = tempfile::tempdir().unwrap();
        mode(d.path(), 0o700);
        let db = d.path().join("x.db");
        std::fs::write(&db, b"").unwrap();
        mode(&db, 0o660);
        let wal = sidecar(&db, "-wal");
        std::fs::write(&wal, b"").unwrap();
        mode(&wal, 0o644);
        let e = check(&db, true).unwrap_err();
        assert!(e.contains("x.db-wal") && e.contains("chmod 660"), "{e}");
        std::fs::remove_file(&wal).unwrap();
        std::os::unix::fs::symlink("/etc/passwd", &wal).unwrap();
        assert!(check(&db, true).unwrap_err().contains("not a plain file"));
        std::fs::remove_file(&wal).unwrap();
        assert_eq!(check(&db, false), Ok(()));
        assert!(problems(&db, false).is_empty());
        // Only root can give a file a group it is not in.
        if unsafe { libc::getuid() } == 0 {
            std::fs::write(&wal, b"").unwrap();
            mode(&wal, 0o660);
            let other = std::fs::metadata(&db).unwrap().gid() + 1;
            std::os::unix::fs::chown(&wal, None, Some(other)).unwrap();
            let e = check(&db, false).unwrap_err();
            assert!(
                e.contains("x.db-wal belongs to group") && e.contains("chgrp"),
                "{e}"
            );
            assert_eq!(check(&db, true), Ok(()), "a demo is not held to it");
        }
    }

    #[test]
    fn files_are_read_as_usual_when_not_privileged() {
        let d = tempfile::tempdir().unwrap();
        let f = d.path().join("f");
        std::fs::write(&f, "words").unwrap();
        assert_eq!(read_to_string_as_user(&f).unwrap(), "words");
        assert_eq!(
            read_as_user(&d.path().join("nope")).unwrap_err().kind(),
            io::ErrorKind::NotFound
        );
        std::fs::write(&f, b"\xff").unwrap();
        assert_eq!(
            read_to_string_as_user(&f).unwrap_err().kind(),
            io::ErrorKind::InvalidData
        );
    }
}
