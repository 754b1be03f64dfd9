//! Which alerts each user has had: an event is announced once per user, across
//! all their sessions and `dutydesk notify --once`.

use super::deadlines;
use super::escalations::Viewer;
use super::{Result, Store};
use crate::domain::alert::{Alert, AlertKind, deadline_alerts};
use crate::domain::staff::StaffMember;
use crate::domain::text::clean_line;
use chrono::{DateTime, Duration, Utc};
use rusqlite::params;

/// How far back an assignment still counts as news.
pub const ASSIGNED_WITHIN: Duration = Duration::hours(24);

/// Every alert `me` should have now, announced or not.
pub fn pending(store: &Store, me: &StaffMember, now: DateTime<Utc>) -> Result<Vec<Alert>> {
    pending_except(store, me, now, &std::collections::HashSet::new())
}

/// [`pending`] less the deadline alerts in `known` (already announced in
/// this session): those are never looked at again, so a desk with
/// thousands of overdue deadlines pays for the new ones only. Only
/// deadlines whose warning has begun are read ([`deadlines::open_warned`]).
pub fn pending_except(
    store: &Store,
    me: &StaffMember,
    now: DateTime<Utc>,
    known: &std::collections::HashSet<(AlertKind, i64)>,
) -> Result<Vec<Alert>> {
    pending_among(store, me, now, known, None)
}

/// [`pending_except`], only about the escalations `among` when given: an
/// incremental alert check (`alerts::since` said `Among`) reads only the
/// cases whose alerts can have changed since it last looked; every other
/// alert it would find was announced then (or is in `known`).
pub fn pending_among(
    store: &Store,
    me: &StaffMember,
    now: DateTime<Utc>,
    known: &std::collections::HashSet<(AlertKind, i64)>,
    among: Option<&[i64]>,
) -> Result<Vec<Alert>> {
    let viewer = Viewer::from(me);
    let open = deadlines::open_warned_among(store, viewer, now, among)?;
    let on_duty = super::staff::on_duty(store, now.timestamp())?.map(|s| s.id);
    let mut alerts = deadline_alerts(&open, now, me.id, on_duty);
    alerts.retain(|a| !known.contains(&(a.kind, a.subject_id)));
    // Alerts leave the desk (desktop, terminal title, cron mail): a deadline
    // set by hand (a task, a review action) may hold words, so it is named
    // generically; the screen's own panels show its label.
    for a in &mut alerts {
        let by_rule: bool = store.conn().query_row(
            "SELECT rule_id IS NOT NULL FROM deadlines WHERE id = ?1",
            [a.subject_id],
            |r| r.get(0),
        )?;
        if !by_rule {
            a.label = if super::tasks::is_task(store.conn(), a.subject_id)? {
                "A task".into()
            } else {
                "An action".into()
            };
        }
    }
    // Only escalations `me` may see: a case restricted after it was
    // assigned (or one they were later excluded from) is never announced.
    // The whole desk: from the cases `me` holds; a few cases: from their ids
    // (the holder's cases are thousands on a large desk).
    let from = match among {
        None => "chronology c JOIN escalations e ON e.id = c.escalation_id",
        Some(_) => {
            "rarray(:among) x CROSS JOIN escalations e ON e.id = x.value
             CROSS JOIN chronology c ON c.escalation_id = e.id"
        }
    };
    let mut stmt = store.conn().prepare_cached(&format!(
        "SELECT c.id, e.reference FROM {from}
         WHERE c.kind = 'assigned' AND c.at >= :since AND c.author_id <> :me
           AND e.assignee_id = :me AND e.status <> 'closed'
           AND c.id = (SELECT max(id) FROM chronology
                       WHERE escalation_id = e.id AND kind = 'assigned')
           AND {}
         ORDER BY c.at",
        super::escalations::VISIBLE
    ))?;
    let ids = super::id_array(among.unwrap_or_default());
    let p = rusqlite::named_params! {":me": me.id, ":since": (now - ASSIGNED_WITHIN).timestamp(),
    ":senior": viewer.senior};
    let mut all = p.to_vec();
    if among.is_some() {
        all.push((":among", &ids as &dyn rusqlite::ToSql));
    }
    let assigned = stmt.query_map(all.as_slice(), |r| {
        Ok(Alert {
            kind: AlertKind::Assigned,
            subject_id: r.get(0)?,
            reference: clean_line(&r.get::<_, String>(1)?),
            label: String::new(),
            due_at: None,
        })
    })?;
    for a in assigned {
        alerts.push(a?);
    }
    // Cases taken from `me` by someone else (schema v4 `assignments`), still
    // visible to them: the previous holder is told, without who or why.
    let mut stmt = store.conn().prepare_cached(&format!(
        "SELECT a.chronology_id, e.reference
         FROM assignments a INDEXED BY assignments_from
         JOIN chronology c ON c.id = a.chronology_id
         JOIN escalations e ON e.id = a.escalation_id
         WHERE a.from_id = :me AND a.at >= :since AND a.to_id <> :me AND c.author_id <> :me
           AND {} AND (:all OR a.escalation_id IN rarray(:among))
         ORDER BY a.at",
        super::escalations::VISIBLE
    ))?;
    let taken = stmt.query_map(
        rusqlite::named_params! {
            ":me": me.id,
            ":since": (now - ASSIGNED_WITHIN).timestamp(),
            ":senior": viewer.senior,
            ":all": among.is_none(),
            ":among": ids,
        },
        |r| {
            Ok(Alert {
                kind: AlertKind::Taken,
                subject_id: r.get(0)?,
                reference: clean_line(&r.get::<_, String>(1)?),
                label: String::new(),
                due_at: None,
            })
        },
    )?;
    for a in taken {
        alerts.push(a?);
    }
    alerts.extend(unacknowledged(store, me, now, on_duty, among)?);
    Ok(alerts)
}

/// The "not acknowledged" part of [`pending`]: for each open case `me` may
/// see that nobody has acknowledged (of `among` when given), the alert its
/// age calls for now (`domain::alert::unacknowledged_alert`: the window,
/// then twice it); none for a viewer.
fn unacknowledged(
    store: &Store,
    me: &StaffMember,
    now: DateTime<Utc>,
    on_duty: Option<i64>,
    among: Option<&[i64]>,
) -> Result<Vec<Alert>> {
    let mut alerts = Vec::new();
    if me.role == crate::domain::staff::Role::Viewer {
        return Ok(alerts);
    }
    let viewer = Viewer::from(me);
    let minutes = ack_minutes(store.conn())?;
    let from = match among {
        None => "escalations e INDEXED BY escalations_unacknowledged",
        Some(_) => "rarray(:among) x CROSS JOIN escalations e ON e.id = x.value",
    };
    let mut stmt = store.conn().prepare_cached(&format!(
        "SELECT e.id, e.reference, e.raised_at, e.immediate_risk
         FROM {from}
         WHERE e.status <> 'closed' AND e.acknowledged_at IS NULL AND e.raised_at <= :cut
           AND {}
         ORDER BY e.raised_at",
        super::escalations::VISIBLE
    ))?;
    let cut = now - crate::domain::alert::ack_window(minutes, true);
    let ids = super::id_array(among.unwrap_or_default());
    let p = rusqlite::named_params! {":cut": cut.timestamp(), ":senior": viewer.senior,
    ":me": viewer.staff_id};
    let mut all = p.to_vec();
    if among.is_some() {
        all.push((":among", &ids as &dyn rusqlite::ToSql));
    }
    let rows = stmt.query_map(all.as_slice(), |r| {
        Ok((
            r.get::<_, i64>(0)?,
            r.get::<_, String>(1)?,
            r.get::<_, i64>(2)?,
            r.get::<_, bool>(3)?,
        ))
    })?;
    for row in rows {
        let (id, reference, raised, immediate) = row?;
        let raised = super::instant(raised);
        let window = crate::domain::alert::ack_window(minutes, immediate);
        if let Some(kind) =
            crate::domain::alert::unacknowledged_alert(raised, window, now, me.id, on_duty)
        {
            alerts.push(Alert {
                kind,
                subject_id: id,
                reference: clean_line(&reference),
                label: String::new(),
                due_at: Some(raised),
            });
        }
    }
    Ok(alerts)
}

/// Records `alerts` as announced to `me` and returns those that were not
/// already: two sessions of one user racing here announce each event once.
/// On a read-only database nothing can be remembered, so all are returned
/// (the caller keeps its own memory for the session).
pub fn claim(
    store: &mut Store,
    me: &StaffMember,
    now: DateTime<Utc>,
    alerts: Vec<Alert>,
) -> Result<Vec<Alert>> {
    if alerts.is_empty() || store.read_only() {
        return Ok(alerts);
    }
    store.bookkeeping(|tx| {
        let mut stmt = tx.prepare_cached(
            "INSERT OR IGNORE INTO notices (staff_id, event, subject_id, at) VALUES (?1, ?2, ?3, ?4)",
        )?;
        let mut fresh = Vec::new();
        for a in alerts {
            if stmt.execute(params![me.id, a.kind.code(), a.subject_id, now.timestamp()])? == 1 {
                fresh.push(a);
            }
        }
        Ok(fresh)
    })
}

/// The organisation's acknowledgement window in minutes (setting `ack_minutes`,
/// default 15).
pub fn ack_minutes(conn: &rusqlite::Connection) -> Result<u32> {
    Ok(super::settings::load(conn)?.ack_minutes)
}
