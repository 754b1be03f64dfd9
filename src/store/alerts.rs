//! The desk's alerts away from the terminal (issue 19): escalation policies,
//! each person's channels, acknowledgements, every open alert of the desk,
//! and the notifier's record of what it delivered (`alert_deliveries`).
//!
//! Need-to-know holds here as everywhere: an alert about a case goes only to
//! people who may see it ([`super::access::may_see`]), and the alerts list
//! shows only those.

use super::access::{self, Viewer};
use super::{Result, Store, StoreError, Write, instant};
use crate::domain::escalation::Risk;
use crate::domain::paging::{DeskAlert, Hand, Kind, OpenCounts};
use crate::domain::policy::{self, Member, Policy, PolicyKind, Quiet};
use crate::domain::staff::{Role, StaffMember};
use crate::domain::text::clean_line;
use chrono::{DateTime, Duration, Utc};
use rusqlite::{Connection, OptionalExtension, params};

/// A shift that began this recently is announced to the person starting it;
/// older ones are not (a notifier started late does not greet past shifts).
pub const SHIFT_START_WITHIN: Duration = Duration::minutes(60);

/// The policy in force for `kind`, and why the stored one could not be used
/// (malformed: the default is used instead, and the problem reported).
pub fn policy(conn: &Connection, kind: PolicyKind) -> Result<(Policy, Option<String>)> {
    let row: Option<(String, Option<i64>)> = conn
        .query_row(
            "SELECT steps, repeat_minutes FROM alert_policies WHERE kind = ?1",
            [kind.code()],
            |r| Ok((r.get(0)?, r.get(1)?)),
        )
        .optional()?;
    Ok(match row {
        None => (Policy::default_for(kind), None),
        Some((steps, repeat)) => match Policy::from_stored(kind, &steps, repeat) {
            Ok(p) => (p, None),
            Err(e) => (
                Policy::default_for(kind),
                Some(format!(
                    "the {} policy is malformed ({e}); the default is used until it is set again with `dutydesk policy set {}`",
                    kind.code(),
                    kind.code()
                )),
            ),
        },
    })
}

/// Every kind's policy in force, with any problem.
pub fn policies(conn: &Connection) -> Result<Vec<(Policy, Option<String>)>> {
    PolicyKind::ALL.iter().map(|k| policy(conn, *k)).collect()
}

/// Sets a kind's policy (DSLs and senior leads, as for the other desk
/// settings); audited with the policy itself, which holds no record words.
pub fn set_policy(
    w: &mut Write<'_>,
    kind: PolicyKind,
    steps: &str,
    repeat_minutes: Option<u32>,
) -> Result<Policy> {
    super::staff::require_manager(w, "change an escalation policy")?;
    let steps = policy::parse_steps(steps).map_err(StoreError::Invalid)?;
    let repeat = policy::check_repeat(repeat_minutes).map_err(StoreError::Invalid)?;
    let p = Policy {
        kind,
        steps,
        repeat_minutes: repeat,
    };
    w.tx().execute(
        "INSERT INTO alert_policies (kind, steps, repeat_minutes, updated_at) VALUES (?1, ?2, ?3, ?4)
         ON CONFLICT (kind) DO UPDATE SET steps = excluded.steps,
             repeat_minutes = excluded.repeat_minutes, updated_at = excluded.updated_at",
        params![
            kind.code(),
            policy::format_steps(&p.steps),
            p.repeat_minutes,
            w.now().timestamp()
        ],
    )?;
    w.audit(
        "set",
        "alert_policy",
        Some(kind.code()),
        Some(&p.describe()),
    )?;
    Ok(p)
}

/// A person's channels away from the terminal.
#[derive(Debug, Clone, Default, PartialEq, Eq, serde::Serialize)]
pub struct Channels {
    pub email: Option<String>,
    /// Whether the command hook pages them.
    pub hook: bool,
    /// What the hook is given as their address (an SMS number, a pager id).
    pub hook_to: Option<String>,
    /// Quiet hours, `HH:MM-HH:MM` UK time.
    pub quiet: Option<String>,
}

impl Channels {
    /// Their quiet hours, parsed (a stored value that does not parse counts
    /// as none: alerts are never held back by a typo).
    pub fn quiet_hours(&self) -> Option<Quiet> {
        self.quiet
            .as_deref()
            .and_then(|q| policy::parse_quiet(q).ok())
    }
}

/// The channels of staff member `staff_id` (none set: all empty).
pub fn channels(conn: &Connection, staff_id: i64) -> Result<Channels> {
    Ok(conn
        .query_row(
            "SELECT email, hook, hook_to, quiet FROM staff_channels WHERE staff_id = ?1",
            [staff_id],
            |r| {
                Ok(Channels {
                    email: r.get(0)?,
                    hook: r.get(1)?,
                    hook_to: r.get(2)?,
                    quiet: r.get(3)?,
                })
            },
        )
        .optional()?
        .unwrap_or_default())
}

/// A change to someone's channels: `None` leaves a field as it is;
/// `Some(None)` clears it.
#[derive(Debug, Clone, Default)]
pub struct ChannelChange {
    pub email: Option<Option<String>>,
    pub hook: Option<bool>,
    pub hook_to: Option<Option<String>>,
    pub quiet: Option<Option<String>>,
}

impl ChannelChange {
    pub fn is_empty(&self) -> bool {
        self.email.is_none()
            && self.hook.is_none()
            && self.hook_to.is_none()
            && self.quiet.is_none()
    }
}

/// Sets `username`'s channels: they themselves, or a senior lead. Addresses
/// are checked (an e-mail address as lettre parses it; a hook address of
/// letters, digits and `+-._@:`), never written to the audit trail (which
/// says only what changed).
pub fn set_channels(w: &mut Write<'_>, username: &str, change: &ChannelChange) -> Result<Channels> {
    let me = super::staff::find_in(w.tx(), w.actor())?
        .filter(|s| s.active)
        .ok_or_else(|| StoreError::Refused(format!("{} is not active staff", w.actor())))?;
    let target = super::staff::find_in(w.tx(), username.trim())?.ok_or_else(|| {
        StoreError::Invalid(format!(
            "no staff account {:?}: `dutydesk staff list` shows them",
            username.trim()
        ))
    })?;
    if target.id != me.id && !me.role.manages_staff() {
        return Err(StoreError::Refused(format!(
            "only {} or a senior lead may set {}'s alert channels",
            target.username, target.username
        )));
    }
    if change.is_empty() {
        return Err(StoreError::Invalid(
            "nothing to change: give --email, --hook, --hook-to or --quiet".into(),
        ));
    }
    let mut c = channels(w.tx(), target.id)?;
    let mut said = Vec::new();
    if let Some(e) = &change.email {
        c.email = match e {
            Some(a) => Some(check_email(a)?),
            None => None,
        };
        said.push(if c.email.is_some() {
            "email set"
        } else {
            "email cleared"
        });
    }
    if let Some(h) = change.hook {
        c.hook = h;
        said.push(if h { "hook on" } else { "hook off" });
    }
    if let Some(t) = &change.hook_to {
        c.hook_to = match t {
            Some(a) => Some(check_hook_to(a)?),
            None => None,
        };
        said.push(if c.hook_to.is_some() {
            "hook address set"
        } else {
            "hook address cleared"
        });
    }
    if let Some(q) = &change.quiet {
        c.quiet = match q {
            Some(text) => Some(
                policy::parse_quiet(text)
                    .map_err(StoreError::Refused)?
                    .format(),
            ),
            None => None,
        };
        said.push(if c.quiet.is_some() {
            "quiet hours set"
        } else {
            "quiet hours cleared"
        });
    }
    w.tx().execute(
        "INSERT INTO staff_channels (staff_id, email, hook, hook_to, quiet, updated_at)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6)
         ON CONFLICT (staff_id) DO UPDATE SET email = excluded.email, hook = excluded.hook,
             hook_to = excluded.hook_to, quiet = excluded.quiet, updated_at = excluded.updated_at",
        params![
            target.id,
            c.email,
            c.hook,
            c.hook_to,
            c.quiet,
            w.now().timestamp()
        ],
    )?;
    w.audit(
        "channels",
        "staff",
        Some(&target.username),
        Some(&said.join(", ")),
    )?;
    Ok(c)
}

fn check_email(a: &str) -> Result<String> {
    let a = a.trim();
    a.parse::<lettre::Address>()
        .map(|_| a.to_string())
        .map_err(|_| {
            StoreError::Invalid(format!("{a:?} is not an e-mail address (name@example.org)"))
        })
}

fn check_hook_to(a: &str) -> Result<String> {
    let a = a.trim();
    if a.is_empty()
        || a.chars().count() > 64
        || !a
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || "+-._@: ".contains(c))
    {
        return Err(StoreError::Invalid(format!(
            "{a:?} is not a hook address: up to 64 letters, digits, spaces and + - . _ @ :, e.g. +447700900123"
        )));
    }
    Ok(a.to_string())
}

/// Active staff who can be told (not viewers), with their roles.
pub fn members(conn: &Connection) -> Result<Vec<(StaffMember, Member)>> {
    let mut stmt = conn.prepare_cached(
        "SELECT id, username, display_name, role, active FROM staff
         WHERE active = 1 AND role <> 'viewer' ORDER BY id",
    )?;
    let rows = stmt.query_map([], |r| {
        let role = Role::from_code(&r.get::<_, String>(3)?).unwrap_or(Role::Viewer);
        let s = StaffMember {
            id: r.get(0)?,
            username: r.get(1)?,
            display_name: clean_line(&r.get::<_, String>(2)?),
            role,
            active: r.get(4)?,
        };
        let m = Member { id: s.id, role };
        Ok((s, m))
    })?;
    Ok(rows.collect::<rusqlite::Result<_>>()?)
}

fn risk(code: &str) -> Option<Risk> {
    Risk::from_code(code)
}

/// Which escalations a derivation of the alerts covers: the whole desk, or
/// only the cases an incremental alert check found touched or reached by a
/// moment ([`since`]), bound as `rarray(:among)`.
#[derive(Debug, Clone, Copy)]
enum Scope<'a> {
    Desk,
    Among(&'a Among),
}

/// Escalation ids bound as one parameter (`rarray(:among)`).
type Among = super::IdArray;

impl Scope<'_> {
    /// The rows a block reads from: `desk` (an index over the whole desk)
    /// or, for a few cases, `among` (driven from their ids).
    fn from<'s>(&self, desk: &'s str, among: &'s str) -> &'s str {
        match self {
            Scope::Desk => desk,
            Scope::Among(_) => among,
        }
    }
}

/// Runs `stmt` with the named parameters of `p` it uses (a block's two
/// scopes bind different ones), mapping each row with `f`.
fn rows_of<T>(
    stmt: &mut rusqlite::CachedStatement<'_>,
    p: &[(&str, &dyn rusqlite::ToSql)],
    f: impl FnMut(&rusqlite::Row<'_>) -> rusqlite::Result<T>,
) -> Result<Vec<T>> {
    let used: Vec<(&str, &dyn rusqlite::ToSql)> = p
        .iter()
        .copied()
        .filter(|(n, _)| stmt.parameter_index(n).ok().flatten().is_some())
        .collect();
    Ok(stmt
        .query_map(used.as_slice(), f)?
        .collect::<rusqlite::Result<_>>()?)
}

/// The "case not acknowledged" alerts at `now`: each open case in `scope`
/// nobody has acknowledged once its acknowledgement window (setting
/// `minutes`, shorter for immediate risk) has ended, oldest first.
fn unacknowledged(
    conn: &Connection,
    now: DateTime<Utc>,
    minutes: u32,
    scope: Scope<'_>,
    out: &mut Vec<DeskAlert>,
) -> Result<()> {
    let cut = now - crate::domain::alert::ack_window(minutes, true);
    let from = scope.from(
        "escalations e INDEXED BY escalations_unacknowledged",
        "rarray(:among) x CROSS JOIN escalations e ON e.id = x.value",
    );
    let mut stmt = conn.prepare_cached(&format!(
        "SELECT e.id, e.reference, e.risk, e.immediate_risk, e.raised_at, e.assignee_id
         FROM {from}
         WHERE e.status <> 'closed' AND e.acknowledged_at IS NULL AND e.raised_at <= :cut"
    ))?;
    let among = scope_value(scope);
    let rows = rows_of(
        &mut stmt,
        &[(":cut", &cut.timestamp()), (":among", &among)],
        |r| {
            Ok((
                r.get::<_, i64>(0)?,
                r.get::<_, String>(1)?,
                r.get::<_, String>(2)?,
                r.get::<_, bool>(3)?,
                r.get::<_, i64>(4)?,
                r.get::<_, Option<i64>>(5)?,
            ))
        },
    )?;
    for (id, reference, rk, immediate, raised, assignee) in rows {
        let start = instant(raised) + crate::domain::alert::ack_window(minutes, immediate);
        if start > now {
            continue;
        }
        out.push(DeskAlert {
            kind: Kind::Unacknowledged,
            subject_id: id,
            escalation_id: Some(id),
            reference: Some(clean_line(&reference).into()),
            risk: risk(&rk),
            immediate_risk: immediate,
            started_at: start,
            holder: assignee,
            exclude: vec![],
            rule: None,
            hand: None,
            due_at: Some(instant(raised)),
            acknowledged: false,
        });
    }
    Ok(())
}

/// The ids bound as `:among` (empty for the whole desk, where no statement
/// names it).
fn scope_value(scope: Scope<'_>) -> Among {
    match scope {
        Scope::Desk => std::rc::Rc::new(Vec::new()),
        Scope::Among(a) => a.clone(),
    }
}

/// Deadlines overdue or in their warning window on open escalations in
/// `scope`. A deadline turns due soon at its kept warning time
/// (`deadlines.warn_at`, counted as its rule counts: working hours for a
/// working-day rule), else its rule's warning or four hours before it is
/// due: the moment the dashboard and the notices use too.
fn deadlines_due(
    conn: &Connection,
    now: DateTime<Utc>,
    scope: Scope<'_>,
    out: &mut Vec<DeskAlert>,
) -> Result<()> {
    let t = now.timestamp();
    let horizon = t + crate::domain::deadline::MAX_WARN_MINUTES as i64 * 60;
    let from = scope.from(
        "deadlines d INDEXED BY deadlines_open_by_due",
        "rarray(:among) x
         CROSS JOIN deadlines d INDEXED BY deadlines_open_by_escalation ON d.escalation_id = x.value",
    );
    let mut stmt = conn.prepare_cached(&format!(
        "SELECT d.id, d.escalation_id, e.reference, e.risk, e.immediate_risk,
                coalesce((SELECT t.owner_id FROM tasks t WHERE t.deadline_id = d.id), e.assignee_id),
                d.due_at, coalesce(d.warn_at, d.due_at - 60 * coalesce(r.warn_minutes, 240)),
                d.rule_id IS NOT NULL, d.label,
                EXISTS (SELECT 1 FROM tasks t WHERE t.deadline_id = d.id)
         FROM {from}
         JOIN escalations e ON e.id = d.escalation_id
         LEFT JOIN deadline_rules r ON r.id = d.rule_id
         WHERE d.met_at IS NULL AND d.waived_at IS NULL AND d.due_at <= :horizon
           AND e.status <> 'closed'"
    ))?;
    let among = scope_value(scope);
    let rows = rows_of(
        &mut stmt,
        &[(":horizon", &horizon), (":among", &among)],
        |r| {
            Ok((
                r.get::<_, i64>(0)?,
                r.get::<_, i64>(1)?,
                r.get::<_, String>(2)?,
                r.get::<_, String>(3)?,
                r.get::<_, bool>(4)?,
                r.get::<_, Option<i64>>(5)?,
                r.get::<_, i64>(6)?,
                r.get::<_, i64>(7)?,
                r.get::<_, bool>(8)?,
                r.get::<_, String>(9)?,
                r.get::<_, bool>(10)?,
            ))
        },
    )?;
    for (id, esc, reference, rk, immediate, assignee, due, warn_at, by_rule, label, task) in rows {
        let (kind, start) = if due <= t {
            (Kind::Overdue, due)
        } else if warn_at <= t {
            (Kind::DueSoon, warn_at)
        } else {
            continue;
        };
        out.push(DeskAlert {
            kind,
            subject_id: id,
            escalation_id: Some(esc),
            reference: Some(clean_line(&reference).into()),
            risk: risk(&rk),
            immediate_risk: immediate,
            started_at: instant(start),
            holder: assignee,
            exclude: vec![],
            // A deadline set by hand (a review action) may hold words.
            rule: by_rule.then(|| clean_line(&label).into()),
            hand: match (by_rule, task) {
                (true, _) => None,
                (false, true) => Some(Hand::Task),
                (false, false) => Some(Hand::Action),
            },
            due_at: Some(instant(due)),
            acknowledged: false,
        });
    }
    Ok(())
}

/// Closures in `scope` waiting for a second DSL: from the sign-off request.
fn signoffs(conn: &Connection, scope: Scope<'_>, out: &mut Vec<DeskAlert>) -> Result<()> {
    let from = scope.from(
        "escalations e INDEXED BY escalations_open_by_raised",
        "rarray(:among) x CROSS JOIN escalations e ON e.id = x.value",
    );
    let mut stmt = conn.prepare_cached(&format!(
        "SELECT e.id, e.reference, e.risk, e.immediate_risk, e.assignee_id, e.closed_by,
                c.id, c.at
         FROM {from}
         JOIN chronology c ON c.id = (SELECT max(id) FROM chronology
                                      WHERE escalation_id = e.id AND kind = 'signoff_requested')
         WHERE e.status <> 'closed' AND e.closed_by IS NOT NULL AND e.closed_at IS NULL"
    ))?;
    let among = scope_value(scope);
    let rows = rows_of(&mut stmt, &[(":among", &among)], |r| {
        Ok((
            r.get::<_, i64>(0)?,
            r.get::<_, String>(1)?,
            r.get::<_, String>(2)?,
            r.get::<_, bool>(3)?,
            r.get::<_, Option<i64>>(4)?,
            r.get::<_, i64>(5)?,
            r.get::<_, i64>(6)?,
            r.get::<_, i64>(7)?,
        ))
    })?;
    for (id, reference, rk, immediate, assignee, proposer, chron, at) in rows {
        out.push(DeskAlert {
            kind: Kind::Signoff,
            subject_id: chron,
            escalation_id: Some(id),
            reference: Some(clean_line(&reference).into()),
            risk: risk(&rk),
            immediate_risk: immediate,
            started_at: instant(at),
            holder: assignee,
            exclude: vec![proposer],
            rule: None,
            hand: None,
            due_at: None,
            acknowledged: false,
        });
    }
    Ok(())
}

/// Cases in `scope` assigned to someone by another, or taken from someone,
/// in the last day.
fn assignments(
    conn: &Connection,
    now: DateTime<Utc>,
    scope: Scope<'_>,
    out: &mut Vec<DeskAlert>,
) -> Result<()> {
    let since = (now - super::notices::ASSIGNED_WITHIN).timestamp();
    let among = match scope {
        Scope::Desk => "",
        Scope::Among(_) => "AND a.escalation_id IN rarray(:among)",
    };
    let mut stmt = conn.prepare_cached(&format!(
        "SELECT a.chronology_id, a.escalation_id, a.from_id, a.to_id, a.at, c.author_id,
                e.reference, e.risk, e.immediate_risk, e.assignee_id
         FROM assignments a INDEXED BY assignments_by_at
         JOIN chronology c ON c.id = a.chronology_id
         JOIN escalations e ON e.id = a.escalation_id
         WHERE a.at >= :since AND a.at <= :now AND e.status <> 'closed' {among}"
    ))?;
    let ids = scope_value(scope);
    let rows = rows_of(
        &mut stmt,
        &[
            (":since", &since),
            (":now", &now.timestamp()),
            (":among", &ids),
        ],
        |r| {
            Ok((
                r.get::<_, i64>(0)?,
                r.get::<_, i64>(1)?,
                r.get::<_, Option<i64>>(2)?,
                r.get::<_, i64>(3)?,
                r.get::<_, i64>(4)?,
                r.get::<_, i64>(5)?,
                r.get::<_, String>(6)?,
                r.get::<_, String>(7)?,
                r.get::<_, bool>(8)?,
                r.get::<_, Option<i64>>(9)?,
            ))
        },
    )?;
    for (chron, esc, from, to, at, author, reference, rk, immediate, holder) in rows {
        let base = DeskAlert {
            kind: Kind::Assigned,
            subject_id: chron,
            escalation_id: Some(esc),
            reference: Some(clean_line(&reference).into()),
            risk: risk(&rk),
            immediate_risk: immediate,
            started_at: instant(at),
            holder: Some(to),
            exclude: vec![author],
            rule: None,
            hand: None,
            due_at: None,
            acknowledged: false,
        };
        if to != author && holder == Some(to) {
            out.push(base.clone());
        }
        if let Some(from) = from.filter(|f| *f != to && *f != author) {
            out.push(DeskAlert {
                kind: Kind::Taken,
                holder: Some(from),
                ..base
            });
        }
    }
    Ok(())
}

/// The rota's alerts: nobody on duty, and shifts just begun.
fn rota(conn: &Connection, now: DateTime<Utc>, out: &mut Vec<DeskAlert>) -> Result<()> {
    let t = now.timestamp();
    let shifts = super::rota::in_force(conn, now - Duration::days(7), now + Duration::seconds(1))?;
    if crate::domain::rota::on_duty(&shifts, now).is_none() {
        let last_end = shifts.iter().map(|s| s.ends_at).filter(|e| *e <= now).max();
        let since = match last_end {
            Some(e) => e,
            None => {
                let ended: Option<i64> = conn.query_row(
                    "SELECT max(ends_at) FROM rota WHERE ends_at <= ?1",
                    [t],
                    |r| r.get(0),
                )?;
                let created: Option<i64> =
                    conn.query_row("SELECT min(created_at) FROM staff", [], |r| r.get(0))?;
                instant(ended.or(created).unwrap_or(t).min(t))
            }
        };
        out.push(DeskAlert {
            kind: Kind::NobodyOnDuty,
            subject_id: since.timestamp(),
            escalation_id: None,
            reference: None,
            risk: None,
            immediate_risk: false,
            started_at: since,
            holder: None,
            exclude: vec![],
            rule: None,
            hand: None,
            due_at: None,
            acknowledged: false,
        });
    }
    let mut greeted: Vec<(i64, i64)> = Vec::new();
    for s in shifts
        .iter()
        .filter(|s| s.starts_at <= now && s.starts_at > now - SHIFT_START_WITHIN && s.ends_at > now)
    {
        // Back-to-back pieces of one person's duty (a pattern cut by a
        // one-off) are one shift to them: greet only a real start.
        let continues = shifts
            .iter()
            .any(|o| o.staff_id == s.staff_id && o.ends_at == s.starts_at);
        if continues || greeted.contains(&(s.staff_id, s.starts_at.timestamp())) {
            continue;
        }
        greeted.push((s.staff_id, s.starts_at.timestamp()));
        out.push(DeskAlert {
            kind: Kind::ShiftStart,
            subject_id: s.starts_at.timestamp(),
            escalation_id: None,
            reference: None,
            risk: None,
            immediate_risk: false,
            started_at: s.starts_at,
            holder: Some(s.staff_id),
            exclude: vec![],
            rule: None,
            hand: None,
            due_at: None,
            acknowledged: false,
        });
    }
    Ok(())
}

/// Flags each alert acknowledged that has been (`alert_acks`).
fn flag_acknowledged(conn: &Connection, alerts: &mut [DeskAlert]) -> Result<()> {
    let mut stmt =
        conn.prepare_cached("SELECT 1 FROM alert_acks WHERE kind = ?1 AND subject_id = ?2")?;
    for a in alerts {
        a.acknowledged = stmt
            .query_row(params![a.kind.code(), a.subject_id], |_| Ok(()))
            .optional()?
            .is_some();
    }
    Ok(())
}

/// The order of the alerts list: not acknowledged before acknowledged,
/// immediate risk first, then the oldest; ties by kind (in the order the
/// kinds are listed), due time and subject, so the order is one total
/// order however the alerts were derived (in full, or some kept from an
/// earlier check: [`open_for_since`]).
fn sort_alerts(alerts: &mut [DeskAlert]) {
    alerts.sort_by_key(list_order);
}

/// The key of [`sort_alerts`]' order.
fn list_order(a: &DeskAlert) -> (bool, bool, DateTime<Utc>, u8, Option<DateTime<Utc>>, i64) {
    (
        a.acknowledged,
        !a.immediate_risk,
        a.started_at,
        a.kind as u8,
        a.due_at,
        a.subject_id,
    )
}

/// Every open alert of the desk at `now`, whoever may see it, acknowledged
/// ones included (flagged). The caller filters by need-to-know.
pub fn open_alerts(conn: &Connection, now: DateTime<Utc>) -> Result<Vec<DeskAlert>> {
    derive(conn, now, Scope::Desk)
}

/// The open alerts in `scope` (the rota's only for the whole desk), flagged
/// and in the list's order.
fn derive(conn: &Connection, now: DateTime<Utc>, scope: Scope<'_>) -> Result<Vec<DeskAlert>> {
    let mut out = Vec::new();
    let minutes = super::notices::ack_minutes(conn)?;
    // Not acknowledged: the policy starts when the acknowledgement window ends.
    unacknowledged(conn, now, minutes, scope, &mut out)?;
    deadlines_due(conn, now, scope, &mut out)?;
    signoffs(conn, scope, &mut out)?;
    assignments(conn, now, scope, &mut out)?;
    if let Scope::Desk = scope {
        rota(conn, now, &mut out)?;
    }
    // Acknowledged ones are flagged, not dropped: the list shows them.
    flag_acknowledged(conn, &mut out)?;
    sort_alerts(&mut out);
    Ok(out)
}

/// The open alerts about the escalations `ids`, whoever may see them
/// (acknowledged ones flagged), in the list's order.
pub fn open_alerts_among(
    conn: &Connection,
    now: DateTime<Utc>,
    ids: &[i64],
) -> Result<Vec<DeskAlert>> {
    if ids.is_empty() {
        return Ok(Vec::new());
    }
    derive(conn, now, Scope::Among(&super::id_array(ids)))
}

/// Whether `viewer` (staff `me`) may know of `alert`: a case's alerts only
/// for those who may see the case; a shift start only for the one starting.
pub fn may_know(conn: &Connection, me: &StaffMember, alert: &DeskAlert) -> Result<bool> {
    // A closure waiting for sign-off is news only to those who may sign it:
    // not its proposer (`exclude`), never a viewer (the header's count and
    // the notifier follow the same rule).
    if alert.kind == Kind::Signoff && (me.role == Role::Viewer || alert.exclude.contains(&me.id)) {
        return Ok(false);
    }
    if alert.kind == Kind::ShiftStart || alert.kind == Kind::Taken || alert.kind == Kind::Assigned {
        return Ok(alert.holder == Some(me.id)
            && match alert.escalation_id {
                Some(id) => access::may_see(conn, Viewer::from(me), id)?,
                None => true,
            });
    }
    match alert.escalation_id {
        Some(id) => access::may_see(conn, Viewer::from(me), id),
        None => Ok(true),
    }
}

/// The open alerts `me` may know of, most urgent first (not acknowledged
/// before acknowledged, immediate risk first, then oldest): the alerts list
/// of `dutydesk alerts` and the screen.
pub fn open_for(store: &Store, me: &StaffMember, now: DateTime<Utc>) -> Result<Vec<DeskAlert>> {
    let mut out = Vec::new();
    for a in open_alerts(store.conn(), now)? {
        if may_know(store.conn(), me, &a)? {
            out.push(a);
        }
    }
    Ok(out)
}

/// [`open_for`] at `now`, from `previous` (its answer at an earlier check)
/// and what [`since`] found since then; `None` when the answer is
/// `previous` itself (nothing is copied). For [`Since::Among`] the alerts of
/// those escalations are derived again and every other alert kept from
/// `previous` (nothing they are derived from changed, and no moment they
/// depend on passed), merged in the list's one total order: the answer is
/// the full derivation's. For [`Since::Everything`] the full derivation
/// (`None` if it is the same).
/// With 137,000 open cases a change to one case, or a deadline falling due,
/// costs that case's alerts, not every alert of the desk (issue 21: 0.3–0.8
/// s each time).
pub fn open_for_since(
    store: &Store,
    me: &StaffMember,
    now: DateTime<Utc>,
    previous: &[DeskAlert],
    since: &Since,
) -> Result<Option<Vec<DeskAlert>>> {
    let ids = match since {
        Since::Nothing => return Ok(None),
        Since::Everything => {
            let all = open_for(store, me, now)?;
            return Ok((all != previous).then_some(all));
        }
        Since::Among(ids) => ids,
    };
    let conn = store.conn();
    let mut fresh = Vec::new();
    for a in open_alerts_among(conn, now, ids)? {
        if may_know(conn, me, &a)? {
            fresh.push(a);
        }
    }
    let among = |a: &DeskAlert| {
        a.escalation_id
            .is_some_and(|e| ids.binary_search(&e).is_ok())
    };
    // In the list's order on both sides: unchanged when the same.
    if previous.iter().filter(|a| among(a)).eq(fresh.iter()) {
        return Ok(None);
    }
    let mut out = Vec::with_capacity(previous.len() + fresh.len());
    let mut fresh = fresh.into_iter().peekable();
    for a in previous.iter().filter(|a| !among(a)) {
        while let Some(f) = fresh.next_if(|f| list_order(f) < list_order(a)) {
            out.push(f);
        }
        out.push(a.clone());
    }
    out.extend(fresh);
    Ok(Some(out))
}

/// Acknowledges every open, not yet acknowledged alert about escalation `id`
/// (in the write of `dutydesk ack` or the case's `A`): their escalation stops
/// for everyone. Returns the kinds acknowledged; audited once, with them.
pub fn acknowledge_case(w: &mut Write<'_>, id: i64, reference: &str) -> Result<Vec<Kind>> {
    let me = super::staff::find_in(w.tx(), w.actor())?
        .filter(|s| s.active && s.role != Role::Viewer)
        .ok_or_else(|| StoreError::Refused(format!("{} may not acknowledge alerts", w.actor())))?;
    let open: Vec<DeskAlert> = open_alerts_among(w.tx(), w.now(), &[id])?
        .into_iter()
        .filter(|a| {
            a.escalation_id == Some(id)
                && !a.acknowledged
                && !matches!(a.kind, Kind::Assigned | Kind::Taken)
        })
        .collect();
    let mut kinds = Vec::new();
    for a in &open {
        w.tx().execute(
            "INSERT OR IGNORE INTO alert_acks (kind, subject_id, staff_id, at) VALUES (?1, ?2, ?3, ?4)",
            params![a.kind.code(), a.subject_id, me.id, w.now().timestamp()],
        )?;
        if !kinds.contains(&a.kind) {
            kinds.push(a.kind);
        }
    }
    if !kinds.is_empty() {
        let codes: Vec<&str> = kinds.iter().map(|k| k.code()).collect();
        w.audit("ack", "alert", Some(reference), Some(&codes.join(",")))?;
    }
    Ok(kinds)
}

/// Acknowledges "nobody on duty" (`dutydesk alerts ack rota`): its
/// escalation stops until the next gap. Refused when there is none.
pub fn acknowledge_rota(w: &mut Write<'_>) -> Result<String> {
    let me = super::staff::find_in(w.tx(), w.actor())?
        .filter(|s| s.active && s.role != Role::Viewer)
        .ok_or_else(|| StoreError::Refused(format!("{} may not acknowledge alerts", w.actor())))?;
    let gap = open_alerts(w.tx(), w.now())?
        .into_iter()
        .find(|a| a.kind == Kind::NobodyOnDuty)
        .ok_or_else(|| {
            StoreError::Refused("someone is on duty: there is no \"nobody on duty\" alert to acknowledge (`dutydesk alerts` lists them)".into())
        })?;
    if gap.acknowledged {
        return Err(StoreError::Refused(
            "\"nobody on duty\" is already acknowledged; take over with `dutydesk rota take-over`"
                .into(),
        ));
    }
    w.tx().execute(
        "INSERT OR IGNORE INTO alert_acks (kind, subject_id, staff_id, at) VALUES (?1, ?2, ?3, ?4)",
        params![gap.kind.code(), gap.subject_id, me.id, w.now().timestamp()],
    )?;
    w.audit("ack", "alert", Some("rota"), Some(gap.kind.code()))?;
    Ok(format!(
        "Acknowledged: nobody on duty since {}. Alerts about it stop; someone still needs to take over (`dutydesk rota take-over`).",
        crate::domain::calendar::format_stamp(gap.started_at)
    ))
}

/// What is open for `me` (only cases they may see), for a shift-start message.
pub fn counts_for(conn: &Connection, me: &StaffMember, now: DateTime<Utc>) -> Result<OpenCounts> {
    let v = Viewer::from(me);
    let p = rusqlite::named_params! {":senior": v.senior, ":me": v.staff_id};
    let open: i64 = conn.query_row(
        &format!(
            "SELECT count(*) FROM escalations e INDEXED BY escalations_open_by_raised
             WHERE e.status <> 'closed' AND {}",
            access::VISIBLE
        ),
        p,
        |r| r.get(0),
    )?;
    let overdue: i64 = conn.query_row(
        &format!(
            "SELECT count(*) FROM deadlines d INDEXED BY deadlines_open_by_due
             JOIN escalations e ON e.id = d.escalation_id
             WHERE d.met_at IS NULL AND d.waived_at IS NULL AND d.due_at <= :now AND {}",
            access::VISIBLE
        ),
        rusqlite::named_params! {":senior": v.senior, ":me": v.staff_id, ":now": now.timestamp()},
        |r| r.get(0),
    )?;
    let unacknowledged: i64 = conn.query_row(
        &format!(
            "SELECT count(*) FROM escalations e INDEXED BY escalations_unacknowledged
             WHERE e.status <> 'closed' AND e.acknowledged_at IS NULL AND {}",
            access::VISIBLE
        ),
        p,
        |r| r.get(0),
    )?;
    Ok(OpenCounts {
        open,
        overdue,
        unacknowledged,
    })
}

// ---- The notifier's bookkeeping ----

/// A channel the notifier delivers on.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Channel {
    Email,
    Hook,
}

impl Channel {
    pub fn code(self) -> &'static str {
        match self {
            Channel::Email => "email",
            Channel::Hook => "hook",
        }
    }

    fn from_code(s: &str) -> Option<Channel> {
        match s {
            "email" => Some(Channel::Email),
            "hook" => Some(Channel::Hook),
            _ => None,
        }
    }
}

/// One delivery the notifier wants: an alert, a step, a person, a channel,
/// not before `not_before` (the end of their quiet hours).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Wanted {
    pub kind: Kind,
    pub subject_id: i64,
    pub escalation_id: Option<i64>,
    pub round: u32,
    pub step: u32,
    pub staff_id: i64,
    pub channel: Channel,
    pub not_before: DateTime<Utc>,
}

/// A delivery claimed for sending.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Claimed {
    pub id: i64,
    pub kind: Kind,
    pub subject_id: i64,
    pub round: u32,
    pub step: u32,
    pub staff_id: i64,
    pub channel: Channel,
    pub attempts: u32,
}

/// How long a claimed delivery is held for its sender before another
/// notifier may take it (a notifier killed mid-send: sent at least once).
pub const LEASE: Duration = Duration::minutes(5);

/// Records the deliveries not yet recorded (each alert, round, step, person
/// and channel once, ever) and cancels those waiting for alerts no longer
/// open or since acknowledged (`open`: keys of open, unacknowledged alerts).
/// Returns how many were added and cancelled. Bookkeeping: no audit row.
pub fn record_wanted(
    store: &mut Store,
    now: DateTime<Utc>,
    wanted: &[Wanted],
    open: &std::collections::HashSet<(Kind, i64)>,
) -> Result<(usize, usize)> {
    if store.read_only() {
        return Err(StoreError::ReadOnly);
    }
    // Read first: a pass with nothing new writes nothing (no commit wakes
    // every dashboard).
    let mut fresh = Vec::new();
    {
        let mut stmt = store.conn().prepare_cached(
            "SELECT 1 FROM alert_deliveries WHERE kind = ?1 AND subject_id = ?2 AND round = ?3
             AND step = ?4 AND staff_id = ?5 AND channel = ?6",
        )?;
        for w in wanted {
            let exists = stmt
                .query_row(
                    params![
                        w.kind.code(),
                        w.subject_id,
                        w.round,
                        w.step,
                        w.staff_id,
                        w.channel.code()
                    ],
                    |_| Ok(()),
                )
                .optional()?
                .is_some();
            if !exists {
                fresh.push(w);
            }
        }
    }
    let waiting: Vec<(i64, String, i64)> = {
        let mut stmt = store.conn().prepare_cached(
            "SELECT id, kind, subject_id FROM alert_deliveries INDEXED BY alert_deliveries_due
             WHERE state IN ('pending', 'sending', 'failed') AND next_at > -1",
        )?;
        let rows = stmt.query_map([], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))?;
        rows.collect::<rusqlite::Result<_>>()?
    };
    let stale: Vec<i64> = waiting
        .into_iter()
        .filter(|(_, k, s)| Kind::from_code(k).is_none_or(|k| !open.contains(&(k, *s))))
        .map(|(id, _, _)| id)
        .collect();
    if fresh.is_empty() && stale.is_empty() {
        return Ok((0, 0));
    }
    store.bookkeeping(|tx| {
        let mut added = 0;
        let mut ins = tx.prepare_cached(
            "INSERT OR IGNORE INTO alert_deliveries (kind, subject_id, escalation_id, round, step,
                 staff_id, channel, state, attempts, next_at, created_at)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, 'pending', 0, ?8, ?9)",
        )?;
        for w in &fresh {
            added += ins.execute(params![
                w.kind.code(),
                w.subject_id,
                w.escalation_id,
                w.round,
                w.step,
                w.staff_id,
                w.channel.code(),
                w.not_before.timestamp(),
                now.timestamp()
            ])?;
        }
        let mut cancel = tx.prepare_cached(
            "UPDATE alert_deliveries SET state = 'cancelled', done_at = ?2
             WHERE id = ?1 AND state IN ('pending', 'sending', 'failed')",
        )?;
        let mut cancelled = 0;
        for id in &stale {
            cancelled += cancel.execute(params![id, now.timestamp()])?;
        }
        Ok((added, cancelled))
    })
}

/// Claims every delivery due at `now` (pending, failed and due for a retry,
/// or a lease run out) for this sender, for [`LEASE`].
pub fn claim_due(store: &mut Store, now: DateTime<Utc>) -> Result<Vec<Claimed>> {
    let due: i64 = store.conn().query_row(
        "SELECT count(*) FROM alert_deliveries INDEXED BY alert_deliveries_due
         WHERE state IN ('pending', 'sending', 'failed') AND next_at <= ?1",
        [now.timestamp()],
        |r| r.get(0),
    )?;
    if due == 0 {
        return Ok(Vec::new());
    }
    store.bookkeeping(|tx| {
        let mut stmt = tx.prepare_cached(
            "UPDATE alert_deliveries SET state = 'sending', next_at = ?2
             WHERE state IN ('pending', 'sending', 'failed') AND next_at <= ?1
             RETURNING id, kind, subject_id, round, step, staff_id, channel, attempts",
        )?;
        let rows = stmt.query_map(params![now.timestamp(), (now + LEASE).timestamp()], |r| {
            Ok((
                r.get::<_, i64>(0)?,
                r.get::<_, String>(1)?,
                r.get::<_, i64>(2)?,
                r.get::<_, u32>(3)?,
                r.get::<_, u32>(4)?,
                r.get::<_, i64>(5)?,
                r.get::<_, String>(6)?,
                r.get::<_, u32>(7)?,
            ))
        })?;
        let mut out = Vec::new();
        for row in rows {
            let (id, kind, subject_id, round, step, staff_id, channel, attempts) = row?;
            let (Some(kind), Some(channel)) =
                (Kind::from_code(&kind), Channel::from_code(&channel))
            else {
                continue;
            };
            out.push(Claimed {
                id,
                kind,
                subject_id,
                round,
                step,
                staff_id,
                channel,
                attempts,
            });
        }
        out.sort_by_key(|c| c.id);
        Ok(out)
    })
}

/// What became of one claimed delivery.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Outcome {
    /// A channel accepted it.
    Delivered,
    /// It failed: retried at `retry_at`, or given up (`None`). The reason
    /// holds no record words.
    Failed {
        reason: String,
        retry_at: Option<DateTime<Utc>>,
    },
    /// Not sent: the alert was acknowledged or resolved meanwhile.
    Cancelled,
    /// Not tried this time (its channel was down); due again at the instant.
    Deferred(DateTime<Utc>),
}

/// Records what became of claimed deliveries. Bookkeeping: no audit row.
pub fn finish(store: &mut Store, now: DateTime<Utc>, done: &[(Claimed, Outcome)]) -> Result<()> {
    if done.is_empty() {
        return Ok(());
    }
    store.bookkeeping(|tx| {
        for (c, r) in done {
            let n = now.timestamp();
            match r {
                Outcome::Delivered => tx.execute(
                    "UPDATE alert_deliveries SET state = 'delivered', attempts = attempts + 1,
                         done_at = ?2, error = NULL WHERE id = ?1",
                    params![c.id, n],
                )?,
                Outcome::Failed { reason, retry_at } => tx.execute(
                    "UPDATE alert_deliveries SET state = ?2, attempts = attempts + 1,
                         next_at = ?3, done_at = ?4, error = ?5 WHERE id = ?1",
                    params![
                        c.id,
                        if retry_at.is_some() {
                            "failed"
                        } else {
                            "gave_up"
                        },
                        retry_at.map_or(n, |t| t.timestamp()),
                        retry_at.is_none().then_some(n),
                        reason.chars().take(200).collect::<String>()
                    ],
                )?,
                Outcome::Cancelled => tx.execute(
                    "UPDATE alert_deliveries SET state = 'cancelled', done_at = ?2 WHERE id = ?1",
                    params![c.id, n],
                )?,
                Outcome::Deferred(at) => tx.execute(
                    "UPDATE alert_deliveries SET state = 'failed', next_at = ?2 WHERE id = ?1",
                    params![c.id, at.timestamp()],
                )?,
            };
        }
        Ok(())
    })
}

/// Deliveries recorded and waiting for their recipient's quiet hours to end
/// (`pending`, due after `now`): what a pass in quiet hours holds back.
pub fn held_for_quiet_hours(conn: &Connection, now: DateTime<Utc>) -> Result<usize> {
    let n: i64 = conn.query_row(
        "SELECT count(*) FROM alert_deliveries INDEXED BY alert_deliveries_due
         WHERE state IN ('pending', 'sending', 'failed') AND state = 'pending' AND next_at > ?1",
        [now.timestamp()],
        |r| r.get(0),
    )?;
    Ok(n as usize)
}

/// Counts of deliveries by state, for `dutydesk notifier --once` and status.
pub fn delivery_counts(conn: &Connection) -> Result<Vec<(String, String, i64)>> {
    let mut stmt = conn.prepare(
        "SELECT channel, state, count(*) FROM alert_deliveries GROUP BY channel, state ORDER BY channel, state",
    )?;
    let rows = stmt.query_map([], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))?;
    Ok(rows.collect::<rusqlite::Result<_>>()?)
}

/// Everything one notifier pass decides from, read together.
#[derive(Debug, Clone)]
pub struct Snapshot {
    /// Every kind's policy in force, and the problems of malformed ones.
    pub policies: Vec<(Policy, Option<String>)>,
    pub alerts: Vec<DeskAlert>,
    /// Active staff who can be told, and their channels.
    pub members: Vec<(StaffMember, Member, Channels)>,
    /// The DSL on duty now (staff id).
    pub duty: Option<i64>,
}

/// Reads a [`Snapshot`] at `now` in one read transaction.
pub fn snapshot(store: &Store, now: DateTime<Utc>) -> Result<Snapshot> {
    let conn = store.conn();
    conn.execute_batch("BEGIN")?;
    let read = (|| -> Result<Snapshot> {
        let mut members = Vec::new();
        for (s, m) in self::members(conn)? {
            let c = channels(conn, s.id)?;
            members.push((s, m, c));
        }
        Ok(Snapshot {
            policies: policies(conn)?,
            alerts: open_alerts(conn, now)?,
            members,
            duty: super::rota::on_duty_id(conn, now)?,
        })
    })();
    let _ = conn.execute_batch("COMMIT");
    read
}

/// Whether staff member `me` may be told of `alert` now (need-to-know, read
/// again just before sending: a case restricted meanwhile is not sent).
pub fn may_receive(store: &Store, me: &StaffMember, alert: &DeskAlert) -> Result<bool> {
    if !me.active || me.role == Role::Viewer {
        return Ok(false);
    }
    match alert.escalation_id {
        Some(id) => access::may_see(store.conn(), Viewer::from(me), id),
        None => Ok(true),
    }
}

/// [`counts_for`] on a store.
pub fn counts(store: &Store, me: &StaffMember, now: DateTime<Utc>) -> Result<OpenCounts> {
    counts_for(store.conn(), me, now)
}

/// [`policies`] on a store.
pub fn policies_of(store: &Store) -> Result<Vec<(Policy, Option<String>)>> {
    policies(store.conn())
}

/// `dutydesk alerts ack REF`: acknowledges the open alerts of a case the
/// actor may see, without taking it. A hidden case is refused exactly as a
/// missing one; a case with nothing open is refused and nothing is written.
pub fn acknowledge_reference(w: &mut Write<'_>, reference: &str) -> Result<String> {
    let viewer = access::writer(w)?;
    if viewer.redacted {
        return Err(StoreError::Refused(
            "viewers cannot acknowledge alerts; ask a DSL".into(),
        ));
    }
    let id = access::resolve(w.tx(), viewer, reference)?;
    let reference = access::normalise_reference(reference);
    let kinds = acknowledge_case(w, id, &reference)?;
    if kinds.is_empty() {
        return Err(StoreError::Refused(format!(
            "{reference} has no open alert to acknowledge (`dutydesk alerts` lists them)"
        )));
    }
    // As the alerts list says them ("nobody has taken the case", never
    // "acknowledged (not acknowledged)").
    let what: Vec<&str> = kinds.iter().map(|k| k.listed()).collect();
    Ok(format!(
        "Alerts on {reference} acknowledged ({}): they stop for everyone",
        what.join(", ")
    ))
}

/// `username`'s channels as `me` may read them: their own, or anyone's for a
/// senior lead (the same rule as changing them).
pub fn channels_of(store: &Store, me: &StaffMember, username: &str) -> Result<Channels> {
    let target = super::staff::find_in(store.conn(), username.trim())?.ok_or_else(|| {
        StoreError::Invalid(format!(
            "no staff account {:?}: `dutydesk staff list` shows them",
            username.trim()
        ))
    })?;
    if target.id != me.id && !me.role.manages_staff() {
        return Err(StoreError::Refused(format!(
            "only {} or a senior lead may see {}'s alert channels",
            target.username, target.username
        )));
    }
    channels(store.conn(), target.id)
}

/// For the screen (issue 19: the alerts screen's and the record's "stop the
/// alerts without taking the case"): acknowledges the open alerts of
/// escalation `id`, refused as for a missing case when the actor may not see
/// it ([`access::BY_NUMBER`]) and when nothing is open.
pub fn acknowledge_escalation(w: &mut Write<'_>, id: i64) -> Result<String> {
    let viewer = access::writer(w)?;
    access::check_id(w.tx(), viewer, id)?;
    let reference: String = w.tx().query_row(
        "SELECT reference FROM escalations WHERE id = ?1",
        [id],
        |r| r.get(0),
    )?;
    acknowledge_reference(w, &reference)
}

/// The alert check's change counter (schema v13 `alert_changes`): bumped by
/// triggers whenever a table the alerts are derived from changes (cases,
/// deadlines, rules, tasks, access, assignments, the rota, staff, settings,
/// acknowledgements), never by the audit trail, so reading records moves it
/// not. Equal counters at two checks mean the data the alerts read is the
/// same; only the clock can have made new ones (see [`since`]).
pub fn changes(conn: &Connection) -> Result<i64> {
    Ok(conn.query_row("SELECT n FROM alert_changes WHERE id = 1", [], |r| r.get(0))?)
}

/// The moments of the clock the alerts depend on, as (name, SQL binding
/// `:from` and `:to`, UTC seconds, `:w`, seconds, and `:cap`): the cases
/// whose alerts a moment in (`:from`, `:to`] changes, each read from a range
/// of one index. Also explained by `store::plans::history`.
pub(crate) const MOMENTS: &[(&str, &str)] = &[
    (
        "alert check: a deadline fell due",
        "SELECT d.escalation_id FROM deadlines d INDEXED BY deadlines_open_by_due
         WHERE d.met_at IS NULL AND d.waived_at IS NULL AND d.due_at > :from AND d.due_at <= :to
         LIMIT :cap",
    ),
    (
        "alert check: a deadline turned due soon (kept warning time)",
        "SELECT d.escalation_id FROM deadlines d INDEXED BY deadlines_open_by_warn
         WHERE d.met_at IS NULL AND d.waived_at IS NULL AND d.warn_at IS NOT NULL
           AND d.warn_at > :from AND d.warn_at <= :to LIMIT :cap",
    ),
    (
        "alert check: a deadline turned due soon (a rule's warning)",
        "SELECT d.escalation_id FROM deadlines d INDEXED BY deadlines_open_by_due
         WHERE d.met_at IS NULL AND d.waived_at IS NULL
           AND d.due_at > :from + :w AND d.due_at <= :to + :w LIMIT :cap",
    ),
    (
        "alert check: an acknowledgement window ended",
        "SELECT e.id FROM escalations e INDEXED BY escalations_unacknowledged
         WHERE e.status <> 'closed' AND e.acknowledged_at IS NULL
           AND e.raised_at > :from - :w AND e.raised_at <= :to - :w LIMIT :cap",
    ),
    (
        "alert check: an assignment came into or left its day",
        "SELECT a.escalation_id FROM assignments a INDEXED BY assignments_by_at
         WHERE a.at > :from - :w AND a.at <= :to - :w LIMIT :cap",
    ),
    (
        "alert check: the cases touched since",
        "SELECT t.escalation_id FROM alert_touched t INDEXED BY alert_touched_by_n
         WHERE t.n > :from LIMIT :cap",
    ),
];

/// More cases than this touched or reached by moments since the last check
/// and the alert check derives every alert instead ([`Since::Everything`]):
/// past a few thousand cases the whole derivation is the cheaper.
pub const AMONG_AT_MOST: usize = 2_000;

/// What an alert check must derive again since it last looked ([`since`]).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Since {
    /// Nothing the alerts read changed and no moment they depend on passed:
    /// the alerts are as they were.
    Nothing,
    /// Only the alerts of these escalations (ascending ids) can have
    /// changed: the cases touched (`alert_touched`) and those a moment
    /// reached (a deadline falling due or turning due soon, an
    /// acknowledgement window ending, an assignment entering or leaving the
    /// last day).
    Among(Vec<i64>),
    /// Something the whole desk's alerts depend on changed (settings, staff,
    /// the rota, deadline rules), a shift moment passed, or too many cases
    /// are involved: derive every alert.
    Everything,
}

/// What changed since an alert check that read the change counter
/// ([`changes`]) as `last` and ran at `from` (UTC seconds), now at `to`.
/// Conservative: it may name a case whose alerts did not change, or say
/// [`Since::Everything`] where fewer would do, never leave out a case whose
/// alerts changed, so a check that derives only what it names misses
/// nothing (issue 21: incremental by what changed).
pub fn since(conn: &Connection, last: i64, from: i64, to: i64) -> Result<Since> {
    let mut ids = std::collections::BTreeSet::new();
    let probe = |ids: &mut std::collections::BTreeSet<i64>,
                 i: usize,
                 from: i64,
                 to: i64,
                 w: i64|
     -> Result<bool> {
        let cap = AMONG_AT_MOST as i64 + 1;
        let mut stmt = conn.prepare_cached(MOMENTS[i].1)?;
        let found = rows_of(
            &mut stmt,
            &[(":from", &from), (":to", &to), (":w", &w), (":cap", &cap)],
            |r| r.get::<_, i64>(0),
        )?;
        ids.extend(found);
        // 0: a change to the whole desk's (`alert_touched`).
        Ok(ids.len() > AMONG_AT_MOST || ids.contains(&0))
    };
    let now = changes(conn)?;
    if now < last {
        // Another database (restored): nothing earlier holds.
        return Ok(Since::Everything);
    }
    if now > last && (probe(&mut ids, 5, last, 0, 0)? || ids.is_empty()) {
        return Ok(Since::Everything);
    }
    if to > from {
        // A shift starting, ending, leaving the hour it is greeted in or the
        // week the rota is read over: the rota's alerts and who is on duty
        // (whom a deadline's notice goes to) change for everyone.
        let week = Duration::days(7).num_seconds();
        let greet = SHIFT_START_WITHIN.num_seconds();
        let shifts = super::rota::in_force(conn, instant(from - week - greet), instant(to + 1))?;
        let within = |t: i64| t > from && t <= to;
        if shifts.iter().any(|s| {
            let (start, end) = (s.starts_at.timestamp(), s.ends_at.timestamp());
            within(start) || within(end) || within(start + greet) || within(end + week)
        }) {
            return Ok(Since::Everything);
        }
        let mut warns: Vec<i64> = {
            let mut stmt = conn.prepare_cached(
                "SELECT DISTINCT coalesce(warn_minutes, 240) FROM deadline_rules",
            )?;
            let rows = stmt.query_map([], |r| r.get::<_, i64>(0))?;
            rows.collect::<rusqlite::Result<_>>()?
        };
        warns.push(240);
        warns.sort_unstable();
        warns.dedup();
        let minutes = super::notices::ack_minutes(conn)?;
        let mut windows = Vec::new();
        for immediate in [false, true] {
            let w = crate::domain::alert::ack_window(minutes, immediate).num_seconds();
            windows.extend([w, 2 * w]);
        }
        windows.sort_unstable();
        windows.dedup();
        // An assignment is news while `at >= now - a day`: it leaves the
        // second after its day ends.
        let day = super::notices::ASSIGNED_WITHIN.num_seconds() + 1;
        let probes = [(0, 0), (1, 0)]
            .into_iter()
            .chain(warns.iter().map(|m| (2, m * 60)))
            .chain(windows.iter().map(|w| (3, *w)))
            .chain([(4, 0), (4, day)]);
        for (i, w) in probes {
            if probe(&mut ids, i, from, to, w)? {
                return Ok(Since::Everything);
            }
        }
    }
    Ok(if ids.is_empty() {
        Since::Nothing
    } else {
        Since::Among(ids.into_iter().collect())
    })
}
