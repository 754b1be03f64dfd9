//! How far away a deadline is, and how urgent that makes it.
//!
//! One function formats every countdown on the screen (deadlines panel, the
//! escalation list's "next deadline" column, notifications), so they always agree.

use super::calendar::{Counting, Due, OffsetUnit, WorkingCalendar, due_after};
use super::escalation::{Status, SubjectKind};
use chrono::{DateTime, Duration, Utc};
use serde::Serialize;

/// Urgency of an open deadline at a moment.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum DueStatus {
    Overdue,
    DueSoon,
    Ok,
}

/// Overdue once `now` reaches `due`; due soon within `warn` before it.
pub fn due_status(due: DateTime<Utc>, now: DateTime<Utc>, warn: Duration) -> DueStatus {
    if now >= due {
        DueStatus::Overdue
    } else if due - now <= warn {
        DueStatus::DueSoon
    } else {
        DueStatus::Ok
    }
}

/// The warning window of a deadline set by hand (rules carry their own).
pub const DEFAULT_WARN: Duration = Duration::hours(4);

coded_enum! {
    /// What makes a rule fire.
    TriggerEvent {
        EscalationOpened = "escalation_opened", "escalation opened";
        ReferralMade = "referral_made", "referral made";
        StatusChanged = "status_changed", "status changed";
        EventRecorded = "event_recorded", "event recorded";
    }
}

/// A deadline rule as the organisation keeps it (the `deadline_rules` table).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Rule {
    pub id: i64,
    pub code: String,
    pub name: String,
    pub event: TriggerEvent,
    /// Conditions joined by '+', all of which must hold (see [`Condition`]).
    pub matcher: String,
    pub amount: u32,
    pub unit: OffsetUnit,
    pub warn_minutes: u32,
    pub active: bool,
}

/// What is known about an escalation when something happens to it; rules
/// are matched against these facts.
#[derive(Debug, Clone, Default)]
pub struct Facts {
    pub subject: Option<SubjectKind>,
    pub categories: Vec<String>,
    pub critical_incident: bool,
    pub immediate_risk: bool,
    /// The route of a referral just made.
    pub route: Option<String>,
    /// The status just entered.
    pub status: Option<Status>,
    /// The event just recorded, e.g. "strategy_discussion".
    pub event: Option<String>,
    /// A low-level concern about staff (KCSIE 2024 Part 4 s2): not an
    /// allegation, so `subject:staff` (the LADO clock) does not hold.
    pub low_level: bool,
}

/// One condition of a rule's match.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Condition {
    Any,
    CriticalIncident,
    ImmediateRisk,
    /// `subject:staff` holds for an allegation meeting the harm threshold,
    /// not for a low-level concern (see [`Condition::LowLevel`]).
    Subject(SubjectKind),
    /// `low_level_concern`: a low-level concern about staff.
    LowLevel,
    Category(String),
    Route(String),
    Status(Status),
    /// A bare word: the name of an event recorded (e.g. "strategy_discussion").
    Event(String),
}

/// Largest offsets a rule may have: a year of days, or 30 days of warning.
pub const MAX_AMOUNT: u32 = 366;
pub const MAX_WARN_MINUTES: u32 = 43_200;

fn code_like(s: &str) -> bool {
    !s.is_empty()
        && s.len() <= 40
        && s.chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_')
}

/// Parses a rule's match, e.g. `category:fgm+subject:child`. A typo is refused
/// rather than left as a rule that silently never fires.
pub fn parse_match(s: &str) -> Result<Vec<Condition>, String> {
    if s.trim().is_empty() {
        return Err("a rule's match is empty (use \"any\" to match everything)".into());
    }
    s.split('+')
        .map(|term| {
            let term = term.trim();
            let (key, value) = match term.split_once(':') {
                Some((k, v)) => (k, Some(v)),
                None => (term, None),
            };
            let bad = || format!("{term:?} is not a condition: use any, critical_incident, immediate_risk, low_level_concern, subject:child|adult|staff, category:CODE, route:CODE, status:CODE or an event name");
            match (key, value) {
                ("any", None) => Ok(Condition::Any),
                ("critical_incident", None) => Ok(Condition::CriticalIncident),
                ("immediate_risk", None) => Ok(Condition::ImmediateRisk),
                ("low_level_concern", None) => Ok(Condition::LowLevel),
                ("subject", Some(v)) => SubjectKind::from_code(v).map(Condition::Subject).ok_or_else(bad),
                ("status", Some(v)) => Status::from_code(v).map(Condition::Status).ok_or_else(bad),
                ("category", Some(v)) if code_like(v) => Ok(Condition::Category(v.into())),
                ("route", Some(v)) if code_like(v) => Ok(Condition::Route(v.into())),
                (word, None) if code_like(word) => Ok(Condition::Event(word.into())),
                _ => Err(bad()),
            }
        })
        .collect()
}

fn holds(c: &Condition, f: &Facts) -> bool {
    match c {
        Condition::Any => true,
        Condition::CriticalIncident => f.critical_incident,
        Condition::ImmediateRisk => f.immediate_risk,
        Condition::Subject(SubjectKind::Staff) => {
            f.subject == Some(SubjectKind::Staff) && !f.low_level
        }
        Condition::Subject(k) => f.subject == Some(*k),
        Condition::LowLevel => f.subject == Some(SubjectKind::Staff) && f.low_level,
        Condition::Category(code) => f.categories.iter().any(|c| c == code),
        Condition::Route(r) => f.route.as_deref() == Some(r),
        Condition::Status(s) => f.status == Some(*s),
        Condition::Event(e) => f.event.as_deref() == Some(e),
    }
}

/// Whether `rule` fires when `event` happens with these facts. A rule whose
/// match no longer parses never fires (and `dutydesk rules` refuses to save one).
pub fn fires(rule: &Rule, event: TriggerEvent, facts: &Facts) -> bool {
    rule.active
        && rule.event == event
        && parse_match(&rule.matcher).is_ok_and(|cs| cs.iter().all(|c| holds(c, facts)))
}

/// Where a deadline stands.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "state", rename_all = "snake_case")]
pub enum DeadlineState {
    Open,
    Met {
        at: DateTime<Utc>,
        by: String,
    },
    Waived {
        at: DateTime<Utc>,
        by: String,
        reason: String,
    },
}

/// A deadline as the desk shows it: the panel, the record, cron and notices.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Deadline {
    pub id: i64,
    pub escalation_id: i64,
    pub reference: String,
    pub label: String,
    pub due_at: DateTime<Utc>,
    pub warn_minutes: u32,
    pub state: DeadlineState,
    /// Counted in working days past the last year of known bank holidays:
    /// the date may be wrong and is shown with a warning.
    pub beyond_calendar: bool,
    /// Staff id of the escalation's assignee, for routing notices.
    #[serde(skip)]
    pub assignee_id: Option<i64>,
}

/// A deadline's status for lists and `dutydesk deadlines --json`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum DeadlineStatus {
    Overdue,
    DueSoon,
    Ok,
    Met,
    Waived,
}

impl Deadline {
    pub fn warn(&self) -> Duration {
        Duration::minutes(self.warn_minutes as i64)
    }

    pub fn is_open(&self) -> bool {
        self.state == DeadlineState::Open
    }

    pub fn status(&self, now: DateTime<Utc>) -> DeadlineStatus {
        match self.state {
            DeadlineState::Met { .. } => DeadlineStatus::Met,
            DeadlineState::Waived { .. } => DeadlineStatus::Waived,
            DeadlineState::Open => match due_status(self.due_at, now, self.warn()) {
                DueStatus::Overdue => DeadlineStatus::Overdue,
                DueStatus::DueSoon => DeadlineStatus::DueSoon,
                DueStatus::Ok => DeadlineStatus::Ok,
            },
        }
    }
}

/// Whether a stored deadline rests on unknown bank holidays: only working-day
/// counts depend on them, and only past the last year known.
pub fn beyond_calendar(
    unit: Option<OffsetUnit>,
    due: DateTime<Utc>,
    known_through: Option<i32>,
) -> bool {
    use chrono::Datelike;
    unit == Some(OffsetUnit::WorkingDays)
        && known_through.is_none_or(|y| super::calendar::local(due).year() > y)
}

/// A deadline a rule has set, ready to store.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Planned {
    pub rule_id: i64,
    pub label: String,
    pub due: Due,
}

/// Every deadline that `event` sets, counted from `at`.
pub fn plan(
    rules: &[Rule],
    event: TriggerEvent,
    facts: &Facts,
    at: DateTime<Utc>,
    counting: Counting,
    cal: &WorkingCalendar,
) -> Vec<Planned> {
    rules
        .iter()
        .filter(|r| fires(r, event, facts))
        .map(|r| Planned {
            rule_id: r.id,
            label: r.name.clone(),
            due: due_after(at, r.amount, r.unit, counting, cal),
        })
        .collect()
}

/// "45m", "2h 14m", "1d 3h", "12d", or "OVERDUE 40m".
///
/// Time left is rounded up (a deadline 30 s away reads "1m", never "0m");
/// time overdue is rounded down, with "<1m" for the first minute.
pub fn countdown(due: DateTime<Utc>, now: DateTime<Utc>) -> String {
    if now >= due {
        let mins = (now - due).num_minutes();
        if mins < 1 {
            "OVERDUE <1m".to_string()
        } else {
            format!("OVERDUE {}", span(mins))
        }
    } else {
        let secs = (due - now).num_seconds();
        span((secs + 59) / 60)
    }
}

/// Hours stop mattering (and stop fitting the column) beyond ten days.
fn span(mins: i64) -> String {
    let (d, h, m) = (mins / 1440, (mins % 1440) / 60, mins % 60);
    if d >= 10 {
        format!("{d}d")
    } else if d > 0 {
        format!("{d}d {h}h")
    } else if h > 0 {
        format!("{h}h {m}m")
    } else {
        format!("{m}m")
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    fn at(h: u32, m: u32, s: u32) -> DateTime<Utc> {
        Utc.with_ymd_and_hms(2026, 11, 23, h, m, s).unwrap()
    }

    #[test]
    fn countdown_formats() {
        let now = at(9, 0, 0);
        assert_eq!(countdown(at(11, 14, 0), now), "2h 14m");
        assert_eq!(countdown(at(9, 45, 0), now), "45m");
        assert_eq!(countdown(at(9, 0, 30), now), "1m");
        assert_eq!(countdown(now + Duration::hours(27), now), "1d 3h");
        assert_eq!(countdown(now + Duration::days(9), now), "9d 0h");
        assert_eq!(countdown(now + Duration::days(12), now), "12d");
        assert_eq!(countdown(now - Duration::days(1803), now), "OVERDUE 1803d");
        assert_eq!(countdown(at(8, 20, 0), now), "OVERDUE 40m");
        assert_eq!(countdown(now, now), "OVERDUE <1m");
        assert_eq!(countdown(now - Duration::hours(50), now), "OVERDUE 2d 2h");
    }

    fn rule(id: i64, event: TriggerEvent, matcher: &str, amount: u32, unit: OffsetUnit) -> Rule {
        Rule {
            id,
            code: format!("r{id}"),
            name: format!("rule {id}"),
            event,
            matcher: matcher.into(),
            amount,
            unit,
            warn_minutes: 240,
            active: true,
        }
    }

    #[test]
    fn matches_parse_and_refuse_typos() {
        assert_eq!(
            parse_match("category:fgm+subject:child").unwrap(),
            vec![
                Condition::Category("fgm".into()),
                Condition::Subject(SubjectKind::Child)
            ]
        );
        assert_eq!(
            parse_match("strategy_discussion").unwrap(),
            vec![Condition::Event("strategy_discussion".into())]
        );
        for bad in [
            "",
            "subject:kid",
            "status:done",
            "category:",
            "route:Children",
            "+",
            "any:x",
            "drop table",
        ] {
            assert!(parse_match(bad).is_err(), "{bad:?} accepted");
        }
    }

    #[test]
    fn each_trigger_fires_its_rules_only() {
        use OffsetUnit::*;
        use TriggerEvent::*;
        let rules = vec![
            rule(1, EscalationOpened, "critical_incident", 1, CalendarDays),
            rule(2, EscalationOpened, "subject:staff", 1, WorkingDays),
            rule(
                3,
                EscalationOpened,
                "category:fgm+subject:child",
                1,
                CalendarMonths,
            ),
            rule(4, EscalationOpened, "any", 0, SameDay),
            rule(5, ReferralMade, "route:children", 1, WorkingDays),
            rule(6, StatusChanged, "status:referred", 2, CalendarDays),
            rule(7, EventRecorded, "strategy_discussion", 15, WorkingDays),
        ];
        let ids = |event, facts: &Facts| -> Vec<i64> {
            plan(
                &rules,
                event,
                facts,
                Utc::now(),
                crate::domain::calendar::Counting::SameTime,
                &WorkingCalendar::default(),
            )
            .iter()
            .map(|p| p.rule_id)
            .collect()
        };
        let child_fgm = Facts {
            subject: Some(SubjectKind::Child),
            categories: vec!["fgm".into()],
            ..Facts::default()
        };
        assert_eq!(ids(EscalationOpened, &child_fgm), vec![3, 4]);
        let adult_fgm = Facts {
            subject: Some(SubjectKind::Adult),
            ..child_fgm.clone()
        };
        assert_eq!(ids(EscalationOpened, &adult_fgm), vec![4]);
        let staff_critical = Facts {
            subject: Some(SubjectKind::Staff),
            critical_incident: true,
            ..Facts::default()
        };
        assert_eq!(ids(EscalationOpened, &staff_critical), vec![1, 2, 4]);
        let referral = |route: &str| Facts {
            route: Some(route.into()),
            ..Facts::default()
        };
        assert_eq!(ids(ReferralMade, &referral("children")), vec![5]);
        assert_eq!(ids(ReferralMade, &referral("adults")), Vec::<i64>::new());
        let status = Facts {
            status: Some(Status::Referred),
            ..Facts::default()
        };
        assert_eq!(ids(StatusChanged, &status), vec![6]);
        let event = Facts {
            event: Some("strategy_discussion".into()),
            ..Facts::default()
        };
        assert_eq!(ids(EventRecorded, &event), vec![7]);
        // An inactive rule never fires.
        let mut off = rules[3].clone();
        off.active = false;
        assert!(!fires(&off, EscalationOpened, &child_fgm));
    }

    #[test]
    fn status_edges() {
        let now = at(9, 0, 0);
        let warn = Duration::hours(4);
        assert_eq!(due_status(now, now, warn), DueStatus::Overdue);
        assert_eq!(due_status(at(8, 59, 59), now, warn), DueStatus::Overdue);
        assert_eq!(due_status(at(13, 0, 0), now, warn), DueStatus::DueSoon);
        assert_eq!(due_status(at(13, 0, 1), now, warn), DueStatus::Ok);
    }
}
