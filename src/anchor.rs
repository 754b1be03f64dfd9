//! Anchors: the audit chain's head (its newest row's id and hash) written
//! outside the database, so that a trail cut back, or rewritten and
//! consistently re-hashed by someone who can write the file, no longer
//! matches what was recorded earlier (issue 14, point 8).
//!
//! Each anchor goes to two places: a line appended (`O_APPEND`) to the anchor
//! file, which `verify` reads back, and a syslog message (ident `dutydesk`;
//! journald keeps it with the sender's uid), a second copy for the
//! administrator. The file's path is set only in the system settings file
//! (`[audit] anchor_file`), else it is the database's path + `.anchors`;
//! nothing in the database chooses it. Neither copy holds anything but the
//! database's path, a row id and a hash: no names, no words.
//!
//! A line: `2026-11-30T09:00:00Z id=1234 hash=<64 hex> db=/var/lib/dutydesk/dutydesk.db`
//! (UTC; the path last, with `%` and control characters percent-encoded).

use crate::store::tamper::Anchor;
use chrono::{DateTime, Utc};
use std::ffi::CString;
use std::fs::OpenOptions;
use std::io::{BufRead, BufReader, Write as _};
use std::os::unix::fs::{OpenOptionsExt, PermissionsExt};
use std::path::{Path, PathBuf};

/// Where the anchors of database `db` are kept: `configured` (the system
/// file's `[audit] anchor_file`) or `<db>.anchors`.
pub fn file_for(db: &Path, configured: Option<&Path>) -> PathBuf {
    match configured {
        Some(p) => p.to_path_buf(),
        None => {
            let mut p = db.as_os_str().to_owned();
            p.push(".anchors");
            PathBuf::from(p)
        }
    }
}

/// How anchors name a database: its full, resolved path, percent-encoded as
/// in a line. One anchor file may serve several databases.
pub fn key(db: &Path) -> String {
    let full = std::fs::canonicalize(db).unwrap_or_else(|_| db.to_path_buf());
    escape(&full.to_string_lossy())
}

fn escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        if c == '%' || c.is_control() {
            let mut b = [0; 4];
            for byte in c.encode_utf8(&mut b).bytes() {
                out.push_str(&format!("%{byte:02X}"));
            }
        } else {
            out.push(c);
        }
    }
    out
}

/// One anchor as a line of the file (with its newline).
pub fn line(at: DateTime<Utc>, key: &str, id: i64, hash: &str) -> String {
    format!(
        "{} id={id} hash={hash} db={key}\n",
        at.format("%Y-%m-%dT%H:%M:%SZ")
    )
}

/// A line read back: the database's key and the anchor; `None` for a line
/// that is not an anchor (such lines are skipped: they cannot hide one).
pub fn parse(line: &str) -> Option<(&str, Anchor)> {
    let line = line.trim_end_matches(['\n', '\r']);
    let (stamp, rest) = line.split_once(' ')?;
    // `<time> restore id=... hash=... db=...`: a restore (see `record_restore`).
    let (restore, rest) = match rest.strip_prefix("restore ") {
        Some(r) => (true, r),
        None => (false, rest),
    };
    let mut parts = std::iter::once(stamp).chain(rest.splitn(3, ' '));
    let at = DateTime::parse_from_rfc3339(parts.next()?)
        .ok()?
        .timestamp();
    let id = parts.next()?.strip_prefix("id=")?.parse().ok()?;
    let hash = parts.next()?.strip_prefix("hash=")?;
    let db = parts.next()?.strip_prefix("db=")?;
    (hash.len() == 64 && hash.bytes().all(|b| b.is_ascii_hexdigit())).then(|| {
        (
            db,
            Anchor {
                at,
                id,
                hash: hash.to_string(),
                restore,
            },
        )
    })
}

/// Why an anchor could not be read or written; each says what to do.
#[derive(Debug, thiserror::Error)]
pub enum AnchorError {
    #[error(
        "cannot use the anchor file {}: it is a symbolic link; set `[audit] anchor_file` in /etc/dutydesk/config.toml to the file itself",
        path.display()
    )]
    Symlink { path: PathBuf },
    #[error(
        "cannot use the anchor file {}: {source}; check its permissions (mode 0660, the desk's group) or set `[audit] anchor_file` in /etc/dutydesk/config.toml",
        path.display()
    )]
    Io {
        path: PathBuf,
        source: std::io::Error,
    },
}

fn io_error(path: &Path, source: std::io::Error) -> AnchorError {
    if source.raw_os_error() == Some(libc::ELOOP) {
        AnchorError::Symlink {
            path: path.to_path_buf(),
        }
    } else {
        AnchorError::Io {
            path: path.to_path_buf(),
            source,
        }
    }
}

/// Every anchor recorded for database `key` in `file`, oldest first, read a
/// line at a time (the file grows by a line per run; it is never held
/// whole). A missing file holds none. Symbolic links are refused.
pub fn read(file: &Path, key: &str) -> Result<Anchors, AnchorError> {
    let reader = match OpenOptions::new()
        .read(true)
        .custom_flags(libc::O_NOFOLLOW)
        .open(file)
    {
        Ok(f) => Some(BufReader::new(f)),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => None,
        Err(e) => return Err(io_error(file, e)),
    };
    Ok(Anchors {
        reader,
        path: file.to_path_buf(),
        key: key.to_string(),
        buf: Vec::new(),
    })
}

/// The anchors of one database in a file, as [`read`] finds them.
pub struct Anchors {
    reader: Option<BufReader<std::fs::File>>,
    path: PathBuf,
    key: String,
    buf: Vec<u8>,
}

impl Iterator for Anchors {
    type Item = Result<Anchor, AnchorError>;

    fn next(&mut self) -> Option<Self::Item> {
        let reader = self.reader.as_mut()?;
        loop {
            self.buf.clear();
            match reader.read_until(b'\n', &mut self.buf) {
                Ok(0) => return None,
                Ok(_) => {
                    // A line that is not UTF-8, or not an anchor, is skipped:
                    // an added line cannot hide one already there.
                    if let Ok(text) = std::str::from_utf8(&self.buf)
                        && let Some((db, a)) = parse(text)
                        && db == self.key
                    {
                        return Some(Ok(a));
                    }
                }
                Err(e) => {
                    self.reader = None;
                    return Some(Err(io_error(&self.path, e)));
                }
            }
        }
    }
}

/// Records that database `key`'s trail ended at row `id` with `hash`, at
/// `at`: appended to `file` (created 0660 if missing, never through a
/// symbolic link, flushed to disk) and sent to syslog.
pub fn record(
    file: &Path,
    key: &str,
    id: i64,
    hash: &str,
    at: DateTime<Utc>,
) -> Result<(), AnchorError> {
    append(file, &line(at, key, id, hash))?;
    to_syslog(&format!("anchor id={id} hash={hash} db={key}"));
    Ok(())
}

/// Records that database `key` was restored from a backup at `at`, its
/// trail then ending at row `id` with `hash` (`<time> restore id=N hash=H
/// db=KEY`). `verify` checks the trail against this anchor and those after
/// it only: the rows anchored before belonged to the replaced file (kept
/// beside it), not to this one. An older dutydesk skips such lines. The
/// syslog copy says "restore" too, so a restore cannot pass unseen.
pub fn record_restore(
    file: &Path,
    key: &str,
    id: i64,
    hash: &str,
    at: DateTime<Utc>,
) -> Result<(), AnchorError> {
    append(
        file,
        &format!(
            "{} restore id={id} hash={hash} db={key}\n",
            at.format("%Y-%m-%dT%H:%M:%SZ")
        ),
    )?;
    to_syslog(&format!("restore id={id} hash={hash} db={key}"));
    Ok(())
}

/// Appends one line to the anchor file (created 0660 if missing, never
/// through a symbolic link, flushed to disk).
fn append(file: &Path, text: &str) -> Result<(), AnchorError> {
    let open = |create_new: bool| {
        let mut o = OpenOptions::new();
        o.append(true)
            .mode(0o660)
            .custom_flags(libc::O_NOFOLLOW | libc::O_CLOEXEC);
        if create_new {
            o.create_new(true);
        }
        o.open(file)
    };
    let mut f = match open(true) {
        Ok(f) => {
            // The group of DSLs must be able to append, whatever the umask.
            f.set_permissions(std::fs::Permissions::from_mode(0o660))
                .map_err(|e| io_error(file, e))?;
            f
        }
        Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => {
            open(false).map_err(|e| io_error(file, e))?
        }
        Err(e) => return Err(io_error(file, e)),
    };
    f.write_all(text.as_bytes())
        .and_then(|_| f.sync_data())
        .map_err(|e| io_error(file, e))
}

/// Sends one notice to syslog (journald) as `dutydesk`. Best effort: a host
/// without a syslog daemon loses this copy, not the file's.
fn to_syslog(message: &str) {
    let Ok(m) = CString::new(message) else {
        return;
    };
    // SAFETY: the ident and format are static NUL-terminated strings, `m` is a
    // valid C string that outlives the call, and "%s" takes exactly one.
    unsafe {
        libc::openlog(c"dutydesk".as_ptr(), libc::LOG_PID, libc::LOG_USER);
        libc::syslog(libc::LOG_NOTICE, c"%s".as_ptr(), m.as_ptr());
        libc::closelog();
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    #[test]
    fn a_line_reads_back_as_written() {
        let at = Utc.with_ymd_and_hms(2026, 11, 30, 9, 0, 0).unwrap();
        let hash = "0f".repeat(32);
        let key = escape("/var/lib/dutydesk/my desk%\n.db");
        assert_eq!(key, "/var/lib/dutydesk/my desk%25%0A.db");
        let l = line(at, &key, 42, &hash);
        assert_eq!(
            l,
            format!("2026-11-30T09:00:00Z id=42 hash={hash} db={key}\n")
        );
        let (db, a) = parse(&l).unwrap();
        assert_eq!(db, key);
        assert_eq!(
            a,
            Anchor {
                at: at.timestamp(),
                id: 42,
                hash: hash.clone(),
                restore: false,
            }
        );
        let (_, r) = parse(&format!(
            "2026-11-30T09:00:00Z restore id=7 hash={hash} db={key}\n"
        ))
        .unwrap();
        assert!(r.restore && r.id == 7);
    }

    #[test]
    fn lines_that_are_not_anchors_are_skipped() {
        for bad in [
            "",
            "hello",
            "2026-11-30T09:00:00Z id=x hash=00 db=/a",
            "2026-11-30T09:00:00Z id=1 hash=short db=/a",
            "yesterday id=1 hash=0000000000000000000000000000000000000000000000000000000000000000 db=/a",
        ] {
            assert!(parse(bad).is_none(), "{bad}");
        }
    }

    #[test]
    fn the_default_file_sits_beside_the_database() {
        assert_eq!(
            file_for(Path::new("/var/lib/dutydesk/dutydesk.db"), None),
            PathBuf::from("/var/lib/dutydesk/dutydesk.db.anchors")
        );
        assert_eq!(
            file_for(
                Path::new("/var/lib/dutydesk/dutydesk.db"),
                Some(Path::new("/var/log/dutydesk/anchors"))
            ),
            PathBuf::from("/var/log/dutydesk/anchors")
        );
    }
}
