//! How far away a deadline is, and how urgent that makes it.
//!
//! One function formats every countdown on the screen (deadlines panel, the
//! escalation list's "next deadline" column, notifications), so they always agree.

use super::calendar::{Counting, Due, OffsetUnit, due_after, warn_start};
use super::escalation::{Fgm, Risk, Status, SubjectKind};
use super::worktime::WorkingTime;
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

coded_enum! {
    /// Where a rule's count starts: when the disclosure or observation
    /// happened (the clock starts at discovery, not at data entry: WM OPCC
    /// §45, LLR §7), or when it was recorded on the desk. For a referral the
    /// two are the same; for an event, when it was held.
    CountsFrom {
        Occurred = "occurred", "when it happened";
        Recorded = "recorded", "when it was recorded";
    }
}

coded_enum! {
    /// Events that happen to a case and that rules wait for or are met by.
    /// A fixed list, so a misspelt event in a rule is refused rather than
    /// left as a rule that never fires.
    Event {
        StrategyDiscussion = "strategy_discussion", "strategy discussion held";
        IcpcHeld = "icpc_held", "initial child protection conference held";
        ReviewConferenceHeld = "review_conference_held", "review child protection conference held";
        RemovedFromRegulatedActivity = "removed_from_regulated_activity", "removed from regulated activity (or would have been, had they not left)";
        FgmReported = "fgm_reported", "known FGM reported to the police by the professional who discovered it";
    }
}

/// The LADO outcomes with which a removal from regulated activity starts
/// the DBS barring referral duty: the duty arises when the person was
/// removed (or would have been, had they not left) because they harmed or
/// posed a risk of harm (Safeguarding Vulnerable Groups Act 2006 s35; the
/// harm test). A substantiated allegation meets it, and an unsubstantiated
/// one may (not proved either way, yet the employer removed them for the
/// risk). Malicious, false and unfounded allegations did not stand, and one
/// below the harm threshold never reached it: no removal "because they
/// harmed" follows from them (KCSIE 2024 Part 4 s1 definitions).
pub const DBS_REMOVAL_OUTCOMES: &[&str] = &["substantiated", "unsubstantiated"];

/// Whether `removed` may be recorded with LADO outcome `code`. Refused,
/// with why and what to do instead, for an outcome that does not stand up
/// a removal for harm, so the DBS duty is never prompted by a malicious,
/// false or unfounded allegation.
pub fn check_removed(route: &str, code: &str) -> Result<(), String> {
    if route != "lado" {
        return Err(
            "--removed (from regulated activity) is recorded with the outcome of a LADO referral"
                .into(),
        );
    }
    if DBS_REMOVAL_OUTCOMES.contains(&code) {
        return Ok(());
    }
    Err(format!(
        "--removed goes with a LADO outcome of {}: the allegation was {}, so nobody was removed because they harmed or posed a risk and the DBS barring referral duty does not arise; record the outcome without --removed (if they were removed for other conduct that meets the harm test, record `dutydesk event REF removed_from_regulated_activity`)",
        DBS_REMOVAL_OUTCOMES.join(" or "),
        code.replace('_', " ")
    ))
}

impl Event {
    /// Whether `dutydesk event` records it (FGM reports have their own verb,
    /// which names the reporter and the police reference).
    pub fn recorded_by_event_verb(self) -> bool {
        self != Event::FgmReported
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
    /// Counted from when it happened, or when it was recorded.
    pub counts_from: CountsFrom,
    pub counting: Counting,
    /// What meets it, terms joined by ',' (see [`Meet`]); empty: only by hand.
    pub meets: String,
    /// A second trigger while one of this rule's deadlines is still open on
    /// the case sets another (true), or keeps the first (false: a second
    /// strategy discussion keeps the first ICPC deadline).
    pub repeats: bool,
}

impl Rule {
    /// The route whose receiving service's hours the rule counts in: the one
    /// its match names (`route:children`), else the first one that meets it
    /// (`route:lado`). `None`: the organisation's working hours.
    pub fn service_route(&self) -> Option<String> {
        let from_match = parse_match(&self.matcher).ok().and_then(|cs| {
            cs.into_iter().find_map(|c| match c {
                Condition::Route(r) => Some(r),
                _ => None,
            })
        });
        from_match.or_else(|| {
            parse_meets(&self.meets).ok().and_then(|ms| {
                ms.into_iter().find_map(|m| match m {
                    Meet::Route(r, _) => Some(r),
                    _ => None,
                })
            })
        })
    }

    /// Whether `what` meets this rule's deadlines.
    pub fn met_by(&self, what: &Happening) -> bool {
        parse_meets(&self.meets).is_ok_and(|ms| ms.iter().any(|m| m.meets(what)))
    }
}

/// What is known about an escalation when something happens to it; rules
/// are matched against these facts.
#[derive(Debug, Clone, Default)]
pub struct Facts {
    pub subject: Option<SubjectKind>,
    pub categories: Vec<String>,
    pub critical_incident: bool,
    pub immediate_risk: bool,
    pub risk: Option<Risk>,
    pub fgm: Option<Fgm>,
    /// When the trigger happened, if earlier than it was recorded: the
    /// disclosure for a new escalation, the meeting for an event.
    pub occurred_at: Option<DateTime<Utc>>,
    /// The route of a referral just made.
    pub route: Option<String>,
    /// The status just entered.
    pub status: Option<Status>,
    /// The event just recorded, e.g. "strategy_discussion".
    pub event: Option<String>,
    /// A low-level concern about staff (KCSIE 2024 Part 4 s2): not an
    /// allegation, so `subject:staff` (the LADO clock) does not hold.
    pub low_level: bool,
    /// For staff: whom they work with (children when not known), which
    /// decides `allegation:lado` or `allegation:pipot`.
    pub works_with: Option<super::escalation::WorksWith>,
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
    /// `allegation:lado` / `allegation:pipot`: an allegation about staff
    /// that routing sends to that route (`routing::allegation_routes`: the
    /// LADO for the children's workforce, the PiPoT lead for adults').
    Allegation(super::route::Route),
    Risk(Risk),
    Fgm(Fgm),
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

/// The organisation's real codes, which matches and meets are checked
/// against (the category list is the organisation's; routes are the
/// schema's).
#[derive(Debug, Clone, Default)]
pub struct KnownCodes {
    /// The categories a rule may match: the active ones (for an inactive
    /// rule, retired ones too).
    pub categories: Vec<String>,
    /// Retired categories (kept on old records), named as such when a rule
    /// would match one: it would never fire for a new case.
    pub retired: Vec<String>,
    pub routes: Vec<String>,
}

fn statuses_list() -> String {
    Status::ALL
        .iter()
        .map(|s| s.code())
        .collect::<Vec<_>>()
        .join("|")
}

fn events_list() -> String {
    Event::ALL
        .iter()
        .map(|e| e.code())
        .collect::<Vec<_>>()
        .join(", ")
}

/// Parses a rule's match, e.g. `category:fgm+subject:child`. A typo in its
/// shape is refused rather than left as a rule that silently never fires;
/// [`check_match`] also checks the codes against the organisation's.
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
            let bad = || format!("{term:?} is not a condition: use any, critical_incident, immediate_risk, low_level_concern, subject:child|adult|staff, allegation:lado|pipot, risk:high|medium|low, fgm:known|at_risk, category:CODE, route:CODE, status:{} or an event ({})", statuses_list(), events_list());
            match (key, value) {
                ("any", None) => Ok(Condition::Any),
                ("critical_incident", None) => Ok(Condition::CriticalIncident),
                ("immediate_risk", None) => Ok(Condition::ImmediateRisk),
                ("low_level_concern", None) => Ok(Condition::LowLevel),
                ("subject", Some(v)) => SubjectKind::from_code(v).map(Condition::Subject).ok_or_else(bad),
                ("risk", Some(v)) => Risk::from_code(v).map(Condition::Risk).ok_or_else(bad),
                ("fgm", Some(v)) => Fgm::from_code(v).map(Condition::Fgm).ok_or_else(bad),
                ("status", Some(v)) => Status::from_code(v).map(Condition::Status).ok_or_else(|| {
                    format!("{term:?}: {v:?} is not a status: use status:{}", statuses_list())
                }),
                ("allegation", Some("lado")) => Ok(Condition::Allegation(super::route::Route::Lado)),
                ("allegation", Some("pipot")) => Ok(Condition::Allegation(super::route::Route::Pipot)),
                ("category", Some(v)) if code_like(v) => Ok(Condition::Category(v.into())),
                ("route", Some(v)) if code_like(v) => Ok(Condition::Route(v.into())),
                (word, None) if code_like(word) => Event::from_code(word)
                    .map(|e| Condition::Event(e.code().into()))
                    .ok_or_else(|| format!("{word:?} is not an event: the events are {}", events_list())),
                _ => Err(bad()),
            }
        })
        .collect()
}

/// [`parse_match`], with every category and route checked against the real
/// codes (a rule matching `category:fmg` would never fire). The refusal
/// lists the valid codes.
pub fn check_match(s: &str, known: &KnownCodes) -> Result<Vec<Condition>, String> {
    let conds = parse_match(s)?;
    for c in &conds {
        match c {
            Condition::Category(code)
                if !known.categories.contains(code) && known.retired.contains(code) =>
            {
                return Err(format!(
                    "category:{code} is retired: a rule on it would never fire for a new case; the active categories are {}",
                    known.categories.join(", ")
                ));
            }
            Condition::Category(code) if !known.categories.contains(code) => {
                return Err(format!(
                    "category:{code} is not one of the organisation's categories: {}",
                    known.categories.join(", ")
                ));
            }
            Condition::Route(code) if !known.routes.contains(code) => {
                return Err(format!(
                    "route:{code} is not a route: {}",
                    known.routes.join(", ")
                ));
            }
            _ => {}
        }
    }
    Ok(conds)
}

/// Something that can meet a deadline (see [`Meet`]).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Happening {
    /// The `nth` (1-based) referral on `route` made on this case.
    Referral {
        route: String,
        nth: u32,
    },
    Event(String),
    /// An outcome recorded on a referral on `route`.
    Outcome {
        route: String,
    },
    Acknowledged,
    /// Intake recorded the person's exact words.
    ExactWords,
}

/// One term of what meets a rule's deadlines (`deadline_rules.meets`):
/// `route:CODE` (a referral on that route), `route:CODE#N` (the Nth referral
/// on it: the Home Office follow-up is the second report), `event:NAME`,
/// `outcome:ROUTE` (the receiving agency's decision recorded on a referral
/// on that route; a deadline a referral set is met only by that referral's
/// outcome), `acknowledged` (someone said "I have this": a first response),
/// `exact_words` (intake recorded the person's own words).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Meet {
    Route(String, Option<u32>),
    Event(String),
    Outcome(String),
    Acknowledged,
    ExactWords,
}

impl Meet {
    pub fn meets(&self, what: &Happening) -> bool {
        match (self, what) {
            (Meet::Route(r, None), Happening::Referral { route, .. }) => r == route,
            (Meet::Route(r, Some(n)), Happening::Referral { route, nth }) => r == route && nth == n,
            (Meet::Event(e), Happening::Event(x)) => e == x,
            (Meet::Outcome(r), Happening::Outcome { route }) => r == route,
            (Meet::Acknowledged, Happening::Acknowledged) => true,
            (Meet::ExactWords, Happening::ExactWords) => true,
            _ => false,
        }
    }
}

/// Parses what meets a rule, terms joined by ','. Empty: met only by hand.
pub fn parse_meets(s: &str) -> Result<Vec<Meet>, String> {
    let bad = |t: &str| {
        format!(
            "{t:?} is not something that meets a deadline: use route:CODE, route:CODE#N (the Nth referral), event:NAME, outcome:ROUTE, acknowledged or exact_words, separated by commas"
        )
    };
    s.split(',')
        .map(str::trim)
        .filter(|t| !t.is_empty())
        .map(|t| match t.split_once(':') {
            None if t == "acknowledged" => Ok(Meet::Acknowledged),
            None if t == "exact_words" => Ok(Meet::ExactWords),
            Some(("route", v)) => {
                let (code, nth) = match v.split_once('#') {
                    Some((c, n)) => (
                        c,
                        Some(
                            n.parse::<u32>()
                                .ok()
                                .filter(|n| (1..=20).contains(n))
                                .ok_or_else(|| bad(t))?,
                        ),
                    ),
                    None => (v, None),
                };
                if code_like(code) {
                    Ok(Meet::Route(code.into(), nth))
                } else {
                    Err(bad(t))
                }
            }
            Some(("event", v)) => Event::from_code(v)
                .map(|e| Meet::Event(e.code().into()))
                .ok_or_else(|| {
                    format!(
                        "event:{v} is not an event: the events are {}",
                        events_list()
                    )
                }),
            Some(("outcome", v)) if code_like(v) => Ok(Meet::Outcome(v.into())),
            _ => Err(bad(t)),
        })
        .collect()
}

/// [`parse_meets`] with routes checked against the real codes.
pub fn check_meets(s: &str, known: &KnownCodes) -> Result<Vec<Meet>, String> {
    let meets = parse_meets(s)?;
    for m in &meets {
        if let Meet::Route(r, _) | Meet::Outcome(r) = m
            && !known.routes.contains(r)
        {
            return Err(format!("{r} is not a route: {}", known.routes.join(", ")));
        }
    }
    Ok(meets)
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
        Condition::Allegation(r) => {
            f.subject == Some(SubjectKind::Staff)
                && super::routing::allegation_routes(f.low_level, f.works_with).contains(r)
        }
        Condition::Risk(r) => f.risk == Some(*r),
        Condition::Fgm(x) => f.fgm == Some(*x),
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
    /// "Due soon" starts this many minutes before `due_at` (computed when it
    /// was set, in its service's working time: `calendar::warn_start`).
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

/// Whether a stored deadline rests on unknown bank holidays: only counts in
/// working time (working days, working hours) depend on them, and only past
/// the last year known.
pub fn beyond_calendar(working_time: bool, due: DateTime<Utc>, known_through: Option<i32>) -> bool {
    use chrono::Datelike;
    working_time && known_through.is_none_or(|y| super::calendar::local(due).year() > y)
}

impl Rule {
    /// Whether it counts in working time (so bank holidays and the
    /// service's hours move it).
    pub fn counts_working_time(&self) -> bool {
        self.unit == OffsetUnit::WorkingDays || self.counting == Counting::WorkingHours
    }
}

/// A deadline a rule has set, ready to store.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Planned {
    pub rule_id: i64,
    pub label: String,
    /// Where the count started (kept so it can be recounted).
    pub start: DateTime<Utc>,
    pub due: Due,
    /// When it turns due soon.
    pub warn_at: DateTime<Utc>,
}

/// The deadline `rule` sets for a trigger recorded at `at` with these facts,
/// counted in the working time `wt` (its service's hours, or the
/// organisation's): from when it happened or when it was recorded, as the
/// rule says.
pub fn plan_one(rule: &Rule, facts: &Facts, at: DateTime<Utc>, wt: &WorkingTime<'_>) -> Planned {
    let start = match rule.counts_from {
        CountsFrom::Occurred => facts.occurred_at.map_or(at, |o| o.min(at)),
        CountsFrom::Recorded => at,
    };
    let due = due_after(start, rule.amount, rule.unit, rule.counting, wt);
    Planned {
        rule_id: rule.id,
        label: rule.name.clone(),
        start,
        // At most 30 days ahead, so the alert check's look-ahead finds it.
        warn_at: warn_start(due.at, rule.warn_minutes, rule.unit, rule.counting, wt)
            .max(due.at - Duration::minutes(MAX_WARN_MINUTES as i64))
            .min(due.at),
        due,
    }
}

/// Every deadline that `event` sets, each counted in the working time
/// `wt_for` gives for its rule.
pub fn plan<'a>(
    rules: &[Rule],
    event: TriggerEvent,
    facts: &Facts,
    at: DateTime<Utc>,
    wt_for: impl Fn(&Rule) -> WorkingTime<'a>,
) -> Vec<Planned> {
    rules
        .iter()
        .filter(|r| fires(r, event, facts))
        .map(|r| plan_one(r, facts, at, &wt_for(r)))
        .collect()
}

/// Which deadline a closing choice (or a `dutydesk deadline` command) names:
/// its number, or its rule's code (every open deadline of that rule).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum DeadlineRef {
    Id(i64),
    Rule(String),
}

impl DeadlineRef {
    /// "12" or "#12" is a number, anything else a rule code.
    pub fn parse(s: &str) -> DeadlineRef {
        let t = s.trim();
        match t.trim_start_matches('#').parse::<i64>() {
            Ok(n) => DeadlineRef::Id(n),
            Err(_) => DeadlineRef::Rule(t.to_string()),
        }
    }
}

/// What closing does to one open deadline: never nothing, never in silence
/// (issue 15: closing used to waive every open deadline, the ICPC included,
/// without saying so).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ClosureAction {
    /// It stays open and keeps counting (work another agency still owes:
    /// the ICPC, a review conference).
    Keep,
    /// It was done; the note (may be empty) goes in the chronology.
    Met(String),
    /// Waived with the reason, which is required; re-opening restores it.
    Waive(String),
}

impl ClosureAction {
    /// What closing does to the deadline, in words for a confirmation or a
    /// sign-off: "stays open", "marked met", "waived: REASON".
    pub fn said(&self) -> String {
        match self {
            ClosureAction::Keep => "stays open".into(),
            ClosureAction::Met(n) if n.trim().is_empty() => "marked met".into(),
            ClosureAction::Met(n) => format!("marked met ({})", n.trim()),
            ClosureAction::Waive(r) => format!("waived: {}", r.trim()),
        }
    }

    /// The code stored with a proposed closure (`closure_choices.choice`).
    pub fn code(&self) -> &'static str {
        match self {
            ClosureAction::Keep => "keep",
            ClosureAction::Met(_) => "met",
            ClosureAction::Waive(_) => "waive",
        }
    }
}

/// One choice of a closure.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ClosureChoice {
    pub deadline: DeadlineRef,
    pub action: ClosureAction,
}

/// An open deadline as closing lists it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OpenDeadline {
    pub id: i64,
    /// Its rule's code (none for one set by hand).
    pub rule: Option<String>,
    pub label: String,
    pub due_at: DateTime<Utc>,
}

impl OpenDeadline {
    /// "LADO referral (lado_referral, #12, due 24 Nov 2026 17:00)".
    pub fn describe(&self) -> String {
        format!(
            "{} ({}#{}, due {})",
            self.label,
            self.rule
                .as_deref()
                .map(|r| format!("{r}, "))
                .unwrap_or_default(),
            self.id,
            super::calendar::format_stamp(self.due_at)
        )
    }
}

/// Matches a closure's choices to the case's open deadlines: every open
/// deadline needs exactly one choice (by number, or by rule code for all
/// open deadlines of that rule); a choice that names no open deadline, two
/// choices for one deadline and a waiver without a reason are refused. The
/// refusal lists the open deadlines and the three choices, so nothing is
/// ever waived in silence. Rule shared by the close form and `dutydesk close`.
pub fn plan_closure(
    open: &[OpenDeadline],
    choices: &[ClosureChoice],
) -> Result<Vec<(OpenDeadline, ClosureAction)>, String> {
    let listing = || {
        open.iter()
            .map(|d| d.describe())
            .collect::<Vec<_>>()
            .join("; ")
    };
    let how = "for each, --keep RULE (it stays open), --met RULE, or --waive RULE=REASON (a number #N works in place of RULE)";
    let mut planned: Vec<(OpenDeadline, ClosureAction)> = Vec::new();
    for c in choices {
        if let ClosureAction::Waive(reason) = &c.action
            && reason.trim().is_empty()
        {
            return Err(format!(
                "a deadline is waived only with a reason: --waive RULE=REASON ({})",
                match &c.deadline {
                    DeadlineRef::Id(n) => format!("#{n}"),
                    DeadlineRef::Rule(r) => r.clone(),
                }
            ));
        }
        let hits: Vec<&OpenDeadline> = open
            .iter()
            .filter(|d| match &c.deadline {
                DeadlineRef::Id(n) => d.id == *n,
                DeadlineRef::Rule(r) => d.rule.as_deref() == Some(r.as_str()),
            })
            .collect();
        if hits.is_empty() {
            let named = match &c.deadline {
                DeadlineRef::Id(n) => format!("#{n}"),
                DeadlineRef::Rule(r) => r.clone(),
            };
            return Err(if open.is_empty() {
                format!("{named} is not an open deadline: the case has none open")
            } else {
                format!(
                    "{named} is not an open deadline of this case; its open deadlines: {}",
                    listing()
                )
            });
        }
        for d in hits {
            if planned.iter().any(|(p, _)| p.id == d.id) {
                return Err(format!("two choices for {}: give one", d.describe()));
            }
            planned.push((d.clone(), c.action.clone()));
        }
    }
    let missing: Vec<String> = open
        .iter()
        .filter(|d| !planned.iter().any(|(p, _)| p.id == d.id))
        .map(|d| d.describe())
        .collect();
    if !missing.is_empty() {
        return Err(format!(
            "closing needs a choice for every open deadline; without one: {}. Say {how}",
            missing.join("; ")
        ));
    }
    planned.sort_by_key(|(d, _)| (d.due_at, d.id));
    Ok(planned)
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
            counts_from: CountsFrom::Recorded,
            counting: Counting::SameTime,
            meets: String::new(),
            repeats: false,
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
            "risk:severe",
            "fgm:yes",
            "strategy_discusion",
        ] {
            assert!(parse_match(bad).is_err(), "{bad:?} accepted");
        }
        assert_eq!(
            parse_match("risk:high+fgm:known").unwrap(),
            vec![Condition::Risk(Risk::High), Condition::Fgm(Fgm::Known)]
        );
    }

    #[test]
    fn codes_are_checked_against_the_real_ones() {
        let known = KnownCodes {
            categories: vec!["fgm".into(), "neglect".into()],
            retired: vec!["exploitation".into()],
            routes: vec!["children".into(), "lado".into(), "home_office".into()],
        };
        let e = check_match("category:exploitation", &known).unwrap_err();
        assert!(
            e.contains("is retired") && e.contains("fgm, neglect"),
            "{e}"
        );
        let e = check_match("category:fmg+subject:child", &known).unwrap_err();
        assert!(e.contains("fmg") && e.contains("fgm, neglect"), "{e}");
        let e = check_match("route:childrens", &known).unwrap_err();
        assert!(e.contains("children, lado, home_office"), "{e}");
        assert!(check_match("category:fgm+fgm:known+subject:child", &known).is_ok());
        let e = check_meets("route:ladoo", &known).unwrap_err();
        assert!(e.contains("children, lado"), "{e}");
        let e = check_meets("event:icpc", &known).unwrap_err();
        assert!(e.contains("icpc_held"), "{e}");
        assert!(parse_meets("route:home_office#0").is_err());
        assert!(parse_meets("witchcraft").is_err());
        assert_eq!(
            check_meets(
                "route:home_office#2, event:icpc_held,outcome:children,acknowledged",
                &known
            )
            .unwrap(),
            vec![
                Meet::Route("home_office".into(), Some(2)),
                Meet::Event("icpc_held".into()),
                Meet::Outcome("children".into()),
                Meet::Acknowledged
            ]
        );
        assert_eq!(parse_meets("").unwrap(), vec![]);
    }

    #[test]
    fn what_meets_a_rule_is_data() {
        let mut follow_up = rule(
            1,
            TriggerEvent::EscalationOpened,
            "critical_incident",
            3,
            OffsetUnit::CalendarDays,
        );
        follow_up.meets = "route:home_office#2".into();
        let report = |nth| Happening::Referral {
            route: "home_office".into(),
            nth,
        };
        assert!(!follow_up.met_by(&report(1)));
        assert!(follow_up.met_by(&report(2)));
        let mut icpc = rule(
            2,
            TriggerEvent::EventRecorded,
            "strategy_discussion",
            15,
            OffsetUnit::WorkingDays,
        );
        icpc.meets = "event:icpc_held".into();
        assert!(icpc.met_by(&Happening::Event("icpc_held".into())));
        assert!(!icpc.met_by(&Happening::Event("strategy_discussion".into())));
        let mut chase = rule(
            3,
            TriggerEvent::ReferralMade,
            "route:children",
            1,
            OffsetUnit::WorkingDays,
        );
        chase.meets = "outcome:children".into();
        assert!(chase.met_by(&Happening::Outcome {
            route: "children".into()
        }));
        assert!(!chase.met_by(&Happening::Outcome {
            route: "adults".into()
        }));
        // The route whose hours it counts in: the match's, else the meets'.
        assert_eq!(chase.service_route().as_deref(), Some("children"));
        let mut lado = rule(
            4,
            TriggerEvent::EscalationOpened,
            "subject:staff",
            1,
            OffsetUnit::WorkingDays,
        );
        lado.meets = "route:lado".into();
        assert_eq!(lado.service_route().as_deref(), Some("lado"));
        assert_eq!(icpc.service_route(), None);
    }

    #[test]
    fn a_rule_counts_from_when_it_happened_or_when_it_was_recorded() {
        use chrono::TimeZone;
        let (h, c) = (
            crate::domain::worktime::WorkingHours::office(),
            crate::domain::calendar::WorkingCalendar::default(),
        );
        let wt = WorkingTime::new(&h, &c);
        let mut r = rule(
            1,
            TriggerEvent::EscalationOpened,
            "any",
            0,
            OffsetUnit::SameDay,
        );
        let happened = Utc.with_ymd_and_hms(2026, 11, 20, 15, 0, 0).unwrap();
        let recorded = Utc.with_ymd_and_hms(2026, 11, 23, 9, 0, 0).unwrap();
        let facts = Facts {
            occurred_at: Some(happened),
            ..Facts::default()
        };
        r.counts_from = CountsFrom::Occurred;
        let p = plan_one(&r, &facts, recorded, &wt);
        assert_eq!(p.start, happened);
        assert_eq!(
            p.due.at,
            Utc.with_ymd_and_hms(2026, 11, 20, 23, 59, 0).unwrap()
        );
        r.counts_from = CountsFrom::Recorded;
        assert_eq!(plan_one(&r, &facts, recorded, &wt).start, recorded);
        // An occurrence after the recording (never accepted) counts from the recording.
        let later = Facts {
            occurred_at: Some(recorded + Duration::hours(1)),
            ..Facts::default()
        };
        r.counts_from = CountsFrom::Occurred;
        assert_eq!(plan_one(&r, &later, recorded, &wt).start, recorded);
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
        let (h, c) = (
            crate::domain::worktime::WorkingHours::office(),
            crate::domain::calendar::WorkingCalendar::default(),
        );
        let ids = |event, facts: &Facts| -> Vec<i64> {
            plan(&rules, event, facts, Utc::now(), |_| {
                WorkingTime::new(&h, &c)
            })
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
    fn closing_needs_a_choice_for_every_open_deadline() {
        use chrono::TimeZone;
        let due = Utc.with_ymd_and_hms(2026, 11, 24, 17, 0, 0).unwrap();
        let d = |id, rule: &str, label: &str| OpenDeadline {
            id,
            rule: Some(rule.into()),
            label: label.into(),
            due_at: due + Duration::hours(id),
        };
        let open = vec![
            d(1, "lado_referral", "LADO referral"),
            d(2, "icpc", "Initial child protection conference"),
            d(3, "childrens_decision", "Children's decision"),
            d(4, "childrens_decision", "Children's decision"),
        ];
        let ch = |r: &str, a: ClosureAction| ClosureChoice {
            deadline: DeadlineRef::parse(r),
            action: a,
        };
        let plan = plan_closure(
            &open,
            &[
                ch("icpc", ClosureAction::Keep),
                ch("#1", ClosureAction::Met(String::new())),
                ch(
                    "childrens_decision",
                    ClosureAction::Waive("decided by phone".into()),
                ),
            ],
        )
        .unwrap();
        let ids: Vec<(i64, &str)> = plan.iter().map(|(d, a)| (d.id, a.code())).collect();
        assert_eq!(
            ids,
            vec![(1, "met"), (2, "keep"), (3, "waive"), (4, "waive")]
        );
        // One left without a choice: refused, naming it and the choices.
        let e = plan_closure(&open[..2], &[ch("icpc", ClosureAction::Keep)]).unwrap_err();
        assert!(e.contains("LADO referral (lado_referral, #1"), "{e}");
        assert!(
            e.contains("--keep RULE") && e.contains("--waive RULE=REASON"),
            "{e}"
        );
        // A waiver without a reason.
        let e = plan_closure(
            &open[..1],
            &[ch("lado_referral", ClosureAction::Waive(" ".into()))],
        )
        .unwrap_err();
        assert!(e.contains("only with a reason"), "{e}");
        // A choice for a deadline that is not open.
        let e = plan_closure(
            &open[..1],
            &[
                ch("lado_referral", ClosureAction::Keep),
                ch("icpc", ClosureAction::Keep),
            ],
        )
        .unwrap_err();
        assert!(e.contains("icpc is not an open deadline"), "{e}");
        // Two choices for one.
        assert!(
            plan_closure(
                &open[..1],
                &[
                    ch("lado_referral", ClosureAction::Keep),
                    ch("#1", ClosureAction::Keep)
                ]
            )
            .is_err()
        );
        // Nothing open, nothing to choose.
        assert_eq!(plan_closure(&[], &[]).unwrap(), vec![]);
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

    #[test]
    fn allegations_follow_the_routing_decision() {
        use crate::domain::escalation::WorksWith;
        let lado = parse_match("allegation:lado").unwrap();
        let pipot = parse_match("allegation:pipot").unwrap();
        let staff = |w: Option<WorksWith>, low: bool| Facts {
            subject: Some(SubjectKind::Staff),
            works_with: w,
            low_level: low,
            ..Facts::default()
        };
        let all = |c: &[Condition], f: &Facts| c.iter().all(|c| holds(c, f));
        assert!(all(&lado, &staff(None, false)), "children when not known");
        assert!(all(&lado, &staff(Some(WorksWith::Both), false)));
        assert!(all(&pipot, &staff(Some(WorksWith::Both), false)));
        assert!(!all(&lado, &staff(Some(WorksWith::Adults), false)));
        assert!(all(&pipot, &staff(Some(WorksWith::Adults), false)));
        assert!(!all(&lado, &staff(None, true)), "a low-level concern");
        let adult = Facts {
            subject: Some(SubjectKind::Adult),
            ..Facts::default()
        };
        assert!(!all(&pipot, &adult));
        let e = parse_match("allegation:police").unwrap_err();
        assert!(e.contains("allegation:lado|pipot"), "{e}");
    }

    #[test]
    fn a_misspelt_status_is_refused_with_the_statuses() {
        let e = parse_match("status:cloesd").unwrap_err();
        assert!(
            e.contains("status:new|assigned|referred|awaiting_outcome|closed"),
            "{e}"
        );
    }
}
