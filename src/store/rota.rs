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

/// The shift under way at `now`, and the next one to start, by the rota in
/// force (one-off shifts and the weekly pattern they override). A shift's
/// `id` is its `rota` row or its pattern.
pub fn now_and_next(store: &Store, now: DateTime<Utc>) -> Result<(Option<Shift>, Option<Shift>)> {
    let conn = store.conn();
    let shifts = in_force(conn, now, now + chrono::Duration::days(14))?;
    let names = staff_names(conn)?;
    let as_shift = |s: &plan::Shift| {
        let (username, who) = names.get(&s.staff_id).cloned().unwrap_or_default();
        Shift {
            id: match s.source {
                Source::Pattern(id) | Source::OneOff(id) => id,
            },
            who,
            username,
            starts_at: s.starts_at,
            ends_at: s.ends_at,
        }
    };
    let current = plan::on_duty(&shifts, now).map(as_shift);
    let next = shifts
        .iter()
        .filter(|s| s.starts_at > now)
        .min_by_key(|s| s.starts_at)
        .map(as_shift);
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
        return Err(StoreError::Invalid(
            "a shift must end after it starts".into(),
        ));
    }
    if to - from > chrono::Duration::days(7) {
        return Err(StoreError::Invalid(
            "a shift longer than 7 days is surely a typo".into(),
        ));
    }
    let s = super::staff::find_in(w.tx(), username.trim())?
        .filter(|s| s.active && s.role != crate::domain::staff::Role::Viewer)
        .ok_or_else(|| StoreError::Invalid(format!("no active DSL {username:?}")))?;
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
        validate_block("note", body, 20_000).map_err(|e| StoreError::Invalid(e.to_string()))?;
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

/// The handover's changes (bind `:since`, `:limit`, `:senior`, `:me`): the
/// newest entries first from `chronology_by_at` (schema v13), so a shift's
/// changes cost what the shift holds, not the whole chronology.
pub(crate) fn changes_since_sql() -> String {
    format!(
        "SELECT c.at, e.reference, s.display_name, c.kind, c.body
         FROM chronology c INDEXED BY chronology_by_at
         JOIN escalations e ON e.id = c.escalation_id JOIN staff s ON s.id = c.author_id
         WHERE c.at >= :since AND {} ORDER BY c.at DESC, c.id DESC LIMIT :limit",
        super::escalations::VISIBLE
    )
}

/// Chronology entries since `since` on escalations the viewer may see:
/// (when, reference, who, kind, text), oldest first, at most `limit`.
pub fn changes_since(
    store: &Store,
    viewer: super::escalations::Viewer,
    since: DateTime<Utc>,
    limit: i64,
) -> Result<Vec<Change>> {
    let mut stmt = store.conn().prepare(&changes_since_sql())?;
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
    /// Open deadlines due in the next 24 hours (overdue ones first), the
    /// first [`HANDOVER_DUE`] of them.
    pub due: Vec<crate::domain::deadline::Deadline>,
    /// How many open deadlines are due in the next 24 hours in all,
    /// overdue ones included (more than `due` holds on a busy desk).
    pub due_total: i64,
    pub changes: Vec<Change>,
}

/// Changes listed at most in a handover: enough for any shift.
pub const HANDOVER_CHANGES: i64 = 500;

/// Deadlines due in the next 24 hours listed at most in a handover, the
/// soonest (longest overdue) first; how many there are is counted
/// ([`Handover::due_total`]) and `dutydesk deadlines` lists every one. A
/// desk with 137,000 open cases has some 100,000 overdue: reading them
/// all cost 100 ms on the store worker at every start (issue 21).
pub const HANDOVER_DUE: i64 = 200;

/// The handover as this viewer may see it, every deadline due in the next
/// 24 hours listed (`dutydesk handover`, whose JSON `due` is that list).
pub fn handover(
    store: &Store,
    viewer: super::escalations::Viewer,
    now: DateTime<Utc>,
) -> Result<Handover> {
    handover_listing(store, viewer, now, None)
}

/// The handover for the screen: the first [`HANDOVER_DUE`] deadlines due
/// in the next 24 hours and how many there are, so it costs what it shows
/// (issue 21: 100 ms at 137,000 open cases, asked for at every start).
pub fn handover_shown(
    store: &Store,
    viewer: super::escalations::Viewer,
    now: DateTime<Utc>,
) -> Result<Handover> {
    handover_listing(store, viewer, now, Some(HANDOVER_DUE))
}

/// The handover without its deadlines (only how many: `due_total`), for
/// `dutydesk handover`, which then writes every one as it reads them
/// ([`super::deadlines::open_due_each`]): bounded memory at any size.
pub fn handover_head(
    store: &Store,
    viewer: super::escalations::Viewer,
    now: DateTime<Utc>,
) -> Result<Handover> {
    handover_listing(store, viewer, now, Some(0))
}

fn handover_listing(
    store: &Store,
    viewer: super::escalations::Viewer,
    now: DateTime<Utc>,
    due_limit: Option<i64>,
) -> Result<Handover> {
    let (current, next) = now_and_next(store, now)?;
    let since = handover_since(store, now)?;
    let until = now + chrono::Duration::hours(24);
    // SQLite reads LIMIT -1 as no limit.
    let due = super::deadlines::open_due_before(store, viewer, until, due_limit.unwrap_or(-1))?;
    let due_total = match due_limit {
        Some(n) if due.len() as i64 >= n => super::deadlines::open_due_count(store, viewer, until)?,
        _ => due.len() as i64,
    };
    Ok(Handover {
        now,
        current,
        next,
        since,
        notes: notes_since(store, viewer, since)?,
        due,
        due_total,
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
    let at = w.now();
    let shifts = in_force(w.tx(), at, at + chrono::Duration::days(14))?;
    let current = plan::on_duty(&shifts, at).cloned();
    let until = match current {
        Some(c) if c.staff_id == me.id => {
            return Err(StoreError::Refused(format!(
                "you are already on duty until {}",
                crate::domain::calendar::format_stamp(c.ends_at)
            )));
        }
        Some(c) => {
            // A one-off shift ends now (a shift lasts at least a second); a
            // pattern shift is overridden by the new one-off shift below.
            if let Source::OneOff(id) = c.source {
                w.tx().execute(
                    "UPDATE rota SET ends_at = ?2 WHERE id = ?1",
                    params![id, now.max(c.starts_at.timestamp() + 1)],
                )?;
            }
            c.ends_at.timestamp()
        }
        None => {
            let next = shifts
                .iter()
                .filter(|s| s.starts_at > at)
                .map(|s| s.starts_at.timestamp())
                .min();
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

// ---- Weekly patterns and the rota in force (schema v6, issue 19) ----

use crate::domain::rota::{self as plan, Pattern, Source};

/// Every active weekly pattern, oldest first.
pub fn patterns(conn: &rusqlite::Connection) -> Result<Vec<Pattern>> {
    let mut stmt = conn.prepare_cached(
        "SELECT id, staff_id, weekdays, starts, ends, valid_from, valid_until
         FROM rota_patterns WHERE active = 1 ORDER BY id",
    )?;
    let rows = stmt.query_map([], |r| {
        let t = |s: String| chrono::NaiveTime::parse_from_str(&s, "%H:%M").ok();
        let d = |s: Option<String>| {
            s.and_then(|s| chrono::NaiveDate::parse_from_str(&s, "%Y-%m-%d").ok())
        };
        Ok((
            r.get::<_, i64>(0)?,
            r.get::<_, i64>(1)?,
            r.get::<_, u8>(2)?,
            t(r.get(3)?),
            t(r.get(4)?),
            d(r.get(5)?),
            d(r.get(6)?),
        ))
    })?;
    let mut out = Vec::new();
    for row in rows {
        // A row whose times do not parse (edited outside dutydesk) is left
        // out rather than guessed at; `rota check` then shows its gap.
        if let (id, staff_id, weekdays, Some(starts), Some(ends), from, until) = row? {
            out.push(Pattern {
                id,
                staff_id,
                weekdays,
                starts,
                ends,
                from,
                until,
            });
        }
    }
    Ok(out)
}

/// One-off shifts (the `rota` table) overlapping [`from`, `to`).
pub fn one_offs(
    conn: &rusqlite::Connection,
    from: DateTime<Utc>,
    to: DateTime<Utc>,
) -> Result<Vec<plan::Shift>> {
    let mut stmt = conn.prepare_cached(
        "SELECT id, staff_id, starts_at, ends_at FROM rota
         WHERE starts_at < ?2 AND ends_at > ?1 ORDER BY starts_at",
    )?;
    let rows = stmt.query_map(params![from.timestamp(), to.timestamp()], |r| {
        Ok(plan::Shift {
            source: Source::OneOff(r.get(0)?),
            staff_id: r.get(1)?,
            starts_at: instant(r.get(2)?),
            ends_at: instant(r.get(3)?),
        })
    })?;
    Ok(rows.collect::<rusqlite::Result<_>>()?)
}

/// The rota in force over [`from`, `to`): one-off shifts, and the weekly
/// pattern where no one-off shift overrides it (`domain::rota::effective`).
pub fn in_force(
    conn: &rusqlite::Connection,
    from: DateTime<Utc>,
    to: DateTime<Utc>,
) -> Result<Vec<plan::Shift>> {
    // One-offs a little wider than the window, so a pattern shift that
    // straddles its edge is cut where they meet it.
    let pad = chrono::Duration::days(2);
    let ones = one_offs(conn, from - pad, to + pad)?;
    Ok(
        plan::effective(&ones, &plan::expand(&patterns(conn)?, from - pad, to + pad))
            .into_iter()
            .filter(|s| s.ends_at > from && s.starts_at < to)
            .collect(),
    )
}

/// Who is on duty at `at` by the rota in force (staff id).
pub fn on_duty_id(conn: &rusqlite::Connection, at: DateTime<Utc>) -> Result<Option<i64>> {
    let shifts = in_force(conn, at, at + chrono::Duration::seconds(1))?;
    Ok(plan::on_duty(&shifts, at).map(|s| s.staff_id))
}

/// Adds a weekly pattern for `username` ("Mon-Fri 09:00-17:00", UK time),
/// from and until the UK dates given (inclusive). DSLs and senior leads only,
/// for active staff who work cases; audited.
pub fn add_pattern(
    w: &mut Write<'_>,
    username: &str,
    text: &str,
    from: Option<chrono::NaiveDate>,
    until: Option<chrono::NaiveDate>,
) -> Result<i64> {
    super::staff::require_manager(w, "change the rota")?;
    let weekly = plan::parse_weekly(text).map_err(StoreError::Invalid)?;
    if let (Some(f), Some(u)) = (from, until)
        && u < f
    {
        return Err(StoreError::Invalid(format!(
            "--until {u} is before --from {f}"
        )));
    }
    let s = super::staff::find_in(w.tx(), username.trim())?
        .filter(|s| s.active && s.role != crate::domain::staff::Role::Viewer)
        .ok_or_else(|| StoreError::Invalid(format!("no active DSL {username:?}")))?;
    w.tx().execute(
        "INSERT INTO rota_patterns (staff_id, weekdays, starts, ends, valid_from, valid_until, created_at)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
        params![
            s.id,
            weekly.weekdays,
            weekly.starts.format("%H:%M").to_string(),
            weekly.ends.format("%H:%M").to_string(),
            from.map(|d| d.to_string()),
            until.map(|d| d.to_string()),
            w.now().timestamp()
        ],
    )?;
    let id = w.tx().last_insert_rowid();
    w.audit(
        "add",
        "rota_pattern",
        Some(&s.username),
        Some(&plan::format_weekly(
            weekly.weekdays,
            weekly.starts,
            weekly.ends,
        )),
    )?;
    Ok(id)
}

/// Ends a weekly pattern (kept for the trail, no longer in force).
pub fn remove_pattern(w: &mut Write<'_>, id: i64) -> Result<()> {
    super::staff::require_manager(w, "change the rota")?;
    let n = w.tx().execute(
        "UPDATE rota_patterns SET active = 0 WHERE id = ?1 AND active = 1",
        [id],
    )?;
    if n == 0 {
        return Err(StoreError::Invalid(format!(
            "no weekly pattern {id} in force: `dutydesk rota pattern list` shows them"
        )));
    }
    w.audit("remove", "rota_pattern", Some(&id.to_string()), None)
}

/// A pattern as listed: id, account, display name, "Mon-Fri 09:00-17:00", from, until.
pub type PatternRow = (i64, String, String, String, Option<String>, Option<String>);

/// Every pattern in force, for `rota pattern list`.
pub fn pattern_rows(conn: &rusqlite::Connection) -> Result<Vec<PatternRow>> {
    let names = staff_names(conn)?;
    Ok(patterns(conn)?
        .into_iter()
        .map(|p| {
            let (user, name) = names.get(&p.staff_id).cloned().unwrap_or_default();
            (
                p.id,
                user,
                name,
                plan::format_weekly(p.weekdays, p.starts, p.ends),
                p.from.map(|d| d.to_string()),
                p.until.map(|d| d.to_string()),
            )
        })
        .collect())
}

/// Account and display name of every staff member, by id.
pub fn staff_names(
    conn: &rusqlite::Connection,
) -> Result<std::collections::HashMap<i64, (String, String)>> {
    let mut stmt = conn.prepare_cached("SELECT id, username, display_name FROM staff")?;
    let rows = stmt.query_map([], |r| {
        Ok((
            r.get::<_, i64>(0)?,
            (r.get::<_, String>(1)?, clean_line(&r.get::<_, String>(2)?)),
        ))
    })?;
    Ok(rows.collect::<rusqlite::Result<_>>()?)
}

/// [`in_force`] on a store.
pub fn in_force_of(
    store: &Store,
    from: DateTime<Utc>,
    to: DateTime<Utc>,
) -> Result<Vec<plan::Shift>> {
    in_force(store.conn(), from, to)
}

/// [`staff_names`] on a store.
pub fn names(store: &Store) -> Result<std::collections::HashMap<i64, (String, String)>> {
    staff_names(store.conn())
}

/// [`pattern_rows`] on a store.
pub fn patterns_of(store: &Store) -> Result<Vec<PatternRow>> {
    pattern_rows(store.conn())
}
