//! Where the database may live. Safeguarding records on a shared host must not
//! be readable by everyone, replaceable by anyone, or on a network filesystem
//! (whose locking SQLite cannot trust). Each refusal says how to fix it.

use std::os::unix::fs::{MetadataExt, PermissionsExt};
use std::path::Path;

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

/// Checks before opening: the file (if it exists) is not world-readable or
/// world-writable, its directory is not world-writable, and neither is on a
/// network filesystem. `readable_dir_ok`: a demo may live in an ordinary
/// working directory; real records need a directory others cannot list.
pub fn check(path: &Path, readable_dir_ok: bool) -> Result<(), String> {
    let dir = dir_of(path);
    if let Some(fs) = network_fs(dir) {
        return Err(format!(
            "{} is on a network filesystem ({fs}): SQLite cannot lock it safely; keep the database on a local disk",
            dir.display()
        ));
    }
    if let Ok(m) = std::fs::metadata(dir) {
        let mode = m.permissions().mode();
        if mode & 0o002 != 0 {
            return Err(format!(
                "{} is writable by everyone, so anyone could replace the database: `chmod o-w {}` (a group directory: `chmod 2770`)",
                dir.display(),
                dir.display()
            ));
        }
        if mode & 0o004 != 0 && !readable_dir_ok {
            return Err(format!(
                "{} can be listed by everyone: `chmod o-rwx {}` (a group directory: `chgrp dsl {} && chmod 2770 {}`)",
                dir.display(),
                dir.display(),
                dir.display(),
                dir.display()
            ));
        }
    }
    if let Ok(m) = std::fs::metadata(path) {
        let mode = m.permissions().mode();
        if mode & 0o006 != 0 {
            return Err(format!(
                "{} can be read or written by everyone (mode {:o}): `chmod 660 {}`",
                path.display(),
                mode & 0o777,
                path.display()
            ));
        }
    }
    Ok(())
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

    #[test]
    fn open_to_everyone_is_refused_with_the_fix() {
        let d = tempfile::tempdir().unwrap();
        let db = d.path().join("x.db");
        std::fs::write(&db, b"").unwrap();
        std::fs::set_permissions(&db, std::fs::Permissions::from_mode(0o660)).unwrap();
        std::fs::set_permissions(d.path(), std::fs::Permissions::from_mode(0o770)).unwrap();
        assert_eq!(check(&db, false), Ok(()));
        std::fs::set_permissions(&db, std::fs::Permissions::from_mode(0o664)).unwrap();
        assert!(check(&db, false).unwrap_err().contains("chmod 660"));
        std::fs::set_permissions(&db, std::fs::Permissions::from_mode(0o660)).unwrap();
        std::fs::set_permissions(d.path(), std::fs::Permissions::from_mode(0o775)).unwrap();
        assert!(check(&db, false).unwrap_err().contains("chmod o-rwx"));
        assert_eq!(
            check(&db, true),
            Ok(()),
            "a demo may live in a working directory"
        );
        std::fs::set_permissions(d.path(), std::fs::Permissions::from_mode(0o777)).unwrap();
        assert!(
            check(&db, true)
                .unwrap_err()
                .contains("writable by everyone")
        );
        std::fs::set_permissions(d.path(), std::fs::Permissions::from_mode(0o700)).unwrap();
        assert_eq!(network_fs(d.path()), None);
    }
}
