//! Need-to-know: the one policy that decides which escalations a user may see.
//!
//! A restricted escalation (an allegation about a member of staff, above all
//! about a DSL) is seen only by senior leads and by staff named on it, and never
//! by staff excluded from it (the person it is about). Every surface that can
//! reveal an escalation, its words, its existence or its count (lists, counts,
//! search, show, reports, reviews, handover, audit, export, notifications and
//! error messages) filters through [`VISIBLE`] or asks [`resolve`] / [`may_see`]
//! here, so the rule is written once.
//!
//! A reference the user may not see and a reference that does not exist get the
//! same refusal ([`StoreError::NotVisible`]), so a refusal never tells whether
//! a hidden case exists.

use super::{Result, StoreError, Write};
use crate::domain::staff::{Role, StaffMember};
use rusqlite::{Connection, OptionalExtension, named_params};

/// Who is looking: restricted escalations are filtered in SQL for them.
#[derive(Debug, Clone, Copy)]
pub struct Viewer {
    pub staff_id: i64,
    pub senior: bool,
    /// A viewer's role: lists, but no words, names or personal details.
    pub redacted: bool,
}

impl From<&StaffMember> for Viewer {
    fn from(s: &StaffMember) -> Self {
        Viewer {
            staff_id: s.id,
            senior: s.role.sees_restricted(),
            redacted: s.role == Role::Viewer,
        }
    }
}

/// The need-to-know rule as SQL over escalation rows named `$e` (bind
/// `:senior` and `:me`): a restricted escalation only by senior leads and
/// users named on it, and never by a user excluded from it. Written once
/// here; [`VISIBLE`] is it for the usual alias `e`, and a query that must
/// test a second escalation (the other end of a link) names its alias.
macro_rules! visible_sql {
    ($e:literal) => {
        concat!(
            "((",
            $e,
            ".restricted = 0 OR :senior = 1 OR EXISTS (
        SELECT 1 FROM escalation_access a
        WHERE a.escalation_id = ",
            $e,
            ".id AND a.staff_id = :me AND a.access = 'named'))
    AND NOT EXISTS (
        SELECT 1 FROM escalation_access a
        WHERE a.escalation_id = ",
            $e,
            ".id AND a.staff_id = :me AND a.access = 'excluded'))"
        )
    };
}
pub(crate) use visible_sql;

/// Rows `e` this viewer may see (bind `:senior` and `:me`): see [`visible_sql`].
pub(crate) const VISIBLE: &str = visible_sql!("e");

/// The open escalations this viewer may NOT see (bind `:senior`, `:me`):
/// [`visible_sql`] turned round, asked only of the rows it can hide. Not
/// visible is "restricted, and neither a senior lead nor named on it" or
/// "excluded from it". The first are read from the open restricted rows'
/// partial index `escalations_open_restricted` alone (no wide row; a senior
/// lead skips them), the second from the viewer's few exclusions. The open
/// queue reads this list once per load and leaves its ids out
/// (`store::escalations`) instead of testing every row of a queue of
/// 137,000 (issue 21: the rule asked of each restricted case's own row, per
/// band, cost 10-40 ms at 1,000,000 cases; this costs 0.7 ms with 3,121
/// open restricted). `tests/performance.rs` checks the lists and counts it
/// gives equal [`VISIBLE`]'s for every kind of viewer.
pub(crate) const HIDDEN_OPEN: &str =
    "SELECT r.id FROM escalations r INDEXED BY escalations_open_restricted
       LEFT JOIN escalation_access n
         ON n.escalation_id = r.id AND n.staff_id = :me AND n.access = 'named'
     WHERE r.status <> 'closed' AND r.restricted = 1 AND :senior = 0 AND n.escalation_id IS NULL
     UNION SELECT x.id FROM escalation_access a JOIN escalations x ON x.id = a.escalation_id
     WHERE a.staff_id = :me AND a.access = 'excluded' AND x.status <> 'closed'";

/// A reference as people type it: trimmed, upper case ("sg-2026-0042" works).
pub fn normalise_reference(reference: &str) -> String {
    reference.trim().to_uppercase()
}

/// The id of escalation `reference` if `viewer` may see it; otherwise the same
/// [`StoreError::NotVisible`] whether it is hidden or does not exist.
pub fn resolve(conn: &Connection, viewer: Viewer, reference: &str) -> Result<i64> {
    let reference = normalise_reference(reference);
    conn.query_row(
        &format!("SELECT e.id FROM escalations e WHERE e.reference = :reference AND {VISIBLE}"),
        named_params! {":reference": reference, ":senior": viewer.senior, ":me": viewer.staff_id},
        |r| r.get(0),
    )
    .optional()?
    .ok_or(StoreError::NotVisible(reference))
}

/// What [`StoreError::NotVisible`] says for an escalation asked for by its
/// internal number (the screen's requests carry ids from lists): the same
/// words whether it is hidden or missing, and never the number or reference.
pub const BY_NUMBER: &str = "with that number";

/// Refuses escalation `id` unless `viewer` may see it, with the same
/// [`StoreError::NotVisible`] for a hidden one and one that does not exist.
pub fn check_id(conn: &Connection, viewer: Viewer, id: i64) -> Result<()> {
    if may_see(conn, viewer, id)? {
        Ok(())
    } else {
        Err(StoreError::NotVisible(BY_NUMBER.into()))
    }
}

/// Whether `viewer` may see escalation `id` (false when there is none).
pub fn may_see(conn: &Connection, viewer: Viewer, id: i64) -> Result<bool> {
    Ok(conn
        .query_row(
            &format!("SELECT 1 FROM escalations e WHERE e.id = :id AND {VISIBLE}"),
            named_params! {":id": id, ":senior": viewer.senior, ":me": viewer.staff_id},
            |_| Ok(()),
        )
        .optional()?
        .is_some())
}

/// Which of the escalations `ids` `viewer` may still see (in no order): a
/// paused dashboard keeps its rows until resumed, but never a case
/// restricted or hidden from the user meanwhile (issue 21's paused list,
/// the same side door as a record left open in issue 18).
pub fn visible_among(conn: &Connection, viewer: Viewer, ids: &[i64]) -> Result<Vec<i64>> {
    let mut stmt = conn.prepare_cached(&format!(
        "SELECT e.id FROM rarray(:ids) x CROSS JOIN escalations e ON e.id = x.value
         WHERE {VISIBLE}"
    ))?;
    let rows = stmt.query_map(
        named_params! {":ids": super::id_array(ids), ":senior": viewer.senior, ":me": viewer.staff_id},
        |r| r.get(0),
    )?;
    Ok(rows.collect::<rusqlite::Result<_>>()?)
}

/// The viewer for the user a write acts for (`Write::actor`), or a refusal
/// when they are not active staff.
pub fn writer(w: &Write<'_>) -> Result<Viewer> {
    super::staff::find_in(w.tx(), w.actor())?
        .filter(|s| s.active)
        .map(|s| Viewer::from(&s))
        .ok_or_else(|| StoreError::Refused(format!("{} is not active staff", w.actor())))
}

/// Who may see escalation `id` as the trail records it:
/// `restricted=0|1; named=USER,...; excluded=USER,...` (usernames sorted).
/// Written to the audit trail whenever the restriction or the names change, so
/// `verify` can check the record's flag and names against the trail.
pub fn state(conn: &Connection, id: i64) -> Result<String> {
    let restricted: bool = conn.query_row(
        "SELECT restricted FROM escalations WHERE id = ?1",
        [id],
        |r| r.get(0),
    )?;
    let names = |access: &str| -> Result<String> {
        let mut stmt = conn.prepare_cached(
            "SELECT s.username FROM escalation_access a JOIN staff s ON s.id = a.staff_id
             WHERE a.escalation_id = ?1 AND a.access = ?2 ORDER BY s.username",
        )?;
        let rows = stmt.query_map(rusqlite::params![id, access], |r| r.get::<_, String>(0))?;
        Ok(rows.collect::<rusqlite::Result<Vec<_>>>()?.join(","))
    };
    Ok(format!(
        "restricted={}; named={}; excluded={}",
        u8::from(restricted),
        names("named")?,
        names("excluded")?
    ))
}

/// Appends the escalation's access [`state`] to the audit trail (action
/// `access`), in the write that changed it.
pub fn record_access(w: &mut Write<'_>, id: i64, reference: &str) -> Result<()> {
    let s = state(w.tx(), id)?;
    w.audit("access", "escalation", Some(reference), Some(&s))
}
