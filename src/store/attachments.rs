//! Attachments (issue 18): a scanned record of concern, a body map, a
//! letter, attached by path and kept in the database with its name, type,
//! size and SHA-256. Kept as added (triggers refuse changes and removal);
//! the audit row of the write that added one carries its digest, so the
//! hash chain vouches for the bytes. Restricted with its case: every read
//! goes through the need-to-know policy, and every view and every save is
//! audited. Viewers see that attachments exist, never their names or bytes.

use super::access::Viewer;
use super::workflow::{Done, actor, current, done};
use super::{Result, StoreError, Write, instant};
use crate::domain::casework::{
    Attachment, MAX_ATTACHMENT, attachment_name, check_size, media_type, size_words,
};
use crate::domain::text::clean_line;
use rusqlite::{Connection, OptionalExtension, params};
use sha2::{Digest, Sha256};
use std::io::Read;
use std::path::Path;

/// Reads a file the user names, with their own credentials
/// (`store::files::as_user`: under setgid the desk's group never opens it
/// for them), for attaching: a regular file (a FIFO or a device is refused
/// without blocking), not empty, within [`MAX_ATTACHMENT`]. Returns the name
/// to keep and the bytes. The refusal says why and what to do; nothing is
/// stored by reading.
pub fn read_file(path: &Path) -> std::result::Result<(String, Vec<u8>), String> {
    use std::os::unix::fs::OpenOptionsExt;
    let shown = path.display();
    let name = attachment_name(&path.to_string_lossy())?;
    let file = super::files::as_user(|| {
        std::fs::OpenOptions::new()
            .read(true)
            .custom_flags(libc::O_NONBLOCK | libc::O_NOCTTY)
            .open(path)
    })
    .map_err(|e| match e.kind() {
        std::io::ErrorKind::NotFound => format!("{shown}: no such file: check the path"),
        std::io::ErrorKind::PermissionDenied => {
            format!("{shown}: you may not read it (permission denied)")
        }
        _ => format!("{shown}: cannot be read: {e}"),
    })?;
    let meta = file
        .metadata()
        .map_err(|e| format!("{shown}: cannot be read: {e}"))?;
    if !meta.is_file() {
        return Err(format!(
            "{shown} is not a regular file (a directory, device or pipe): give a file"
        ));
    }
    check_size(meta.len())?;
    let mut bytes = Vec::with_capacity(meta.len() as usize);
    file.take(MAX_ATTACHMENT + 1)
        .read_to_end(&mut bytes)
        .map_err(|e| format!("{shown}: cannot be read: {e}"))?;
    check_size(bytes.len() as u64)?;
    Ok((name, bytes))
}

fn hex(bytes: &[u8]) -> String {
    Sha256::digest(bytes)
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

/// Attaches `bytes` (read by [`read_file`]) to escalation `id` as `name`.
/// Refused, with nothing stored, for a viewer, a hidden or missing case, an
/// empty or oversized file. One write: the row, a chronology line naming the
/// file, and the audit row with its size and SHA-256 (never its name, which
/// may hold words).
pub fn attach(w: &mut Write<'_>, id: i64, name: &str, bytes: &[u8]) -> Result<Done> {
    let me = actor(w)?;
    let c = current(w, &me, id)?;
    check_size(bytes.len() as u64).map_err(StoreError::Refused)?;
    let name = attachment_name(name).map_err(StoreError::Refused)?;
    let kind = media_type(bytes);
    let sha = hex(bytes);
    let now = w.now();
    w.tx().execute(
        "INSERT INTO attachments (escalation_id, name, media_type, size, sha256, added_by, added_at, data)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)",
        params![id, name, kind, bytes.len() as i64, sha, me.id, now.timestamp(), bytes],
    )?;
    let aid = w.tx().last_insert_rowid();
    let line = super::escalations::add_chronology(
        w,
        id,
        me.id,
        now,
        "note",
        &format!(
            "Attached {aid}: {name} ({kind}, {}, SHA-256 {sha}) by {}.",
            size_words(bytes.len() as u64),
            me.display_name
        ),
    )?;
    w.audit(
        "attach",
        "escalation",
        Some(&c.reference),
        Some(&format!(
            "attachment {aid}; {} bytes; sha256 {sha}; chronology {line}",
            bytes.len()
        )),
    )?;
    Ok(done(
        &c,
        format!(
            "Attached to {} as number {aid}: {name} ({kind}, {})",
            c.reference,
            size_words(bytes.len() as u64)
        ),
    ))
}

const COLUMNS: &str =
    "a.id, e.reference, a.name, a.media_type, a.size, a.sha256, s.display_name, a.added_at";

fn row(r: &rusqlite::Row<'_>) -> rusqlite::Result<Attachment> {
    Ok(Attachment {
        id: r.get(0)?,
        reference: clean_line(&r.get::<_, String>(1)?),
        name: clean_line(&r.get::<_, String>(2)?),
        media_type: clean_line(&r.get::<_, String>(3)?),
        size: r.get::<_, i64>(4)?.max(0) as u64,
        sha256: r.get(5)?,
        added_by: clean_line(&r.get::<_, String>(6)?),
        added_at: instant(r.get(7)?),
    })
}

/// The attachments of escalation `id` (never their bytes), oldest first.
/// The caller has checked the viewer may see the case.
pub fn list(conn: &Connection, id: i64) -> Result<Vec<Attachment>> {
    let mut stmt = conn.prepare_cached(&format!(
        "SELECT {COLUMNS} FROM attachments a JOIN escalations e ON e.id = a.escalation_id
         JOIN staff s ON s.id = a.added_by WHERE a.escalation_id = ?1 ORDER BY a.id"
    ))?;
    let rows = stmt.query_map([id], row)?;
    Ok(rows.collect::<rusqlite::Result<_>>()?)
}

/// Why an attachment is opened: shown on screen or printed (`view`), or
/// written to a file (`export`). Both are audited, as views and exports of
/// the record are.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Purpose {
    View,
    Export,
}

/// Attachment `aid` and its bytes, if the actor may see its case and is not
/// a viewer; the read is audited (`view_attachment` or `export_attachment`)
/// in the same write. A hidden case's attachment and a missing one get the
/// same refusal. The bytes are checked against the stored SHA-256: a
/// mismatch (changed outside dutydesk) is refused and reported.
pub fn fetch(w: &mut Write<'_>, aid: i64, purpose: Purpose) -> Result<(Attachment, Vec<u8>)> {
    let (a, bytes) = find(w, aid)?;
    audit_read(w, &a, purpose)?;
    Ok((a, bytes))
}

/// An attachment to read in the terminal or on the screen: plain text
/// only, the view audited. A scan or a photograph is refused as bad input
/// (exit 2) and nothing is recorded as viewed, since nothing of it was
/// read: saving it to a file opens it (and is audited as an export).
pub fn read_text(w: &mut Write<'_>, aid: i64) -> Result<(Attachment, Vec<u8>)> {
    let (a, bytes) = find(w, aid)?;
    if a.media_type != "text/plain" {
        return Err(StoreError::Invalid(format!(
            "attachment {} is {} ({}), not text: save it to a file and open that (`dutydesk attachment save {} FILE`)",
            a.id,
            a.media_type,
            size_words(a.size),
            a.id
        )));
    }
    audit_read(w, &a, Purpose::View)?;
    Ok((a, bytes))
}

fn audit_read(w: &mut Write<'_>, a: &Attachment, purpose: Purpose) -> Result<()> {
    w.audit(
        match purpose {
            Purpose::View => "view_attachment",
            Purpose::Export => "export_attachment",
        },
        "escalation",
        Some(&a.reference),
        Some(&format!("attachment {}", a.id)),
    )
}

/// Attachment `aid` and its bytes, checked (see [`fetch`]), not audited.
fn find(w: &mut Write<'_>, aid: i64) -> Result<(Attachment, Vec<u8>)> {
    let me = super::staff::find_in(w.tx(), w.actor())?
        .filter(|s| s.active)
        .ok_or_else(|| StoreError::Refused(format!("{} is not active staff", w.actor())))?;
    if me.role == crate::domain::staff::Role::Viewer {
        return Err(StoreError::Refused(
            "viewers cannot open or save attachments (they hold personal details): ask a DSL"
                .into(),
        ));
    }
    let viewer = Viewer::from(&me);
    let found: Option<(Attachment, Vec<u8>, i64)> = w
        .tx()
        .query_row(
            &format!(
                "SELECT {COLUMNS}, a.data, e.id FROM attachments a
                 JOIN escalations e ON e.id = a.escalation_id
                 JOIN staff s ON s.id = a.added_by
                 WHERE a.id = :id AND {}",
                super::access::VISIBLE
            ),
            rusqlite::named_params! {":id": aid, ":senior": viewer.senior, ":me": viewer.staff_id},
            |r| Ok((row(r)?, r.get::<_, Vec<u8>>(8)?, r.get::<_, i64>(9)?)),
        )
        .optional()?;
    let Some((a, bytes, _esc)) = found else {
        return Err(StoreError::Refused(format!(
            "no attachment {aid} that you may see: `dutydesk attachments REF` lists a case's"
        )));
    };
    if hex(&bytes) != a.sha256 {
        return Err(StoreError::Refused(format!(
            "attachment {aid} no longer matches the SHA-256 recorded when it was added: it was changed outside dutydesk; run `dutydesk verify` and tell a senior lead"
        )));
    }
    Ok((a, bytes))
}

/// The attachments of the case `reference` names, for `dutydesk
/// attachments`: the same refusal for a hidden case as for a missing one;
/// the listing is audited as a look-up of the record.
pub fn list_audited(w: &mut Write<'_>, reference: &str) -> Result<Vec<Attachment>> {
    let viewer = super::access::writer(w)?;
    let id = super::access::resolve(w.tx(), viewer, reference)?;
    let mut list = list(w.tx(), id)?;
    if viewer.redacted {
        for a in &mut list {
            a.name = "(hidden)".into();
        }
    }
    w.audit(
        "lookup",
        "escalation",
        Some(&super::access::normalise_reference(reference)),
        Some("attachments"),
    )?;
    Ok(list)
}
