//! The rows behind reports: escalations the viewer may see, raised in a range.

use super::escalations::{VISIBLE, Viewer};
use super::{Result, Store, instant};
use crate::domain::report::{DeadlineFact, Row};
use crate::domain::text::clean_line;
use chrono::{DateTime, Utc};
use rusqlite::{Connection, named_params};

/// Escalations raised in [from, to), with what the report counts. Restricted
/// ones only for viewers allowed to see them (the same filter as the lists).
/// Timeliness counts the deadlines a rule set, by the rule's name: a task or
/// a review action (set by hand, `rule_id` NULL) is the desk's own working
/// and its label holds a person's name and free text, which never reach a
/// management report.
/// An s42 enquiry is counted when an adults' referral's recorded outcome
/// names it ("s42", "section 42"). Each row is handed to `f` as it is read,
/// so a report counts a year at a million cases in bounded memory.
pub fn rows_each(
    store: &Store,
    viewer: Viewer,
    from: DateTime<Utc>,
    to: DateTime<Utc>,
    now: DateTime<Utc>,
    mut f: impl FnMut(Row),
) -> Result<()> {
    let conn: &Connection = store.conn();
    let mut stmt = conn.prepare(&format!(
        "SELECT e.raised_at,
            (SELECT group_concat(c.label, char(31)) FROM escalation_categories ec
               JOIN categories c ON c.code = ec.category WHERE ec.escalation_id = e.id),
            e.subject_kind, e.location_type, e.age_band, e.area, e.risk,
            (SELECT group_concat(route, char(31)) FROM referrals r WHERE r.escalation_id = e.id),
            CASE WHEN e.status = 'closed' THEN e.outcome END,
            e.acknowledged_at,
            (SELECT min(made_at) FROM referrals r WHERE r.escalation_id = e.id),
            (SELECT group_concat(dr.name || char(30)
                    || (d.met_at IS NOT NULL AND d.met_at <= d.due_at), char(31))
               FROM deadlines d JOIN deadline_rules dr ON dr.id = d.rule_id
               WHERE d.escalation_id = e.id AND d.waived_at IS NULL
                 AND (d.due_at <= :now OR d.met_at IS NOT NULL)),
            EXISTS (SELECT 1 FROM referrals r WHERE r.escalation_id = e.id AND r.route = 'adults'
               AND (lower(r.outcome) LIKE '%s42%' OR lower(r.outcome) LIKE '%section 42%'))
         FROM escalations e
         WHERE e.raised_at >= :from AND e.raised_at < :to AND {VISIBLE}"
    ))?;
    let split = |s: Option<String>| -> Vec<String> {
        s.map(|s| s.split('\u{1f}').map(clean_line).collect())
            .unwrap_or_default()
    };
    let rows = stmt.query_map(
        named_params! {":from": from.timestamp(), ":to": to.timestamp(), ":now": now.timestamp(),
        ":senior": viewer.senior, ":me": viewer.staff_id},
        |r| {
            Ok(Row {
                raised_at: instant(r.get(0)?),
                categories: split(r.get(1)?),
                subject: r.get(2)?,
                location: r.get::<_, String>(3)?.replace('_', " "),
                age_band: r.get(4)?,
                area: clean_line(&r.get::<_, String>(5)?),
                risk: r.get(6)?,
                routes: split(r.get(7)?),
                outcome: r.get::<_, Option<String>>(8)?.map(|s| clean_line(&s)),
                assigned_at: r.get::<_, Option<i64>>(9)?.map(instant),
                referred_at: r.get::<_, Option<i64>>(10)?.map(instant),
                deadlines: r
                    .get::<_, Option<String>>(11)?
                    .unwrap_or_default()
                    .split('\u{1f}')
                    .filter_map(|x| {
                        let (rule, on_time) = x.split_once('\u{1e}')?;
                        Some(DeadlineFact {
                            rule: clean_line(rule),
                            on_time: on_time == "1",
                        })
                    })
                    .collect(),
                s42_enquiry: r.get(12)?,
            })
        },
    )?;
    for r in rows {
        f(r?);
    }
    Ok(())
}

/// Every row [`rows_each`] reads, in hand (for tests and small periods).
pub fn rows(
    store: &Store,
    viewer: Viewer,
    from: DateTime<Utc>,
    to: DateTime<Utc>,
    now: DateTime<Utc>,
) -> Result<Vec<Row>> {
    let mut out = Vec::new();
    rows_each(store, viewer, from, to, now, |r| out.push(r))?;
    Ok(out)
}
