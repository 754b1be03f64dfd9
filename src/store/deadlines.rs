//! Deadlines: rules firing on triggers, the open list for the dashboard and
//! cron, and meeting or waiving one.

use super::escalations::{VISIBLE, Viewer};
use super::{Result, Store, StoreError, Write, instant, settings};
use crate::domain::calendar::{OffsetUnit, WorkingCalendar};
use crate::domain::deadline::{
    Deadline, DeadlineState, Facts, MAX_AMOUNT, MAX_WARN_MINUTES, Rule, TriggerEvent,
    beyond_calendar, parse_match, plan,
};
use crate::domain::escalation::SubjectKind;
use crate::domain::text::{clean_line, validate_line};
use chrono::{DateTime, Utc};
use rusqlite::{Connection, OptionalExtension, Row, named_params, params};

const RULE_COLUMNS: &str = "id, code, name, trigger_event, trigger_match, offset_amount, offset_unit, warn_minutes, active";

fn rule_row(r: &Row<'_>) -> rusqlite::Result<Rule> {
    Ok(Rule {
        id: r.get(0)?,
        code: clean_line(&r.get::<_, String>(1)?),
        name: clean_line(&r.get::<_, String>(2)?),
        event: TriggerEvent::from_code(&r.get::<_, String>(3)?)
            .unwrap_or(TriggerEvent::EventRecorded),
        matcher: r.get(4)?,
        amount: r.get(5)?,
        unit: OffsetUnit::from_code(&r.get::<_, String>(6)?).unwrap_or(OffsetUnit::Hours),
        warn_minutes: r.get(7)?,
        active: r.get(8)?,
    })
}

/// Every rule, active or not, by code.
pub fn rules(conn: &Connection) -> Result<Vec<Rule>> {
    let mut stmt = conn.prepare_cached(&format!(
        "SELECT {RULE_COLUMNS} FROM deadline_rules ORDER BY code"
    ))?;
    Ok(stmt
        .query_map([], rule_row)?
        .collect::<rusqlite::Result<_>>()?)
}

/// Working days for the organisation's division.
pub fn calendar(conn: &Connection) -> Result<WorkingCalendar> {
    let division = settings::division(conn)?;
    let mut stmt =
        conn.prepare_cached("SELECT date FROM bank_holidays WHERE division = ?1 ORDER BY date")?;
    let dates = stmt
        .query_map([division], |r| r.get::<_, String>(0))?
        .collect::<rusqlite::Result<Vec<_>>>()?;
    Ok(WorkingCalendar::new(dates.iter().filter_map(|d| {
        chrono::NaiveDate::parse_from_str(d, "%Y-%m-%d").ok()
    })))
}

/// The last year with known bank holidays in the organisation's division.
pub fn known_through(conn: &Connection) -> Result<Option<i32>> {
    let division = settings::division(conn)?;
    Ok(conn.query_row(
        "SELECT CAST(substr(max(date), 1, 4) AS INTEGER) FROM bank_holidays WHERE division = ?1",
        [division],
        |r| r.get(0),
    )?)
}

/// Facts about an escalation as stored, for rules that fire later
/// (a referral, a status change, an event).
pub fn facts(conn: &Connection, escalation_id: i64) -> Result<Facts> {
    let (subject, critical, immediate, low_level): (String, bool, bool, bool) = conn.query_row(
        "SELECT subject_kind, critical_incident, immediate_risk, low_level FROM escalations WHERE id = ?1",
        [escalation_id],
        |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?)),
    )?;
    let mut stmt = conn.prepare_cached(
        "SELECT category FROM escalation_categories WHERE escalation_id = ?1 ORDER BY category",
    )?;
    let categories = stmt
        .query_map([escalation_id], |r| r.get(0))?
        .collect::<rusqlite::Result<_>>()?;
    Ok(Facts {
        subject: SubjectKind::from_code(&subject),
        categories,
        critical_incident: critical,
        immediate_risk: immediate,
        low_level,
        ..Facts::default()
    })
}

/// What planning deadlines reads from the database: read once per write,
/// as a write may record many cases (the demo writes thousands at a time).
pub struct Planning {
    rules: Vec<Rule>,
    counting: crate::domain::calendar::Counting,
    calendar: WorkingCalendar,
}

impl Planning {
    pub(crate) fn load(conn: &Connection) -> Result<Self> {
        Ok(Planning {
            rules: rules(conn)?,
            counting: settings::counting(conn)?,
            calendar: calendar(conn)?,
        })
    }
}

/// Runs the rules for `event` on an escalation and stores the deadlines they
/// set, counted from `at`. Returns how many were set. Part of the caller's
/// write (and audit row), so a trigger and its deadlines commit together.
pub fn fire(
    w: &Write<'_>,
    escalation_id: i64,
    event: TriggerEvent,
    facts: &Facts,
    at: DateTime<Utc>,
) -> Result<usize> {
    let conn: &Connection = w.tx();
    let p = w.planning()?;
    let planned = plan(&p.rules, event, facts, at, p.counting, &p.calendar);
    let mut stmt = conn.prepare_cached(
        "INSERT INTO deadlines (escalation_id, rule_id, label, due_at, created_at)
         VALUES (?1, ?2, ?3, ?4, ?5)",
    )?;
    for p in &planned {
        stmt.execute(params![
            escalation_id,
            p.rule_id,
            p.label,
            p.due.at.timestamp(),
            at.timestamp()
        ])?;
    }
    Ok(planned.len())
}

/// After a correction (issue 18): fires only the rules for `event` that the
/// new facts match and the old did not (a critical incident recognised on
/// day 3, FGM added at a second meeting), counted from `at`, the moment it
/// was recognised. Rules both match already set their deadlines and are
/// left alone. Returns the labels set, for the chronology line.
pub fn fire_changed(
    w: &Write<'_>,
    escalation_id: i64,
    event: TriggerEvent,
    old: &Facts,
    new: &Facts,
    at: DateTime<Utc>,
) -> Result<Vec<String>> {
    let conn: &Connection = w.tx();
    let p = w.planning()?;
    let fresh: Vec<Rule> = p
        .rules
        .iter()
        .filter(|r| !crate::domain::deadline::fires(r, event, old))
        .cloned()
        .collect();
    let planned = plan(&fresh, event, new, at, p.counting, &p.calendar);
    let mut stmt = conn.prepare_cached(
        "INSERT INTO deadlines (escalation_id, rule_id, label, due_at, created_at)
         VALUES (?1, ?2, ?3, ?4, ?5)",
    )?;
    for p in &planned {
        stmt.execute(params![
            escalation_id,
            p.rule_id,
            p.label,
            p.due.at.timestamp(),
            at.timestamp()
        ])?;
    }
    Ok(planned.into_iter().map(|p| p.label).collect())
}

/// A deadline's holder for alerts: a task's owner (issue 18), else the
/// escalation's assignee.
const COLUMNS: &str = "d.id, d.escalation_id, e.reference, d.label, d.due_at,
    coalesce(r.warn_minutes, 240), r.offset_unit, d.met_at, ms.display_name,
    d.waived_at, ws.display_name, d.waived_reason,
    coalesce((SELECT t.owner_id FROM tasks t WHERE t.deadline_id = d.id), e.assignee_id)";

macro_rules! joins {
    () => {
        " JOIN escalations e ON e.id = d.escalation_id
    LEFT JOIN deadline_rules r ON r.id = d.rule_id
    LEFT JOIN staff ms ON ms.id = d.met_by
    LEFT JOIN staff ws ON ws.id = d.waived_by"
    };
}
const FROM: &str = concat!("deadlines d", joins!());
/// Open deadlines soonest first, named so the planner never prefers another
/// partial index that merely contains them all (`deadlines_missed`).
const OPEN_FROM: &str = concat!("deadlines d INDEXED BY deadlines_open_by_due", joins!());

fn row(r: &Row<'_>, known: Option<i32>) -> rusqlite::Result<Deadline> {
    let due_at = instant(r.get(4)?);
    let unit = r
        .get::<_, Option<String>>(6)?
        .and_then(|u| OffsetUnit::from_code(&u));
    let name = |i: usize| -> rusqlite::Result<String> {
        Ok(clean_line(
            r.get::<_, Option<String>>(i)?.as_deref().unwrap_or("?"),
        ))
    };
    let state = match (r.get::<_, Option<i64>>(7)?, r.get::<_, Option<i64>>(9)?) {
        (Some(at), _) => DeadlineState::Met {
            at: instant(at),
            by: name(8)?,
        },
        (None, Some(at)) => DeadlineState::Waived {
            at: instant(at),
            by: name(10)?,
            reason: clean_line(&r.get::<_, Option<String>>(11)?.unwrap_or_default()),
        },
        (None, None) => DeadlineState::Open,
    };
    Ok(Deadline {
        id: r.get(0)?,
        escalation_id: r.get(1)?,
        reference: clean_line(&r.get::<_, String>(2)?),
        label: clean_line(&r.get::<_, String>(3)?),
        due_at,
        warn_minutes: r.get(5)?,
        beyond_calendar: state == DeadlineState::Open && beyond_calendar(unit, due_at, known),
        state,
        assignee_id: r.get(12)?,
    })
}

/// A deadline is open until met or waived, whatever its escalation's state:
/// closing waives the statutory ones, and an action agreed at a review of a
/// closed escalation still counts down for its owner.
const OPEN: &str = "d.met_at IS NULL AND d.waived_at IS NULL";

/// How many open deadlines the viewer can see: the index's count less those
/// on escalations the viewer may not see (restricted, or excluded from), so
/// a decade of history costs no more than a week's.
pub fn open_count(store: &Store, viewer: Viewer) -> Result<i64> {
    let conn = store.conn();
    let all: i64 = conn.query_row(&open_count_sql(), [], |r| r.get(0))?;
    let p = named_params! {":senior": viewer.senior, ":me": viewer.staff_id};
    let hidden_restricted: i64 = conn.query_row(
        &format!(
            "SELECT count(*) FROM escalations e INDEXED BY escalations_restricted
             CROSS JOIN deadlines d INDEXED BY deadlines_open_by_escalation ON d.escalation_id = e.id
             WHERE e.restricted = 1 AND {OPEN} AND NOT ({VISIBLE})"
        ),
        p,
        |r| r.get(0),
    )?;
    let excluded: i64 = conn.query_row(
        &format!(
            "SELECT count(*) FROM escalation_access a JOIN escalations e ON e.id = a.escalation_id
             JOIN deadlines d INDEXED BY deadlines_open_by_escalation ON d.escalation_id = e.id
             WHERE a.staff_id = :me AND a.access = 'excluded' AND e.restricted = 0 AND {OPEN}"
        ),
        named_params! {":me": viewer.staff_id},
        |r| r.get(0),
    )?;
    Ok(all - hidden_restricted - excluded)
}

/// Every open deadline, from the index alone (before visibility).
pub(crate) fn open_count_sql() -> String {
    format!("SELECT count(*) FROM deadlines d INDEXED BY deadlines_open_by_due WHERE {OPEN}")
}

/// The deadlines page's SQL, also explained by `store::plans`.
pub(crate) fn open_page_sql() -> String {
    format!(
        "SELECT {COLUMNS} FROM {OPEN_FROM} WHERE {OPEN} AND {VISIBLE}
         ORDER BY d.due_at, d.id LIMIT :limit OFFSET :offset"
    )
}

/// A window of open deadlines, soonest (most overdue) first.
pub fn open_page(store: &Store, viewer: Viewer, offset: i64, limit: i64) -> Result<Vec<Deadline>> {
    let known = known_through(store.conn())?;
    let mut stmt = store.conn().prepare_cached(&open_page_sql())?;
    let rows = stmt.query_map(
        named_params! {":senior": viewer.senior, ":me": viewer.staff_id,
        ":limit": limit, ":offset": offset},
        |r| row(r, known),
    )?;
    Ok(rows.collect::<rusqlite::Result<_>>()?)
}

/// Open deadlines due before `until` (overdue ones included), for notices.
pub fn open_due_before(
    store: &Store,
    viewer: Viewer,
    until: DateTime<Utc>,
) -> Result<Vec<Deadline>> {
    let known = known_through(store.conn())?;
    let mut stmt = store.conn().prepare_cached(&format!(
        "SELECT {COLUMNS} FROM {OPEN_FROM} WHERE {OPEN} AND {VISIBLE} AND d.due_at <= :until
         ORDER BY d.due_at, d.id"
    ))?;
    let rows = stmt.query_map(
        named_params! {":senior": viewer.senior, ":me": viewer.staff_id,
        ":until": until.timestamp()},
        |r| row(r, known),
    )?;
    Ok(rows.collect::<rusqlite::Result<_>>()?)
}

/// Every deadline of the viewer's escalations, soonest first: open ones, or
/// with `all` met and waived ones too (for `dutydesk deadlines`).
pub fn list(store: &Store, viewer: Viewer, all: bool) -> Result<Vec<Deadline>> {
    let known = known_through(store.conn())?;
    let (from, filter) = if all { (FROM, "1") } else { (OPEN_FROM, OPEN) };
    let mut stmt = store.conn().prepare(&format!(
        "SELECT {COLUMNS} FROM {from} WHERE {filter} AND {VISIBLE} ORDER BY d.due_at, d.id"
    ))?;
    let rows = stmt.query_map(
        named_params! {":senior": viewer.senior, ":me": viewer.staff_id},
        |r| row(r, known),
    )?;
    Ok(rows.collect::<rusqlite::Result<_>>()?)
}

/// Deadlines of one escalation, for its record.
pub fn of_escalation(conn: &Connection, escalation_id: i64) -> Result<Vec<Deadline>> {
    let known = known_through(conn)?;
    let mut stmt = conn.prepare_cached(&format!(
        "SELECT {COLUMNS} FROM {FROM} WHERE d.escalation_id = ?1 ORDER BY d.due_at, d.id"
    ))?;
    let rows = stmt.query_map([escalation_id], |r| row(r, known))?;
    Ok(rows.collect::<rusqlite::Result<_>>()?)
}

/// One open deadline the actor may see and act on, or a refusal saying why not.
fn open_one(w: &Write<'_>, id: i64) -> Result<(i64, Deadline)> {
    let me = super::staff::find_in(w.tx(), w.actor())?
        .filter(|s| s.active)
        .ok_or_else(|| StoreError::Refused(format!("{} is not active staff", w.actor())))?;
    if me.role == crate::domain::staff::Role::Viewer {
        return Err(StoreError::Refused(
            "viewers cannot change deadlines; ask a DSL".into(),
        ));
    }
    let viewer = Viewer::from(&me);
    let known = known_through(w.tx())?;
    let d = w
        .tx()
        .query_row(
            &format!("SELECT {COLUMNS} FROM {FROM} WHERE d.id = :id AND {VISIBLE}"),
            named_params! {":senior": viewer.senior, ":me": viewer.staff_id, ":id": id},
            |r| row(r, known),
        )
        .optional()?
        .ok_or_else(|| StoreError::Refused(format!("no deadline {id} that you can see")))?;
    match &d.state {
        DeadlineState::Open => Ok((me.id, d)),
        DeadlineState::Met { at, by } => Err(StoreError::Conflict(
            by.clone(),
            format!(
                "{} (already marked met)",
                crate::domain::calendar::format_stamp(*at)
            ),
        )),
        DeadlineState::Waived { at, by, .. } => Err(StoreError::Conflict(
            by.clone(),
            format!(
                "{} (already waived)",
                crate::domain::calendar::format_stamp(*at)
            ),
        )),
    }
}

/// Marks a deadline met, with an optional note, in the chronology and audit log.
pub fn meet(w: &mut Write<'_>, id: i64, note: &str) -> Result<Deadline> {
    let note = clean_line(note.trim());
    let (me, d) = open_one(w, id)?;
    let now = w.now();
    w.tx().execute(
        "UPDATE deadlines SET met_at = ?2, met_by = ?3 WHERE id = ?1",
        params![id, now.timestamp(), me],
    )?;
    let body = if note.is_empty() {
        format!("Deadline met: {}.", d.label)
    } else {
        format!("Deadline met: {}. {note}", d.label)
    };
    super::escalations::add_chronology(w, d.escalation_id, me, now, "deadline_met", &body)?;
    // The label can hold a review action's words: the trail names the deadline.
    w.audit(
        "meet",
        "deadline",
        Some(&d.reference),
        Some(&format!("deadline {id}")),
    )?;
    Ok(d)
}

/// Waives a deadline; the reason is required and kept.
pub fn waive(w: &mut Write<'_>, id: i64, reason: &str) -> Result<Deadline> {
    let reason =
        validate_line("reason", reason, 4000).map_err(|e| StoreError::Refused(e.to_string()))?;
    let (me, d) = open_one(w, id)?;
    let now = w.now();
    w.tx().execute(
        "UPDATE deadlines SET waived_at = ?2, waived_by = ?3, waived_reason = ?4 WHERE id = ?1",
        params![id, now.timestamp(), me, reason],
    )?;
    super::escalations::add_chronology(
        w,
        d.escalation_id,
        me,
        now,
        "deadline_waived",
        &format!("Deadline waived: {}. Reason: {reason}", d.label),
    )?;
    w.audit(
        "waive",
        "deadline",
        Some(&d.reference),
        Some(&format!("deadline {id}")),
    )?;
    Ok(d)
}

/// After new bank holidays arrive, recounts open working-day deadlines that
/// were counted past the old calendar, so no date stays silently wrong.
/// Returns how many moved.
pub fn recount_beyond(w: &mut Write<'_>, old_known: Option<i32>) -> Result<usize> {
    let conn: &Connection = w.tx();
    let counting = settings::counting(conn)?;
    let cal = calendar(conn)?;
    let mut stmt = conn.prepare(
        "SELECT d.id, d.created_at, d.due_at, r.offset_amount FROM deadlines d
         JOIN deadline_rules r ON r.id = d.rule_id
         WHERE d.met_at IS NULL AND d.waived_at IS NULL AND r.offset_unit = 'working_days'",
    )?;
    let rows = stmt
        .query_map([], |r| {
            Ok((
                r.get::<_, i64>(0)?,
                r.get::<_, i64>(1)?,
                r.get::<_, i64>(2)?,
                r.get::<_, u32>(3)?,
            ))
        })?
        .collect::<rusqlite::Result<Vec<_>>>()?;
    let mut moved = 0;
    for (id, from, due, amount) in rows {
        if !beyond_calendar(Some(OffsetUnit::WorkingDays), instant(due), old_known) {
            continue;
        }
        let new = crate::domain::calendar::due_after(
            instant(from),
            amount,
            OffsetUnit::WorkingDays,
            counting,
            &cal,
        );
        if new.at.timestamp() != due {
            conn.execute(
                "UPDATE deadlines SET due_at = ?2 WHERE id = ?1",
                params![id, new.at.timestamp()],
            )?;
            moved += 1;
        }
    }
    Ok(moved)
}

/// A new or changed rule, as typed by an organisation's DSL.
#[derive(Debug, Clone)]
pub struct RuleInput {
    pub code: String,
    pub name: String,
    pub event: TriggerEvent,
    pub matcher: String,
    pub amount: i64,
    pub unit: OffsetUnit,
    pub warn_minutes: i64,
    pub active: bool,
}

fn check_rule(r: &RuleInput) -> Result<()> {
    let refuse = |m: String| Err(StoreError::Refused(m));
    if !(1..=40).contains(&r.code.len())
        || !r
            .code
            .chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_')
    {
        return refuse(format!(
            "{:?} is not a rule code (1-40 of a-z, 0-9, _)",
            r.code
        ));
    }
    validate_line("name", &r.name, 120).map_err(|e| StoreError::Refused(e.to_string()))?;
    parse_match(&r.matcher).map_err(StoreError::Refused)?;
    if !(0..=MAX_AMOUNT as i64).contains(&r.amount) {
        return refuse(format!(
            "an offset of {} is refused: it must be 0 to {MAX_AMOUNT}",
            r.amount
        ));
    }
    if !(0..=MAX_WARN_MINUTES as i64).contains(&r.warn_minutes) {
        return refuse(format!(
            "a warning of {} minutes is refused: it must be 0 to {MAX_WARN_MINUTES} (30 days)",
            r.warn_minutes
        ));
    }
    Ok(())
}

/// Adds a rule, or replaces the one with the same code. Only a DSL or senior
/// lead may; existing deadlines keep their dates.
pub fn save_rule(w: &mut Write<'_>, r: &RuleInput) -> Result<bool> {
    super::staff::require_manager(w, "change deadline rules")?;
    check_rule(r)?;
    let existed = w
        .tx()
        .query_row(
            "SELECT 1 FROM deadline_rules WHERE code = ?1",
            [&r.code],
            |_| Ok(()),
        )
        .optional()?
        .is_some();
    w.tx().execute(
        "INSERT INTO deadline_rules (code, name, trigger_event, trigger_match, offset_amount,
            offset_unit, warn_minutes, active) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)
         ON CONFLICT (code) DO UPDATE SET name = excluded.name,
            trigger_event = excluded.trigger_event, trigger_match = excluded.trigger_match,
            offset_amount = excluded.offset_amount, offset_unit = excluded.offset_unit,
            warn_minutes = excluded.warn_minutes, active = excluded.active",
        params![
            r.code,
            r.name.trim(),
            r.event.code(),
            r.matcher.trim(),
            r.amount,
            r.unit.code(),
            r.warn_minutes,
            r.active
        ],
    )?;
    w.audit(
        if existed { "change" } else { "add" },
        "deadline_rule",
        Some(&r.code),
        Some(&format!(
            "{} on {} [{}]: {} {}, warn {} min{}",
            r.name,
            r.event.code(),
            r.matcher,
            r.amount,
            r.unit.code(),
            r.warn_minutes,
            if r.active { "" } else { ", inactive" }
        )),
    )?;
    Ok(existed)
}

/// How many deadlines there are, of any state.
pub fn total(conn: &Connection) -> Result<i64> {
    Ok(conn.query_row("SELECT count(*) FROM deadlines", [], |r| r.get(0))?)
}
