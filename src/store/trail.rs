//! The audit trail as people read it (`dutydesk audit`), and who opened a
//! record (shown to senior leads at the end of it).
//!
//! The trail says who did what, when, and to which record; it is not a second
//! copy of the records. So, by the one need-to-know policy
//! ([`super::access`]):
//! - a row about an escalation the reader may not see (named by reference in
//!   `entity_id`, or a review item of one) is left out, exactly as the
//!   escalation itself is left out of lists;
//! - `detail` is never shown on a row about an escalation (entity
//!   `escalation`, `deadline` or `review_item`, or an `entity_id` that is an
//!   escalation's reference), to anyone: older rows hold the first 200
//!   characters of notes, rationales and review decisions there. Whoever may
//!   see the record reads its words in the record, where opening it is itself
//!   audited; the trail shows only that something happened;
//! - only DSLs and senior leads may read it, and every reading is written to
//!   the trail, with what was asked, in the same transaction as the read.

use super::access::{self, Viewer};
use super::{Result, StoreError, Write};
use crate::domain::staff::Role;
use crate::domain::text::clean_line;
use rusqlite::{Connection, named_params};

/// One line of the audit trail as shown to its reader.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct Line {
    pub id: i64,
    /// When, UTC seconds.
    pub at: i64,
    pub actor: String,
    pub action: String,
    pub entity: String,
    pub entity_id: Option<String>,
    /// Left out (None) on every row about an escalation: see the module doc.
    pub detail: Option<String>,
}

/// What a reader asks of the trail; every part is optional.
#[derive(Debug, Clone, Copy, Default)]
pub struct Query<'a> {
    /// One record: an escalation reference (resolved by the need-to-know
    /// policy) or any other record's id (a username, a review item...).
    pub record: Option<&'a str>,
    /// One user's actions (their OS account name).
    pub user: Option<&'a str>,
    /// Rows at or after this instant, UTC seconds.
    pub since: Option<i64>,
    /// At most this many rows, the most recent.
    pub limit: i64,
}

/// Who may read the trail: DSLs and senior leads (the founding design;
/// issue 14). Deputies and viewers work from the records they may see.
pub fn may_read(role: Role) -> bool {
    matches!(role, Role::Dsl | Role::Senior)
}

/// Whether `s` has the shape of an escalation reference ("SG-2026-0042", any
/// case): such a record filter is resolved through the need-to-know policy,
/// so a hidden reference and a missing one get the same refusal.
pub fn looks_like_reference(s: &str) -> bool {
    let s = access::normalise_reference(s);
    let mut parts = s.split('-');
    matches!(
        (parts.next(), parts.next(), parts.next(), parts.next()),
        (Some("SG"), Some(y), Some(n), None)
            if y.len() == 4 && y.bytes().all(|b| b.is_ascii_digit())
                && !n.is_empty() && n.bytes().all(|b| b.is_ascii_digit())
    )
}

/// Rows about an escalation `e` that the reader may not see: named by
/// reference, or a review item of one.
const HIDDEN_ROW: &str = concat!(
    "(EXISTS (SELECT 1 FROM escalations e
        WHERE e.reference = upper(trim(t.entity_id)) AND NOT ",
    super::access::visible_sql!("e"),
    ")
     OR (t.entity = 'review_item' AND EXISTS (SELECT 1 FROM review_items i
        JOIN escalations e ON e.id = i.escalation_id
        WHERE CAST(i.id AS TEXT) = t.entity_id AND NOT ",
    super::access::visible_sql!("e"),
    ")))"
);

/// Rows about an escalation, whose `detail` is never shown.
const ABOUT_ESCALATION: &str = "(t.entity IN ('escalation', 'deadline', 'review_item')
    OR EXISTS (SELECT 1 FROM escalations e WHERE e.reference = upper(trim(t.entity_id))))";

/// Reads the trail for the user the write acts for, oldest first, and records
/// the reading (action `read`: entity `escalation` and its reference when one
/// was asked for, so the reading is itself hidden from those who may not see
/// that record; else entity `audit_log`; detail `user=...; since=...`), in the
/// same transaction.
///
/// Errors: a refusal for anyone but an active DSL or senior lead; the same
/// [`StoreError::NotVisible`] for an escalation reference that is hidden from
/// them or does not exist. Nothing is written when refused.
pub fn read(w: &mut Write<'_>, q: &Query<'_>) -> Result<Vec<Line>> {
    let me = super::staff::find_in(w.tx(), w.actor())?
        .filter(|s| s.active)
        .ok_or_else(|| StoreError::Refused(format!("{} is not active staff", w.actor())))?;
    if !may_read(me.role) {
        return Err(StoreError::Refused(
            "only a DSL or senior lead may read the audit trail; ask one of them".into(),
        ));
    }
    let viewer = Viewer::from(&me);
    let escalation = match q.record.map(str::trim) {
        Some(r) if looks_like_reference(r) => Some((
            access::resolve(w.tx(), viewer, r)?,
            access::normalise_reference(r),
        )),
        _ => None,
    };
    let rows = lines(w.tx(), viewer, q, escalation.as_ref().map(|(id, _)| *id))?;
    let mut asked = Vec::new();
    if let Some(u) = q.user {
        asked.push(format!("user={}", clean_line(u)));
    }
    if let Some(t) = q.since {
        asked.push(format!("since={t}"));
    }
    match (&escalation, q.record) {
        (Some((_, reference)), _) => {
            let detail = if asked.is_empty() {
                "every row".to_string()
            } else {
                asked.join("; ")
            };
            w.audit("read", "escalation", Some(reference), Some(&detail))?
        }
        (None, record) => {
            if let Some(r) = record {
                asked.insert(0, format!("record={}", clean_line(r.trim())));
            }
            let detail = if asked.is_empty() {
                "whole trail".to_string()
            } else {
                asked.join("; ")
            };
            w.audit("read", "audit_log", None, Some(&detail))?
        }
    }
    Ok(rows)
}

/// The trail's SQL for the filters `q` sets, newest first (bind
/// `:reference`, `:escalation`, `:user`, `:since`, `:limit`, `:senior`,
/// `:me` as used). Only the filters asked for are written, so each reads
/// its own index (schema v13: `audit_log_by_actor`, `audit_log_by_at`;
/// `audit_log_by_entity` for a record) instead of walking the whole trail
/// past `:x IS NULL OR ...` terms the planner cannot use. Also explained by
/// `store::plans::history`.
pub(crate) fn lines_sql(q: &Query<'_>, escalation: bool) -> String {
    let mut filters: Vec<&str> = Vec::new();
    if escalation {
        // Rows naming the escalation, and rows about its review items.
        filters.push(
            "((t.entity IN ('escalation', 'deadline') AND t.entity_id = :reference)
              OR (t.entity = 'review_item' AND t.entity_id IN (
                  SELECT CAST(id AS TEXT) FROM review_items WHERE escalation_id = :escalation)))",
        );
    } else if q.record.is_some() {
        filters.push("t.entity_id = :reference");
    }
    // One index to read from: the user's rows, else the rows since.
    let from = match (
        q.user.is_some(),
        q.since.is_some(),
        escalation || q.record.is_some(),
    ) {
        (true, _, false) => "audit_log t INDEXED BY audit_log_by_actor",
        (false, true, false) => "audit_log t INDEXED BY audit_log_by_at",
        _ => "audit_log t",
    };
    if q.user.is_some() {
        filters.push("t.actor = :user");
    }
    if q.since.is_some() {
        filters.push("t.at >= :since");
    }
    filters.push(concat!("NOT ", "{HIDDEN}"));
    let filters = filters.join(" AND ").replace("{HIDDEN}", HIDDEN_ROW);
    format!(
        "SELECT t.id, t.at, t.actor, t.action, t.entity, t.entity_id,
            CASE WHEN {ABOUT_ESCALATION} THEN NULL ELSE t.detail END
         FROM {from}
         WHERE {filters}
         ORDER BY t.id DESC LIMIT :limit"
    )
}

/// The rows `viewer` may see for `q`; `escalation` is the id of the
/// escalation asked for, already resolved.
fn lines(
    conn: &Connection,
    viewer: Viewer,
    q: &Query<'_>,
    escalation: Option<i64>,
) -> Result<Vec<Line>> {
    let sql = lines_sql(q, escalation.is_some());
    let reference = match escalation {
        Some(_) => q.record.map(access::normalise_reference),
        None => q.record.map(|r| r.trim().to_string()),
    };
    let mut stmt = conn.prepare(&sql)?;
    let offered: &[(&str, &dyn rusqlite::ToSql)] = named_params! {
        ":reference": reference, ":escalation": escalation, ":user": q.user, ":since": q.since,
        ":limit": q.limit, ":senior": viewer.senior, ":me": viewer.staff_id,
    };
    let params: Vec<(&str, &dyn rusqlite::ToSql)> = offered
        .iter()
        .copied()
        .filter(|(n, _)| matches!(stmt.parameter_index(n), Ok(Some(_))))
        .collect();
    let mut rows: Vec<Line> = stmt
        .query_map(params.as_slice(), |x| {
            Ok(Line {
                id: x.get(0)?,
                at: x.get(1)?,
                actor: clean_line(&x.get::<_, String>(2)?),
                action: clean_line(&x.get::<_, String>(3)?),
                entity: clean_line(&x.get::<_, String>(4)?),
                entity_id: x.get::<_, Option<String>>(5)?.map(|s| clean_line(&s)),
                detail: x.get::<_, Option<String>>(6)?.map(|s| clean_line(&s)),
            })
        })?
        .collect::<rusqlite::Result<_>>()?;
    rows.reverse();
    Ok(rows)
}

/// Who has opened an escalation's record, most recent first: (when, UTC
/// seconds; display name). Shown to senior leads at the end of a record they
/// may see; the caller has already checked that.
pub fn viewers(conn: &Connection, reference: &str) -> Result<Vec<(i64, String)>> {
    let mut stmt = conn.prepare_cached(
        "SELECT max(a.at), coalesce(s.display_name, a.actor) FROM audit_log a
         LEFT JOIN staff s ON s.username = a.actor
         WHERE a.entity = 'escalation' AND a.entity_id = ?1 AND a.action IN ('view', 'lookup')
         GROUP BY a.actor ORDER BY max(a.at) DESC LIMIT 20",
    )?;
    let rows = stmt.query_map([reference], |x| {
        Ok((x.get(0)?, clean_line(&x.get::<_, String>(1)?)))
    })?;
    Ok(rows.collect::<rusqlite::Result<_>>()?)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn references_are_recognised_in_any_case_and_nothing_else_is() {
        assert!(looks_like_reference("SG-2026-0042"));
        assert!(looks_like_reference(" sg-2026-12345 "));
        for s in [
            "alice",
            "17",
            "SG-2026",
            "SG-26-0042",
            "SG-2026-00x2",
            "XX-2026-0042",
        ] {
            assert!(!looks_like_reference(s), "{s}");
        }
    }
}
