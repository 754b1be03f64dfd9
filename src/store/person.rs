//! A person's chronology (issue 18): every escalation linked to one (directly
//! or through others) about the same person, merged in time order with each
//! entry's reference, and unlinking a case linked in error.
//!
//! Need-to-know holds: the walk follows links only through cases the viewer
//! may see, so a hidden case neither appears nor joins two visible ones; a
//! viewer's copy has no names or entry words (as their record has none).
//! Opening the chronology audits a view of every case it shows.

use super::access::{Viewer, visible_sql};
use super::workflow::{Done, actor, current, done, seen_wherever, text};
use super::{Result, StoreError, Write};
use crate::domain::casework::{MAX_REASON, PersonCase, PersonChronology, merge};
use crate::domain::escalation::{Risk, Status};
use crate::domain::text::clean_line;
use rusqlite::{Connection, named_params, params};

/// The most cases one chronology gathers: a person with more linked
/// concerns than this is shown the most recent this many, and told.
pub const MAX_CASES: usize = 200;

/// Cases linked to `id` directly that `viewer` may see: (reference, status),
/// oldest first.
pub fn links(conn: &Connection, viewer: Viewer, id: i64) -> Result<Vec<(String, Status)>> {
    Ok(neighbours(conn, viewer, id)?
        .into_iter()
        .map(|(_, r, s)| (r, s))
        .collect())
}

fn neighbours(conn: &Connection, viewer: Viewer, id: i64) -> Result<Vec<(i64, String, Status)>> {
    let mut stmt = conn.prepare_cached(concat!(
        "SELECT o.id, o.reference, o.status FROM escalation_links l
         JOIN escalations o ON o.id = CASE WHEN l.escalation_id = :id THEN l.linked_id ELSE l.escalation_id END
         WHERE (l.escalation_id = :id OR l.linked_id = :id) AND ",
        visible_sql!("o"),
        " ORDER BY o.raised_at, o.id"
    ))?;
    let rows = stmt.query_map(
        named_params! {":id": id, ":senior": viewer.senior, ":me": viewer.staff_id},
        |r| {
            Ok((
                r.get::<_, i64>(0)?,
                clean_line(&r.get::<_, String>(1)?),
                Status::from_code(&r.get::<_, String>(2)?).unwrap_or(Status::New),
            ))
        },
    )?;
    Ok(rows.collect::<rusqlite::Result<_>>()?)
}

/// Every case reachable from `id` through links among cases `viewer` may
/// see (`id` itself first), at most [`MAX_CASES`].
fn component(conn: &Connection, viewer: Viewer, id: i64) -> Result<(Vec<i64>, bool)> {
    let mut seen = vec![id];
    let mut i = 0;
    let mut cut = false;
    while i < seen.len() {
        for (o, _, _) in neighbours(conn, viewer, seen[i])? {
            if !seen.contains(&o) {
                if seen.len() >= MAX_CASES {
                    cut = true;
                    break;
                }
                seen.push(o);
            }
        }
        i += 1;
    }
    Ok((seen, cut))
}

/// A cheap fingerprint of the person's cases: (cases, sum of versions, sum
/// of chronology entries). An open screen reloads only when it moves.
pub fn stamp(conn: &Connection, viewer: Viewer, id: i64) -> Result<Option<(i64, i64, i64)>> {
    if !super::access::may_see(conn, viewer, id)? {
        return Ok(None);
    }
    let (ids, _) = component(conn, viewer, id)?;
    let mut versions = 0;
    let mut entries = 0;
    let mut stmt = conn.prepare_cached(
        "SELECT version, (SELECT count(*) FROM chronology WHERE escalation_id = ?1)
         FROM escalations WHERE id = ?1",
    )?;
    for i in &ids {
        let (v, n): (i64, i64) = stmt.query_row([i], |r| Ok((r.get(0)?, r.get(1)?)))?;
        versions += v;
        entries += n;
    }
    Ok(Some((ids.len() as i64, versions, entries)))
}

/// The chronology of the person escalation `id` is about, read in the write
/// that audits it: a `view` row for every case shown (as opening each record
/// would), and nothing when `id` is hidden or missing (the same refusal).
pub fn chronology(w: &mut Write<'_>, id: i64) -> Result<PersonChronology> {
    let viewer = super::access::writer(w)?;
    super::access::check_id(w.tx(), viewer, id)?;
    let (ids, cut) = component(w.tx(), viewer, id)?;
    let mut cases: Vec<(PersonCase, Vec<crate::domain::escalation::ChronologyEntry>)> = Vec::new();
    for i in &ids {
        let Some(d) = super::escalations::detail_in(w.tx(), viewer, *i)? else {
            continue;
        };
        let s = &d.summary;
        cases.push((
            PersonCase {
                id: s.id,
                reference: s.reference.clone(),
                status: s.status,
                risk: s.risk,
                raised_at: s.raised_at,
                categories: s.categories.clone(),
                subject_name: (!viewer.redacted).then(|| d.subject_name.clone()),
                restricted: s.restricted,
            },
            d.chronology.clone(),
        ));
    }
    cases.sort_by_key(|(c, _)| (c.raised_at, c.id));
    let from = cases
        .iter()
        .find(|(c, _)| c.id == id)
        .map(|(c, _)| c.reference.clone())
        .unwrap_or_default();
    let entries = merge(
        &cases
            .iter()
            .map(|(c, e)| (c.reference.clone(), e.clone()))
            .collect::<Vec<_>>(),
    );
    for (c, _) in &cases {
        super::escalations::record_view(w, c.id, &c.reference)?;
    }
    w.audit(
        "lookup",
        "escalation",
        Some(&from),
        Some(&format!(
            "person: {} case(s){}",
            cases.len(),
            if cut { ", cut at the limit" } else { "" }
        )),
    )?;
    let stamp = stamp(w.tx(), viewer, id)?.unwrap_or_default();
    Ok(PersonChronology {
        from,
        cases: cases.into_iter().map(|(c, _)| c).collect(),
        entries,
        stamp,
    })
}

/// Unlinks two escalations linked in error, with a reason (required): both
/// must be cases the actor may see (the same refusal for hidden and
/// missing). Like linking, each side's chronology names the other only where
/// every reader of the one may see the other; the audit trail records the
/// unlink on both.
pub fn unlink(w: &mut Write<'_>, id: i64, other: i64, reason: &str) -> Result<Done> {
    let me = actor(w)?;
    let c = current(w, &me, id)?;
    let o = current(w, &me, other)?;
    let reason = text("reason", reason, MAX_REASON).map_err(|_| {
        StoreError::Invalid(
            "unlinking needs a reason (--reason \"...\"): why these are not the same person".into(),
        )
    })?;
    let (a, b) = (c.id.min(o.id), c.id.max(o.id));
    let n = w.tx().execute(
        "DELETE FROM escalation_links WHERE escalation_id = ?1 AND linked_id = ?2",
        params![a, b],
    )?;
    if n == 0 {
        return Err(StoreError::Refused(format!(
            "{} and {} are not linked",
            c.reference, o.reference
        )));
    }
    let now = w.now();
    for (this, that) in [(&c, &o), (&o, &c)] {
        if seen_wherever(w, this.id, that.id)? {
            super::escalations::add_chronology(
                w,
                this.id,
                me.id,
                now,
                "edited",
                &format!(
                    "Unlinked from {} by {}: not the same person. Reason: {reason}",
                    that.reference, me.display_name
                ),
            )?;
        }
        w.audit("unlink", "escalation", Some(&this.reference), None)?;
    }
    Ok(done(
        &c,
        format!("{} unlinked from {}", c.reference, o.reference),
    ))
}

/// A person case's risk badge and status, for lists.
pub fn case_line(c: &PersonCase) -> String {
    format!(
        "{}{} · {} · {} · raised {}{}",
        c.reference,
        c.subject_name
            .as_deref()
            .map(|n| format!(" ({n})"))
            .unwrap_or_default(),
        c.status.label(),
        match c.risk {
            Risk::High => "high risk",
            Risk::Medium => "medium risk",
            Risk::Low => "low risk",
        },
        crate::domain::calendar::format_stamp(c.raised_at),
        if c.categories.is_empty() {
            String::new()
        } else {
            format!(" · {}", c.categories.join(", "))
        }
    )
}
