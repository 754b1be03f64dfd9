//! Deadlines: rules firing on triggers, the open list for the dashboard and
//! cron, meeting them by what practice says meets them, and meeting or
//! waiving one by hand.

use super::escalations::{VISIBLE, Viewer};
use super::{Result, Store, StoreError, Write, instant, settings};
use crate::domain::calendar::{Counting, OffsetUnit, WorkingCalendar};
use crate::domain::deadline::{
    CountsFrom, Deadline, DeadlineSource, DeadlineState, Facts, Happening, KnownCodes, MAX_AMOUNT,
    MAX_WARN_MINUTES, Rule, TriggerEvent, beyond_calendar, check_match, check_meets, fires,
    plan_one,
};
use crate::domain::escalation::{Fgm, Risk, SubjectKind};
use crate::domain::text::{clean_line, validate_line};
use crate::domain::worktime::{WorkingHours, WorkingTime};
use chrono::{DateTime, Utc};
use rusqlite::{Connection, OptionalExtension, Row, named_params, params};
use std::collections::HashMap;

const RULE_COLUMNS: &str = "id, code, name, trigger_event, trigger_match, offset_amount, offset_unit, warn_minutes, active, counts_from, counting, meets, repeats";

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
        counts_from: CountsFrom::from_code(&r.get::<_, String>(9)?).unwrap_or(CountsFrom::Recorded),
        counting: Counting::from_code(&r.get::<_, String>(10)?).unwrap_or(Counting::SameTime),
        meets: r.get(11)?,
        repeats: r.get(12)?,
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

/// The codes rules are checked against: the organisation's active
/// categories (a rule matching a retired one would never fire for a new
/// case; retired ones are listed apart to say so) and the routes.
pub fn known_codes(conn: &Connection) -> Result<KnownCodes> {
    let list = |sql: &str| -> Result<Vec<String>> {
        let mut stmt = conn.prepare_cached(sql)?;
        let rows = stmt.query_map([], |r| r.get::<_, String>(0))?;
        Ok(rows.collect::<rusqlite::Result<_>>()?)
    };
    Ok(KnownCodes {
        categories: list("SELECT code FROM categories WHERE active = 1 ORDER BY sort, code")?,
        retired: list("SELECT code FROM categories WHERE active = 0 ORDER BY sort, code")?,
        routes: list("SELECT code FROM routes ORDER BY rowid")?,
    })
}

/// Facts about an escalation as stored, for rules that fire later
/// (a referral, a status change, an event).
pub fn facts(conn: &Connection, escalation_id: i64) -> Result<Facts> {
    type Row = (
        String,
        bool,
        bool,
        String,
        Option<String>,
        bool,
        Option<String>,
    );
    let (subject, critical, immediate, risk, fgm, low_level, works_with): Row = conn.query_row(
        "SELECT subject_kind, critical_incident, immediate_risk, risk, fgm, low_level, works_with
         FROM escalations WHERE id = ?1",
        [escalation_id],
        |r| {
            Ok((
                r.get(0)?,
                r.get(1)?,
                r.get(2)?,
                r.get(3)?,
                r.get(4)?,
                r.get(5)?,
                r.get(6)?,
            ))
        },
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
        risk: Risk::from_code(&risk),
        fgm: fgm.as_deref().and_then(Fgm::from_code),
        works_with: works_with
            .as_deref()
            .and_then(crate::domain::escalation::WorksWith::from_code),
        ..Facts::default()
    })
}

/// What planning deadlines reads from the database: read once per write,
/// as a write may record many cases (the demo writes thousands at a time).
pub struct Planning {
    rules: Vec<Rule>,
    calendar: WorkingCalendar,
    /// The organisation's working hours (setting `working_hours`).
    hours: WorkingHours,
    /// Each route's office hours by area (lower case; "" for the contacts
    /// serving any area), from `domain::contact::office_hours`; `None` for
    /// an office with no close of business (24/7). A route and area with no
    /// office contact (only out-of-hours lines, or none) has no entry.
    route_hours: HashMap<(String, String), Option<WorkingHours>>,
}

impl Planning {
    pub(crate) fn load(conn: &Connection) -> Result<Self> {
        use crate::domain::contact::{OfficeHours, office_hours};
        let contacts = super::contacts::all(conn)?;
        let mut route_hours = HashMap::new();
        let mut seen = std::collections::HashSet::new();
        for c in &contacts {
            let area = c
                .area
                .as_deref()
                .map(|a| a.trim().to_lowercase())
                .unwrap_or_default();
            let key = (c.route.clone(), area);
            if !seen.insert(key.clone()) {
                continue;
            }
            match office_hours(&contacts, &c.route, c.area.as_deref()) {
                OfficeHours::NoOffice => {}
                OfficeHours::NoCloseOfBusiness => {
                    route_hours.insert(key, None);
                }
                OfficeHours::Hours(h) => {
                    route_hours.insert(key, Some(h));
                }
            }
        }
        Ok(Planning {
            rules: rules(conn)?,
            calendar: calendar(conn)?,
            hours: settings::load(conn)?.working_hours,
            route_hours,
        })
    }

    /// The hours `rule` counts in for a case in `area`: the office hours of
    /// its route's service for that area (else of the one serving any area),
    /// never an out-of-hours line's (the Emergency Duty Team answers
    /// evenings and weekends; the s42 decision is the office's); the
    /// organisation's when there is no office contact, or the office never
    /// closes.
    pub fn hours_for(&self, rule: &Rule, area: &str) -> &WorkingHours {
        let Some(route) = rule.service_route() else {
            return &self.hours;
        };
        let area = area.trim().to_lowercase();
        self.route_hours
            .get(&(route.clone(), area))
            .or_else(|| self.route_hours.get(&(route, String::new())))
            .and_then(|h| h.as_ref())
            .unwrap_or(&self.hours)
    }

    pub fn calendar(&self) -> &WorkingCalendar {
        &self.calendar
    }
}

/// The area whose service a rule counts in: where the person works for
/// the LADO and the PiPoT lead (when recorded), else where the subject lives.
fn service_area<'a>(rule: &Rule, area: &'a str, work_area: Option<&'a str>) -> &'a str {
    let by_work = rule
        .service_route()
        .and_then(|r| crate::domain::route::Route::from_code(&r))
        .is_some_and(|r| r.where_they_work());
    match work_area {
        Some(w) if by_work => w,
        _ => area,
    }
}

/// What firing the rules did: the deadlines set, and those a rule kept
/// because one of its deadlines was already open (labels).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Fired {
    pub set: Vec<String>,
    pub kept: Vec<String>,
    /// Of those set, the ones met as they were set: what meets them had
    /// already happened (a first response on a case already acknowledged, a
    /// LADO referral made before a correction made the case an allegation).
    pub met: Vec<String>,
}

/// Whether what meets `rule` has already happened on the case, so a
/// deadline it sets now could never be met by it: the case acknowledged, a
/// referral on the route (the Nth), the exact words recorded. Events and
/// outcomes are not kept apart from the chronology and are left to meet
/// later ones.
fn already_met(conn: &Connection, escalation_id: i64, rule: &Rule) -> Result<bool> {
    use crate::domain::deadline::{Meet, parse_meets};
    for m in parse_meets(&rule.meets).unwrap_or_default() {
        let done = match &m {
            Meet::Acknowledged => conn.query_row(
                "SELECT acknowledged_at IS NOT NULL FROM escalations WHERE id = ?1",
                [escalation_id],
                |r| r.get::<_, bool>(0),
            )?,
            Meet::Route(route, nth) => {
                let n: i64 = conn.query_row(
                    "SELECT count(*) FROM referrals WHERE escalation_id = ?1 AND route = ?2",
                    params![escalation_id, route],
                    |r| r.get(0),
                )?;
                n >= i64::from(nth.unwrap_or(1))
            }
            Meet::ExactWords => {
                let words: String = conn.query_row(
                    "SELECT exact_words FROM escalations WHERE id = ?1",
                    [escalation_id],
                    |r| r.get(0),
                )?;
                crate::domain::escalation::words_recorded(&words)
            }
            Meet::Event(_) | Meet::Outcome(_) => false,
        };
        if done {
            return Ok(true);
        }
    }
    Ok(false)
}

/// Runs the rules for `event` on an escalation and stores the deadlines they
/// set, counted from `at` (or from when it happened, `facts.occurred_at`,
/// for rules that count from then), in the hours of the service each rule
/// names. A rule that does not repeat keeps its deadline already open on the
/// case (a second strategy discussion keeps the first ICPC deadline).
/// `referral` is the referral that fired them, if any. Part of the caller's
/// write (and audit row), so a trigger and its deadlines commit together.
pub fn fire(
    w: &Write<'_>,
    escalation_id: i64,
    event: TriggerEvent,
    facts: &Facts,
    at: DateTime<Utc>,
    referral: Option<i64>,
) -> Result<Fired> {
    let how = How {
        at,
        referral,
        mark_met: true,
    };
    fire_where(w, escalation_id, event, facts, how, |_| true)
}

/// [`fire`] for a row of an earlier log (`dutydesk import`): no deadline is
/// taken as met as it is set (the written record by the words the log
/// holds, say), since the desk never saw it met; the import waives those
/// already due, with its reason (issue 20, fault F16).
pub fn fire_imported(
    w: &Write<'_>,
    escalation_id: i64,
    event: TriggerEvent,
    facts: &Facts,
    at: DateTime<Utc>,
) -> Result<Fired> {
    let how = How {
        at,
        referral: None,
        mark_met: false,
    };
    fire_where(w, escalation_id, event, facts, how, |_| true)
}

/// How rules fire: counted from `at`, set by `referral` (if any), and
/// whether a deadline whose meeting already happened is met as it is set.
struct How {
    at: DateTime<Utc>,
    referral: Option<i64>,
    mark_met: bool,
}

/// [`fire`] for the rules `wanted` keeps.
fn fire_where(
    w: &Write<'_>,
    escalation_id: i64,
    event: TriggerEvent,
    facts: &Facts,
    how: How,
    wanted: impl Fn(&Rule) -> bool,
) -> Result<Fired> {
    let How {
        at,
        referral,
        mark_met,
    } = how;
    let conn: &Connection = w.tx();
    let p = w.planning()?;
    let mut out = Fired::default();
    let (area, work_area): (String, Option<String>) = conn.query_row(
        "SELECT area, work_area FROM escalations WHERE id = ?1",
        [escalation_id],
        |r| Ok((r.get(0)?, r.get(1)?)),
    )?;
    let mut open = conn.prepare_cached(
        "SELECT 1 FROM deadlines WHERE escalation_id = ?1 AND rule_id = ?2
           AND met_at IS NULL AND waived_at IS NULL LIMIT 1",
    )?;
    let mut insert = conn.prepare_cached(
        "INSERT INTO deadlines (escalation_id, rule_id, label, due_at, created_at, warn_at, referral_id)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
    )?;
    for rule in p
        .rules
        .iter()
        .filter(|r| wanted(r) && fires(r, event, facts))
    {
        if !rule.repeats && open.exists(params![escalation_id, rule.id])? {
            out.kept.push(rule.name.clone());
            continue;
        }
        let wt = WorkingTime::new(
            p.hours_for(rule, service_area(rule, &area, work_area.as_deref())),
            &p.calendar,
        );
        let planned = plan_one(rule, facts, at, &wt);
        insert.execute(params![
            escalation_id,
            rule.id,
            planned.label,
            planned.due.at.timestamp(),
            planned.start.timestamp(),
            planned.warn_at.timestamp(),
            referral
        ])?;
        if mark_met && already_met(conn, escalation_id, rule)? {
            let by = super::staff::find_in(conn, w.actor())?.map(|s| s.id);
            conn.execute(
                "UPDATE deadlines SET met_at = ?2, met_by = ?3 WHERE id = ?1",
                params![conn.last_insert_rowid(), at.timestamp(), by],
            )?;
            out.met.push(planned.label.clone());
        }
        out.set.push(planned.label);
    }
    Ok(out)
}

/// Marks met every open deadline on the escalation whose rule is met by
/// `what` (`deadline_rules.meets`), by `by`, at the write's time (or `at`,
/// e.g. an intake recorded at its own time). A deadline a referral set is
/// met by an outcome only on that referral (`referral`). Returns the labels
/// met, for the chronology line the caller writes.
pub fn meet_by(
    w: &Write<'_>,
    escalation_id: i64,
    what: &Happening,
    referral: Option<i64>,
    by: i64,
) -> Result<Vec<String>> {
    meet_by_at(w, escalation_id, what, referral, by, w.now())
}

/// [`meet_by`] at a given instant.
pub fn meet_by_at(
    w: &Write<'_>,
    escalation_id: i64,
    what: &Happening,
    referral: Option<i64>,
    by: i64,
    at: DateTime<Utc>,
) -> Result<Vec<String>> {
    let conn: &Connection = w.tx();
    let rules = &w.planning()?.rules;
    let mut stmt = conn.prepare_cached(
        "SELECT id, rule_id, label, referral_id FROM deadlines
         WHERE escalation_id = ?1 AND met_at IS NULL AND waived_at IS NULL AND rule_id IS NOT NULL
         ORDER BY due_at, id",
    )?;
    let open = stmt
        .query_map([escalation_id], |r| {
            Ok((
                r.get::<_, i64>(0)?,
                r.get::<_, i64>(1)?,
                r.get::<_, String>(2)?,
                r.get::<_, Option<i64>>(3)?,
            ))
        })?
        .collect::<rusqlite::Result<Vec<_>>>()?;
    let mut met = Vec::new();
    for (id, rule_id, label, from) in open {
        let Some(rule) = rules.iter().find(|r| r.id == rule_id) else {
            continue;
        };
        let same_referral = match (what, from, referral) {
            (Happening::Outcome { .. }, Some(f), Some(r)) => f == r,
            _ => true,
        };
        if rule.met_by(what) && same_referral {
            conn.execute(
                "UPDATE deadlines SET met_at = ?2, met_by = ?3 WHERE id = ?1",
                params![id, at.timestamp(), by],
            )?;
            met.push(clean_line(&label));
        }
    }
    Ok(met)
}

/// After a correction (issue 18): fires only the rules for `event` that the
/// new facts match and the old did not (a critical incident recognised on
/// day 3, FGM added at a second meeting), counted from `at`, the moment it
/// was recognised, also for rules that count from when it happened (the fact
/// was not known then), in the hours of the service each rule names. Rules
/// both match already set their deadlines and are left alone; a rule that
/// does not repeat keeps a deadline already open. Returns the labels set,
/// for the chronology line.
pub fn fire_changed(
    w: &Write<'_>,
    escalation_id: i64,
    event: TriggerEvent,
    old: &Facts,
    new: &Facts,
    at: DateTime<Utc>,
) -> Result<Vec<String>> {
    let recognised = Facts {
        occurred_at: None,
        ..new.clone()
    };
    let how = How {
        at,
        referral: None,
        mark_met: true,
    };
    let fired = fire_where(w, escalation_id, event, &recognised, how, |r| {
        !fires(r, event, old)
    })?;
    Ok(fired
        .set
        .into_iter()
        .map(|l| {
            if fired.met.contains(&l) {
                format!("{l} (met: already done)")
            } else {
                l
            }
        })
        .collect())
}

/// A deadline's holder for alerts: a task's owner (issue 18), else the
/// escalation's assignee.
const COLUMNS: &str = "d.id, d.escalation_id, e.reference, d.label, d.due_at,
    coalesce(d.warn_at, d.due_at - 60 * coalesce(r.warn_minutes, 240)), r.offset_unit,
    d.met_at, ms.display_name, d.waived_at, ws.display_name, d.waived_reason,
    coalesce((SELECT t.owner_id FROM tasks t WHERE t.deadline_id = d.id), e.assignee_id),
    r.counting, r.code,
    (SELECT s.username || char(31) || s.display_name FROM tasks t JOIN staff s ON s.id = t.owner_id
     WHERE t.deadline_id = d.id),
    CASE WHEN d.rule_id IS NULL THEN
        (SELECT s.username || char(31) || s.display_name FROM review_actions a
         JOIN review_items i ON i.id = a.item_id JOIN staff s ON s.id = a.owner_id
         WHERE i.escalation_id = d.escalation_id AND a.due_at = d.due_at
           AND d.label = substr('Review action (' || s.display_name || '): ' || a.description, 1, 120)
         ORDER BY a.id LIMIT 1) END";

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
    let warn_at: i64 = r.get(5)?;
    let unit = r
        .get::<_, Option<String>>(6)?
        .and_then(|u| OffsetUnit::from_code(&u));
    let counting = r
        .get::<_, Option<String>>(13)?
        .and_then(|c| Counting::from_code(&c));
    let working = unit == Some(OffsetUnit::WorkingDays) || counting == Some(Counting::WorkingHours);
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
        warn_minutes: ((due_at.timestamp() - warn_at).max(0) / 60).min(u32::MAX as i64) as u32,
        beyond_calendar: state == DeadlineState::Open && beyond_calendar(working, due_at, known),
        state,
        assignee_id: r.get(12)?,
        source: {
            let rule: Option<String> = r.get(14)?;
            let task: Option<String> = r.get(15)?;
            let action: Option<String> = r.get(16)?;
            let split = |s: String| {
                s.split_once('\u{1f}')
                    .map(|(u, n)| (u.to_string(), clean_line(n)))
            };
            use crate::domain::paging::Hand;
            DeadlineSource {
                hand: match (&rule, &task) {
                    (Some(_), _) => None,
                    (None, Some(_)) => Some(Hand::Task),
                    (None, None) => Some(Hand::Action),
                },
                owner: task.or(action).and_then(split),
                rule,
            }
        },
    })
}

/// A deadline is open until met or waived, whatever its escalation's state:
/// closing waives the statutory ones, and an action agreed at a review of a
/// closed escalation still counts down for its owner.
const OPEN: &str = "d.met_at IS NULL AND d.waived_at IS NULL";

/// How many open deadlines the viewer can see: the index's count less those
/// on escalations the viewer may not see (restricted, or excluded from), so
/// a decade of history costs no more than a week's. The restricted records'
/// share is read from the open deadlines of `deadlines_restricted` (schema
/// v13), never from every restricted record ever closed.
pub fn open_count(store: &Store, viewer: Viewer) -> Result<i64> {
    let conn = store.conn();
    let all: i64 = conn.query_row(&open_count_sql(), [], |r| r.get(0))?;
    let p = named_params! {":senior": viewer.senior, ":me": viewer.staff_id};
    let hidden_restricted: i64 = conn.query_row(&hidden_restricted_sql(), p, |r| r.get(0))?;
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

/// How many open deadlines due by `until` (UTC; overdue ones included) the
/// viewer can see, counted as [`open_count`] counts (the index's range less
/// the hidden ones): the handover shows the first of them and says how
/// many there are (issue 21: at 137,000 open cases some 100,000 are
/// overdue, and building each cost 100 ms).
pub fn open_due_count(store: &Store, viewer: Viewer, until: DateTime<Utc>) -> Result<i64> {
    let conn = store.conn();
    let until = until.timestamp();
    let all: i64 = conn.query_row(
        &format!("{} AND d.due_at <= :until", open_count_sql()),
        named_params! {":until": until},
        |r| r.get(0),
    )?;
    let hidden_restricted: i64 = conn.query_row(
        &format!("{} AND d.due_at <= :until", hidden_restricted_sql()),
        named_params! {":senior": viewer.senior, ":me": viewer.staff_id, ":until": until},
        |r| r.get(0),
    )?;
    let excluded: i64 = conn.query_row(
        &format!(
            "SELECT count(*) FROM escalation_access a JOIN escalations e ON e.id = a.escalation_id
             JOIN deadlines d INDEXED BY deadlines_open_by_escalation ON d.escalation_id = e.id
             WHERE a.staff_id = :me AND a.access = 'excluded' AND e.restricted = 0 AND {OPEN}
               AND d.due_at <= :until"
        ),
        named_params! {":me": viewer.staff_id, ":until": until},
        |r| r.get(0),
    )?;
    Ok(all - hidden_restricted - excluded)
}

/// The open deadlines of restricted records the viewer may not see (bind
/// `:senior`, `:me`), from the open entries of `deadlines_restricted`.
pub(crate) fn hidden_restricted_sql() -> String {
    format!(
        "SELECT count(*) FROM deadlines_restricted d INDEXED BY deadlines_restricted_open
         CROSS JOIN escalations e ON e.id = d.escalation_id
         WHERE {OPEN} AND e.restricted = 1 AND NOT ({VISIBLE})"
    )
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

/// A viewer's copy of deadlines (lists, never words): a deadline set by
/// hand holds a task's text or a review action's words in its label
/// ("Task for Jo Brennan: ring the school back"), so it is named by what it
/// is ("A task", "A review action"), as alerts name it. Others' labels are
/// the rules' names and stay.
pub(crate) fn for_viewer(conn: &Connection, viewer: Viewer, list: &mut [Deadline]) -> Result<()> {
    if !viewer.redacted {
        return Ok(());
    }
    let mut stmt = conn.prepare_cached(
        "SELECT d.rule_id IS NULL, EXISTS (SELECT 1 FROM tasks t WHERE t.deadline_id = d.id)
         FROM deadlines d WHERE d.id = ?1",
    )?;
    for dl in list {
        let (hand, task): (bool, bool) = stmt.query_row([dl.id], |r| Ok((r.get(0)?, r.get(1)?)))?;
        if hand {
            use crate::domain::paging::Hand;
            dl.label = if task { Hand::Task } else { Hand::Action }.said();
        }
    }
    Ok(())
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
    let mut list: Vec<Deadline> = rows.collect::<rusqlite::Result<_>>()?;
    for_viewer(store.conn(), viewer, &mut list)?;
    Ok(list)
}

/// Open deadlines due by `until` (UTC; overdue ones included), soonest
/// first, at most `limit` (the handover: [`open_due_count`] says how many
/// there are in all).
pub fn open_due_before(
    store: &Store,
    viewer: Viewer,
    until: DateTime<Utc>,
    limit: i64,
) -> Result<Vec<Deadline>> {
    let known = known_through(store.conn())?;
    let mut stmt = store.conn().prepare_cached(&format!(
        "SELECT {COLUMNS} FROM {OPEN_FROM} WHERE {OPEN} AND {VISIBLE} AND d.due_at <= :until
         ORDER BY d.due_at, d.id LIMIT :limit"
    ))?;
    let rows = stmt.query_map(
        named_params! {":senior": viewer.senior, ":me": viewer.staff_id,
        ":until": until.timestamp(), ":limit": limit},
        |r| row(r, known),
    )?;
    let mut list: Vec<Deadline> = rows.collect::<rusqlite::Result<_>>()?;
    for_viewer(store.conn(), viewer, &mut list)?;
    Ok(list)
}

/// [`open_due_before`] with no limit, one deadline at a time, read a
/// thousand at a time from where the last ended (keyset paging on
/// `(due_at, id)` down `deadlines_open_by_due`): `dutydesk handover` lists
/// every deadline due in the next 24 hours, some 100,000 overdue on a desk
/// of 137,000 open cases, in bounded memory (issue 21). Stops at `f`'s
/// first error.
pub fn open_due_each(
    store: &Store,
    viewer: Viewer,
    until: DateTime<Utc>,
    mut f: impl FnMut(Deadline) -> Result<()>,
) -> Result<()> {
    const PAGE: i64 = 1000;
    let known = known_through(store.conn())?;
    let mut stmt = store.conn().prepare_cached(&format!(
        "SELECT {COLUMNS} FROM {OPEN_FROM} WHERE {OPEN} AND {VISIBLE} AND d.due_at <= :until
           AND d.due_at >= :after_due AND (d.due_at > :after_due OR d.id > :after_id)
         ORDER BY d.due_at, d.id LIMIT :limit"
    ))?;
    let (mut after_due, mut after_id) = (i64::MIN, i64::MIN);
    loop {
        let rows = stmt.query_map(
            named_params! {":senior": viewer.senior, ":me": viewer.staff_id,
            ":until": until.timestamp(), ":after_due": after_due, ":after_id": after_id,
            ":limit": PAGE},
            |r| row(r, known),
        )?;
        let mut page: Vec<Deadline> = rows.collect::<rusqlite::Result<_>>()?;
        for_viewer(store.conn(), viewer, &mut page)?;
        let n = page.len() as i64;
        if let Some(last) = page.last() {
            (after_due, after_id) = (last.due_at.timestamp(), last.id);
        }
        for d in page {
            f(d)?;
        }
        if n < PAGE {
            return Ok(());
        }
    }
}

/// Open deadlines whose warning has begun at `now` (due soon or overdue),
/// soonest first: what a deadline alert can be about. Reads the open
/// deadlines due within the longest warning ([`MAX_WARN_MINUTES`]) from
/// their index but builds only the warned ones, not every deadline of the
/// next month.
///
/// [`MAX_WARN_MINUTES`]: crate::domain::deadline::MAX_WARN_MINUTES
pub fn open_warned(store: &Store, viewer: Viewer, now: DateTime<Utc>) -> Result<Vec<Deadline>> {
    open_warned_among(store, viewer, now, None)
}

/// [`open_warned`], only on the escalations `among` when given (ascending
/// or not): an incremental alert check (`alerts::since`) reads the cases
/// it names, each by `deadlines_open_by_escalation`.
pub fn open_warned_among(
    store: &Store,
    viewer: Viewer,
    now: DateTime<Utc>,
    among: Option<&[i64]>,
) -> Result<Vec<Deadline>> {
    let known = known_through(store.conn())?;
    let horizon = now + chrono::Duration::minutes(crate::domain::deadline::MAX_WARN_MINUTES as i64);
    let from = match among {
        None => OPEN_FROM,
        Some(_) => concat!(
            "rarray(:among) x CROSS JOIN deadlines d INDEXED BY deadlines_open_by_escalation
             ON d.escalation_id = x.value",
            joins!()
        ),
    };
    let mut stmt = store.conn().prepare_cached(&format!(
        "SELECT {COLUMNS} FROM {from} WHERE {OPEN} AND d.due_at <= :until
           AND coalesce(d.warn_at, d.due_at - 60 * coalesce(r.warn_minutes, 240)) <= :now
           AND {VISIBLE}
         ORDER BY d.due_at, d.id"
    ))?;
    let ids = super::id_array(among.unwrap_or_default());
    let p = named_params! {":senior": viewer.senior, ":me": viewer.staff_id,
    ":until": horizon.timestamp(), ":now": now.timestamp()};
    let mut list: Vec<Deadline> = if among.is_some() {
        let mut all = p.to_vec();
        all.push((":among", &ids as &dyn rusqlite::ToSql));
        stmt.query_map(all.as_slice(), |r| row(r, known))?
            .collect::<rusqlite::Result<_>>()?
    } else {
        stmt.query_map(p, |r| row(r, known))?
            .collect::<rusqlite::Result<_>>()?
    };
    for_viewer(store.conn(), viewer, &mut list)?;
    Ok(list)
}

/// Every deadline of the viewer's escalations, soonest first: open ones, or
/// with `all` met and waived ones too (for `dutydesk deadlines`).
pub fn list(store: &Store, viewer: Viewer, all: bool) -> Result<Vec<Deadline>> {
    let mut out = Vec::new();
    list_each(store, viewer, all, |d| {
        out.push(d);
        Ok(())
    })?;
    Ok(out)
}

/// [`list`] one deadline at a time, as it is read: `dutydesk deadlines`
/// writes each as it comes, in bounded memory however many there are. Read
/// in the order of `deadlines_by_due` (or `deadlines_open_by_due`), never
/// sorted whole. Stops at `f`'s first error.
pub fn list_each(
    store: &Store,
    viewer: Viewer,
    all: bool,
    mut f: impl FnMut(Deadline) -> Result<()>,
) -> Result<()> {
    let known = known_through(store.conn())?;
    let (from, filter) = if all {
        (
            concat!("deadlines d INDEXED BY deadlines_by_due", joins!()),
            "1",
        )
    } else {
        (OPEN_FROM, OPEN)
    };
    let mut stmt = store.conn().prepare(&format!(
        "SELECT {COLUMNS} FROM {from} WHERE {filter} AND {VISIBLE} ORDER BY d.due_at, d.id"
    ))?;
    let mut rows = stmt.query(named_params! {":senior": viewer.senior, ":me": viewer.staff_id})?;
    while let Some(r) = rows.next()? {
        // A viewer's copy, as [`list`] gives it: a task's words never leave.
        let mut d = row(r, known)?;
        for_viewer(store.conn(), viewer, std::slice::from_mut(&mut d))?;
        f(d)?;
    }
    Ok(())
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

/// Deadlines by id, as loaded for lists, for documents that name deadlines
/// found another way (an alert's deadline): ids not found are left out.
/// The caller has already decided the reader may see them.
pub fn by_ids(conn: &Connection, ids: &[i64]) -> Result<std::collections::HashMap<i64, Deadline>> {
    let known = known_through(conn)?;
    let mut stmt = conn.prepare_cached(&format!("SELECT {COLUMNS} FROM {FROM} WHERE d.id = ?1"))?;
    let mut out = std::collections::HashMap::new();
    for id in ids {
        if let Some(d) = stmt.query_row([id], |r| row(r, known)).optional()? {
            out.insert(*id, d);
        }
    }
    Ok(out)
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

/// Waives a deadline; the reason is required and kept (refused as bad
/// input without one, nothing written).
pub fn waive(w: &mut Write<'_>, id: i64, reason: &str) -> Result<Deadline> {
    let reason = validate_line("reason", reason, 4000).map_err(|e| {
        StoreError::Invalid(format!(
            "{e}: a deadline is waived only with the reason, e.g. --reason \"the child moved out of area; new authority informed\""
        ))
    })?;
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

/// The open deadline of escalation `escalation_id` that `which` names: a
/// rule code (`lado_referral`) or a deadline's number. Refused, listing the
/// open deadlines with their codes and numbers, when none matches or a code
/// names several (a rule that repeats: give the number).
pub fn find_open(conn: &Connection, escalation_id: i64, which: &str) -> Result<i64> {
    let which = which.trim();
    let mut stmt = conn.prepare_cached(
        "SELECT d.id, coalesce(r.code, ''), d.label, d.due_at FROM deadlines d
         LEFT JOIN deadline_rules r ON r.id = d.rule_id
         WHERE d.escalation_id = ?1 AND d.met_at IS NULL AND d.waived_at IS NULL
         ORDER BY d.due_at, d.id",
    )?;
    let open = stmt
        .query_map([escalation_id], |r| {
            Ok((
                r.get::<_, i64>(0)?,
                r.get::<_, String>(1)?,
                clean_line(&r.get::<_, String>(2)?),
                r.get::<_, i64>(3)?,
            ))
        })?
        .collect::<rusqlite::Result<Vec<_>>>()?;
    let list = || {
        open.iter()
            .map(|(id, code, label, due)| {
                format!(
                    "{} (#{id}{}, due {})",
                    label,
                    if code.is_empty() {
                        String::new()
                    } else {
                        format!(", {code}")
                    },
                    crate::domain::calendar::format_stamp(instant(*due))
                )
            })
            .collect::<Vec<_>>()
            .join("; ")
    };
    if open.is_empty() {
        return Err(StoreError::Refused("it has no open deadlines".into()));
    }
    let by_id = which.trim_start_matches('#').parse::<i64>().ok();
    let found: Vec<i64> = open
        .iter()
        .filter(|(id, code, _, _)| Some(*id) == by_id || code == which)
        .map(|(id, ..)| *id)
        .collect();
    match found.as_slice() {
        [one] => Ok(*one),
        [] => Err(StoreError::Invalid(format!(
            "no open deadline {which:?} on it: give a rule code or a number from: {}",
            list()
        ))),
        _ => Err(StoreError::Invalid(format!(
            "{} open deadlines of {which}: give the number of one: {}",
            found.len(),
            list()
        ))),
    }
}

/// After new bank holidays arrive, recounts open deadlines counted in
/// working time (working days, working hours) that were counted past the
/// old calendar, so no date stays silently wrong. Returns how many moved.
pub fn recount_beyond(w: &mut Write<'_>, old_known: Option<i32>) -> Result<usize> {
    let conn: &Connection = w.tx();
    // Read afresh: the holidays changed in this write.
    let p = Planning::load(conn)?;
    let mut stmt = conn.prepare(
        "SELECT d.id, d.created_at, d.due_at, d.rule_id, e.area, e.work_area FROM deadlines d
         JOIN escalations e ON e.id = d.escalation_id
         WHERE d.met_at IS NULL AND d.waived_at IS NULL AND d.rule_id IS NOT NULL",
    )?;
    let rows = stmt
        .query_map([], |r| {
            Ok((
                r.get::<_, i64>(0)?,
                r.get::<_, i64>(1)?,
                r.get::<_, i64>(2)?,
                r.get::<_, i64>(3)?,
                r.get::<_, String>(4)?,
                r.get::<_, Option<String>>(5)?,
            ))
        })?
        .collect::<rusqlite::Result<Vec<_>>>()?;
    let mut moved = 0;
    for (id, from, due, rule_id, area, work_area) in rows {
        let Some(rule) = p.rules.iter().find(|r| r.id == rule_id) else {
            continue;
        };
        if !rule.counts_working_time() || !beyond_calendar(true, instant(due), old_known) {
            continue;
        }
        let wt = WorkingTime::new(
            p.hours_for(rule, service_area(rule, &area, work_area.as_deref())),
            &p.calendar,
        );
        // Counted again from where it started (the stored start is the
        // occurrence or the recording, as the rule said).
        let facts = Facts::default();
        let planned = plan_one(
            &Rule {
                counts_from: CountsFrom::Recorded,
                ..rule.clone()
            },
            &facts,
            instant(from),
            &wt,
        );
        if planned.due.at.timestamp() != due {
            conn.execute(
                "UPDATE deadlines SET due_at = ?2, warn_at = ?3 WHERE id = ?1",
                params![id, planned.due.at.timestamp(), planned.warn_at.timestamp()],
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
    pub counts_from: CountsFrom,
    pub counting: Counting,
    /// What meets it (see `domain::deadline::Meet`); empty: only by hand.
    pub meets: String,
    pub repeats: bool,
}

/// Checks a rule: its code, name, match and meets against the real category
/// and route codes, its counting against its unit, and its offsets. Every
/// refusal is bad input naming the valid values.
fn check_rule(conn: &Connection, r: &RuleInput) -> Result<()> {
    let refuse = |m: String| Err(StoreError::Invalid(m));
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
    validate_line("name", &r.name, 120).map_err(|e| StoreError::Invalid(e.to_string()))?;
    let mut known = known_codes(conn)?;
    if !r.active {
        // An inactive rule may keep a retired category (it fires for nothing).
        let retired = std::mem::take(&mut known.retired);
        known.categories.extend(retired);
    }
    check_match(&r.matcher, &known).map_err(StoreError::Invalid)?;
    check_meets(&r.meets, &known).map_err(StoreError::Invalid)?;
    crate::domain::calendar::check_counting(r.unit, r.counting).map_err(StoreError::Invalid)?;
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
    check_rule(w.tx(), r)?;
    let existed = w
        .tx()
        .query_row(
            "SELECT 1 FROM deadline_rules WHERE code = ?1",
            [&r.code],
            |_| Ok(()),
        )
        .optional()?
        .is_some();
    let meets: Vec<String> = r
        .meets
        .split(',')
        .map(|t| t.trim().to_string())
        .filter(|t| !t.is_empty())
        .collect();
    let meets = meets.join(",");
    w.tx().execute(
        "INSERT INTO deadline_rules (code, name, trigger_event, trigger_match, offset_amount,
            offset_unit, warn_minutes, active, counts_from, counting, meets, repeats)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12)
         ON CONFLICT (code) DO UPDATE SET name = excluded.name,
            trigger_event = excluded.trigger_event, trigger_match = excluded.trigger_match,
            offset_amount = excluded.offset_amount, offset_unit = excluded.offset_unit,
            warn_minutes = excluded.warn_minutes, active = excluded.active,
            counts_from = excluded.counts_from, counting = excluded.counting,
            meets = excluded.meets, repeats = excluded.repeats",
        params![
            r.code,
            r.name.trim(),
            r.event.code(),
            r.matcher.trim(),
            r.amount,
            r.unit.code(),
            r.warn_minutes,
            r.active,
            r.counts_from.code(),
            r.counting.code(),
            meets,
            r.repeats
        ],
    )?;
    w.audit(
        if existed { "change" } else { "add" },
        "deadline_rule",
        Some(&r.code),
        Some(&format!(
            "{} on {} [{}]: {} {} {}, from {}, met by [{}]{}, warn {} min{}",
            r.name,
            r.event.code(),
            r.matcher,
            r.amount,
            r.unit.code(),
            r.counting.code(),
            r.counts_from.code(),
            meets,
            if r.repeats { ", repeats" } else { "" },
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
