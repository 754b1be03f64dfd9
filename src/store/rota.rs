//! The duty rota and handover notes.

use super::{Result, Store, StoreError, Write, instant};
use crate::domain::text::{clean_block, clean_line, validate_block};
use chrono::{DateTime, Utc};
use rusqlite::{OptionalExtension, params};

/// A shift: who, from, until.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct Shift {
    pub id: i64,
    pub who: String,
    pub username: String,
    pub starts_at: DateTime<Utc>,
    pub ends_at: DateTime<Utc>,
}

fn shift(r: &rusqlite::Row<'_>) -> rusqlite::Result<Shift> {
    Ok(Shift {
        id: r.get(0)?,
        who: clean_line(&r.get::<_, String>(1)?),
        username: r.get(2)?,
        starts_at: instant(r.get(3)?),
        ends_at: instant(r.get(4)?),
    })
}

const COLS: &str = "r.id, s.display_name, s.username, r.starts_at, r.ends_at FROM rota r JOIN staff s ON s.id = r.staff_id";

/// The shift under way at `now`, and the next one to start.
pub fn now_and_next(store: &Store, now: DateTime<Utc>) -> Result<(Option<Shift>, Option<Shift>)> {
    let t = now.timestamp();
    let current = store
        .conn()
        .query_row(
            &format!("SELECT {COLS} WHERE r.starts_at <= ?1 AND r.ends_at > ?1 ORDER BY r.starts_at DESC LIMIT 1"),
            [t],
            shift,
        )
        .optional()?;
    let next = store
        .conn()
        .query_row(
            &format!("SELECT {COLS} WHERE r.starts_at > ?1 ORDER BY r.starts_at LIMIT 1"),
            [t],
            shift,
        )
        .optional()?;
    Ok((current, next))
}

/// Adds a shift; only DSLs and senior leads may, and only for active DSLs.
pub fn add(
    w: &mut Write<'_>,
    username: &str,
    from: DateTime<Utc>,
    to: DateTime<Utc>,
) -> Result<i64> {
    super::staff::require_manager(w, "change the rota")?;
    if to <= from {
        return Err(StoreError::Refused(
            "a shift must end after it starts".into(),
        ));
    }
    if to - from > chrono::Duration::days(7) {
        return Err(StoreError::Refused(
            "a shift longer than 7 days is surely a typo".into(),
        ));
    }
    let s = super::staff::find_in(w.tx(), username.trim())?
        .filter(|s| s.active && s.role != crate::domain::staff::Role::Viewer)
        .ok_or_else(|| StoreError::Refused(format!("no active DSL {username:?}")))?;
    w.tx().execute(
        "INSERT INTO rota (staff_id, starts_at, ends_at) VALUES (?1, ?2, ?3)",
        params![s.id, from.timestamp(), to.timestamp()],
    )?;
    let id = w.tx().last_insert_rowid();
    w.audit(
        "add",
        "rota",
        Some(&s.username),
        Some(&format!("{from} to {to}")),
    )?;
    Ok(id)
}

/// Leaves a note for whoever takes over next. Only an active DSL, deputy
/// or senior lead may: a viewer reads lists and changes nothing (the same
/// rule as the dashboard's `N`), and is refused with nothing written.
pub fn leave_note(w: &mut Write<'_>, body: &str) -> Result<()> {
    let me = super::staff::find_in(w.tx(), w.actor())?
        .filter(|s| s.active)
        .ok_or_else(|| StoreError::Refused(format!("{} is not active staff", w.actor())))?;
    if me.role == crate::domain::staff::Role::Viewer {
        return Err(StoreError::Refused(
            "viewers cannot leave handover notes; ask a DSL to leave it".into(),
        ));
    }
    let body =
        validate_block("note", body, 20_000).map_err(|e| StoreError::Refused(e.to_string()))?;
    let now = w.now().timestamp();
    let rota: Option<i64> = w
        .tx()
        .query_row(
            "SELECT id FROM rota WHERE staff_id = ?1 AND starts_at <= ?2 AND ends_at > ?2",
            params![me.id, now],
            |r| r.get(0),
        )
        .optional()?;
    w.tx().execute(
        "INSERT INTO handover_notes (rota_id, author_id, created_at, body) VALUES (?1, ?2, ?3, ?4)",
        params![rota, me.id, now, body],
    )?;
    w.audit("add", "handover_note", None, None)
}

/// Handover notes left since `since`, oldest first: (when, who, text).
/// A viewer sees that notes were left, not what they say (as with changes).
pub fn notes_since(
    store: &Store,
    viewer: super::escalations::Viewer,
    since: DateTime<Utc>,
) -> Result<Vec<(DateTime<Utc>, String, String)>> {
    let mut stmt = store.conn().prepare(
        "SELECT h.created_at, s.display_name, h.body FROM handover_notes h JOIN staff s ON s.id = h.author_id
         WHERE h.created_at >= ?1 ORDER BY h.created_at",
    )?;
    let rows = stmt.query_map([since.timestamp()], |r| {
        Ok((
            instant(r.get(0)?),
            clean_line(&r.get::<_, String>(1)?),
            if viewer.redacted {
                "(hidden)".into()
            } else {
                clean_block(&r.get::<_, String>(2)?)
            },
        ))
    })?;
    Ok(rows.collect::<rusqlite::Result<_>>()?)
}

/// One change for the handover: when, reference, who, kind, text.
pub type Change = (DateTime<Utc>, String, String, String, String);

/// Chronology entries since `since` on escalations the viewer may see:
/// (when, reference, who, kind, text), oldest first, at most `limit`.
pub fn changes_since(
    store: &Store,
    viewer: super::escalations::Viewer,
    since: DateTime<Utc>,
    limit: i64,
) -> Result<Vec<Change>> {
    let mut stmt = store.conn().prepare(&format!(
        "SELECT c.at, e.reference, s.display_name, c.kind, c.body FROM chronology c
         JOIN escalations e ON e.id = c.escalation_id JOIN staff s ON s.id = c.author_id
         WHERE c.at >= :since AND {} ORDER BY c.at DESC, c.id DESC LIMIT :limit",
        super::escalations::VISIBLE
    ))?;
    let rows = stmt.query_map(
        rusqlite::named_params! {":since": since.timestamp(), ":limit": limit,
        ":senior": viewer.senior, ":me": viewer.staff_id},
        |r| {
            Ok((
                instant(r.get(0)?),
                clean_line(&r.get::<_, String>(1)?),
                clean_line(&r.get::<_, String>(2)?),
                clean_line(&r.get::<_, String>(3)?),
                if viewer.redacted {
                    "(hidden)".into()
                } else {
                    clean_line(&r.get::<_, String>(4)?)
                },
            ))
        },
    )?;
    let mut v: Vec<_> = rows.collect::<rusqlite::Result<_>>()?;
    v.reverse();
    Ok(v)
}

/// Where a handover starts counting changes: the start of the shift before the
/// current one (what happened on the outgoing DSL's watch), else 12 hours ago.
pub fn handover_since(store: &Store, now: DateTime<Utc>) -> Result<DateTime<Utc>> {
    let (cur, _) = now_and_next(store, now)?;
    let before = cur.as_ref().map_or(now, |c| c.starts_at).timestamp();
    let prev: Option<i64> = store
        .conn()
        .query_row(
            "SELECT max(starts_at) FROM rota WHERE starts_at < ?1",
            [before],
            |r| r.get(0),
        )
        .optional()?
        .flatten();
    Ok(match prev {
        Some(t) => instant(t),
        None => now - chrono::Duration::hours(12),
    })
}

/// What the incoming DSL needs, for the handover screen and `dutydesk handover`.
#[derive(Debug, Clone, PartialEq)]
pub struct Handover {
    pub now: DateTime<Utc>,
    pub current: Option<Shift>,
    pub next: Option<Shift>,
    /// Changes are counted from here: the start of the outgoing DSL's shift.
    pub since: DateTime<Utc>,
    /// Notes left since then: (when, who, text).
    pub notes: Vec<(DateTime<Utc>, String, String)>,
    /// Open deadlines due in the next 24 hours (overdue ones first).
    pub due: Vec<crate::domain::deadline::Deadline>,
    pub changes: Vec<Change>,
}

/// Changes listed at most in a handover: enough for any shift.
pub const HANDOVER_CHANGES: i64 = 500;

/// The handover as this viewer may see it.
pub fn handover(
    store: &Store,
    viewer: super::escalations::Viewer,
    now: DateTime<Utc>,
) -> Result<Handover> {
    let (current, next) = now_and_next(store, now)?;
    let since = handover_since(store, now)?;
    Ok(Handover {
        now,
        current,
        next,
        since,
        notes: notes_since(store, viewer, since)?,
        due: super::deadlines::open_due_before(store, viewer, now + chrono::Duration::hours(24))?,
        changes: changes_since(store, viewer, since, HANDOVER_CHANGES)?,
    })
}

/// "I take over now": the actor goes on duty from now until the current
/// shift would have ended (which ends now), or until the next shift starts,
/// or for 12 hours. Any active DSL or deputy may take over; it is audited.
pub fn take_over(w: &mut Write<'_>) -> Result<String> {
    let me = super::staff::find_in(w.tx(), w.actor())?
        .filter(|s| s.active && s.role != crate::domain::staff::Role::Viewer)
        .ok_or_else(|| {
            StoreError::Refused(format!(
                "{} may not go on duty: only an active DSL or deputy may",
                w.actor()
            ))
        })?;
    let now = w.now().timestamp();
    let current: Option<(i64, i64, i64, i64)> = w
        .tx()
        .query_row(
            "SELECT id, staff_id, starts_at, ends_at FROM rota WHERE starts_at <= ?1 AND ends_at > ?1
             ORDER BY starts_at DESC LIMIT 1",
            [now],
            |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?)),
        )
        .optional()?;
    let until = match current {
        Some((_, staff, _, ends)) if staff == me.id => {
            return Err(StoreError::Refused(format!(
                "you are already on duty until {}",
                crate::domain::calendar::format_stamp(instant(ends))
            )));
        }
        Some((id, _, starts, ends)) => {
            // The outgoing shift ends now (a shift must last at least a second).
            w.tx().execute(
                "UPDATE rota SET ends_at = ?2 WHERE id = ?1",
                params![id, now.max(starts + 1)],
            )?;
            ends
        }
        None => {
            let next: Option<i64> = w
                .tx()
                .query_row(
                    "SELECT min(starts_at) FROM rota WHERE starts_at > ?1",
                    [now],
                    |r| r.get(0),
                )
                .optional()?
                .flatten();
            next.unwrap_or(now + 12 * 3600).min(now + 12 * 3600)
        }
    };
    w.tx().execute(
        "INSERT INTO rota (staff_id, starts_at, ends_at) VALUES (?1, ?2, ?3)",
        params![me.id, now, until],
    )?;
    w.audit(
        "take_over",
        "rota",
        Some(&me.username),
        Some(&format!("on duty until {}", instant(until))),
    )?;
    Ok(format!(
        "You are on duty until {}",
        crate::domain::calendar::format_stamp(instant(until))
    ))
}
