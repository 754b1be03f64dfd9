//! Exporting one record (issue 18): read and audited in one write, rendered
//! by `domain::export` (Markdown, HTML or JSON, with the redaction chosen),
//! and written to a file the user chooses with their own credentials, never
//! through a symlink and never over an existing file.

use super::{Result, StoreError, Write};
use crate::domain::escalation::EscalationDetail;
use crate::domain::export::{Format, Options, redact, render};
use std::io::Write as _;
use std::path::{Path, PathBuf};

/// The record of escalation `id` as `viewer` may see it, with its casework,
/// exported: the export is audited in the same write (`export`, with the
/// format and whether redacted), so a refused export leaves no row and one
/// that happened always has its row. Viewers may not export (a record
/// leaving the desk carries names and words they never see).
pub fn export(
    w: &mut Write<'_>,
    id: i64,
    format: Format,
    redacted: bool,
) -> Result<(EscalationDetail, String)> {
    let me = super::workflow::actor(w).map_err(|e| match e {
        StoreError::Refused(m) if m.contains("viewers") => StoreError::Refused(
            "viewers cannot export records (they carry names and words): ask a DSL".into(),
        ),
        other => other,
    })?;
    let viewer = super::access::Viewer::from(&me);
    let mut d = super::escalations::detail_in(w.tx(), viewer, id)?
        .ok_or_else(|| StoreError::NotVisible(super::access::BY_NUMBER.into()))?;
    d.casework = super::casework::load(w.tx(), viewer, id)?;
    if redacted {
        legacy_party_lines(w.tx(), &mut d)?;
        let staff = staff_names(w.tx())?;
        redact(&mut d, &staff);
    }
    let (people, categories) = if format == Format::Json {
        let staff = super::staff::list_in(w.tx())?;
        let cats = super::categories::list(w.tx())?
            .into_iter()
            .map(|c| (c.label, c.code))
            .collect();
        (crate::domain::json::People::of(&staff), cats)
    } else {
        Default::default()
    };
    let text = render(
        &d,
        &Options {
            format,
            redact: redacted,
            by: me.display_name.clone(),
            at: w.now(),
            people,
            categories,
        },
    );
    w.audit(
        "export",
        "escalation",
        Some(&d.summary.reference),
        Some(&format!(
            "{}; {}",
            format.code(),
            if redacted { "redacted" } else { "full" }
        )),
    )?;
    Ok((d, text))
}

/// Lines written before schema 12 that name third parties carry no places
/// ([`crate::domain::text::Marked`]): their audit rows say which they are (a
/// correction of who raised it, a person added or removed: `chronology N`
/// in the row's detail, written by dutydesk), and each is hidden whole.
fn legacy_party_lines(conn: &rusqlite::Connection, d: &mut EscalationDetail) -> Result<()> {
    if !d
        .chronology
        .iter()
        .any(|c| c.parties.is_empty() && c.kind == "edited")
    {
        return Ok(());
    }
    let mut stmt = conn.prepare_cached(
        "SELECT action, detail FROM audit_log
         WHERE entity = 'escalation' AND entity_id = ?1
           AND action IN ('correct', 'person_added', 'person_removed')",
    )?;
    let rows = stmt
        .query_map([&d.summary.reference], |r| {
            Ok((r.get::<_, String>(0)?, r.get::<_, Option<String>>(1)?))
        })?
        .collect::<rusqlite::Result<Vec<_>>>()?;
    let mut lines = std::collections::HashSet::new();
    for (action, detail) in rows {
        let detail = detail.unwrap_or_default();
        let names_party = action != "correct"
            || detail
                .split(';')
                .find_map(|p| p.trim().strip_prefix("fields="))
                .is_some_and(|f| {
                    f.split(',')
                        .any(|x| matches!(x, "raised_by" | "raiser's_role" | "raiser's_contact"))
                });
        let line = detail
            .split(';')
            .find_map(|p| p.trim().strip_prefix("chronology "))
            .and_then(|n| n.trim().parse::<i64>().ok());
        if let (true, Some(n)) = (names_party, line) {
            lines.insert(n);
        }
    }
    for c in &mut d.chronology {
        if c.parties.is_empty() && lines.contains(&c.id) {
            c.parties = std::iter::once(0..c.body.len()).collect();
        }
    }
    Ok(())
}

/// Every staff member's display name and account name, active or not: the
/// chronology and notes name the staff who worked a case (assigned to, taken
/// by, "ask tnowak"), and a redacted export hides them all.
fn staff_names(conn: &rusqlite::Connection) -> Result<Vec<String>> {
    let mut stmt =
        conn.prepare_cached("SELECT display_name FROM staff UNION SELECT username FROM staff")?;
    let names = stmt
        .query_map([], |r| r.get::<_, String>(0))?
        .collect::<rusqlite::Result<Vec<_>>>()?;
    Ok(names
        .iter()
        .map(|n| crate::domain::text::clean_line(n))
        .collect())
}

/// Creates `path` as a new file (mode 0600) holding `bytes`, with the user's
/// own credentials (`store::files::as_user`): refused if anything exists
/// there (a file, a directory, a symlink, even a dangling one: never
/// replaced, never followed), or if the directory named is itself a symlink.
/// The message says what to do instead.
pub fn write_new(path: &Path, bytes: &[u8]) -> std::result::Result<PathBuf, String> {
    use std::os::unix::ffi::OsStrExt;
    use std::os::unix::io::FromRawFd;
    let shown = path.display().to_string();
    let name = path
        .file_name()
        .ok_or_else(|| format!("{shown}: give a file name to write, e.g. ~/SG-2026-0042.md"))?;
    let dir = match path.parent() {
        Some(p) if !p.as_os_str().is_empty() => p.to_path_buf(),
        _ => PathBuf::from("."),
    };
    let cdir = std::ffi::CString::new(dir.as_os_str().as_bytes())
        .map_err(|_| format!("{shown}: the path holds a NUL character"))?;
    let cname = std::ffi::CString::new(name.as_bytes())
        .map_err(|_| format!("{shown}: the path holds a NUL character"))?;
    super::files::as_user(|| {
        // SAFETY: valid NUL-terminated paths; the descriptors are checked and
        // closed (the directory's here, the file's by the File that owns it).
        unsafe {
            let dfd = libc::open(
                cdir.as_ptr(),
                libc::O_RDONLY | libc::O_DIRECTORY | libc::O_NOFOLLOW | libc::O_CLOEXEC,
            );
            if dfd < 0 {
                return Err(std::io::Error::last_os_error());
            }
            let fd = libc::openat(
                dfd,
                cname.as_ptr(),
                libc::O_WRONLY | libc::O_CREAT | libc::O_EXCL | libc::O_NOFOLLOW | libc::O_CLOEXEC,
                0o600,
            );
            let err = std::io::Error::last_os_error();
            libc::close(dfd);
            if fd < 0 {
                return Err(err);
            }
            let mut f = std::fs::File::from_raw_fd(fd);
            f.write_all(bytes)?;
            f.sync_all()?;
            Ok(())
        }
    })
    .map_err(|e| match e.raw_os_error() {
        Some(libc::EEXIST) => {
            format!("{shown} already exists: dutydesk never replaces a file; choose a new name")
        }
        Some(libc::ELOOP) | Some(libc::ENOTDIR) => format!(
            "{}: the directory is a symlink or not a directory; give its real path",
            dir.display()
        ),
        Some(libc::ENOENT) => format!("{}: no such directory", dir.display()),
        Some(libc::EACCES) => format!("{shown}: you may not write there (permission denied)"),
        _ => format!("{shown}: cannot be written: {e}"),
    })?;
    Ok(path.to_path_buf())
}
