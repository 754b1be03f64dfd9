//! An escalation: a safeguarding concern that reached the desk, and the
//! enumerations that describe it. The codes here are the ones `schema.sql` CHECKs.

use chrono::{DateTime, Utc};
use serde::Serialize;

coded_enum! {
    /// Whom the concern is about. A staff allegation goes to the LADO.
    SubjectKind {
        Child = "child", "child";
        Adult = "adult", "adult at risk";
        Staff = "staff", "staff allegation";
    }
}

coded_enum! {
    /// The DSL's judgement of risk.
    Risk {
        High = "high", "high";
        Medium = "medium", "medium";
        Low = "low", "low";
    }
}

coded_enum! {
    /// Where an escalation is in its life. Re-opening returns it to `Assigned`.
    Status {
        New = "new", "new";
        Assigned = "assigned", "assigned";
        Referred = "referred", "referred";
        AwaitingOutcome = "awaiting_outcome", "awaiting outcome";
        Closed = "closed", "closed";
    }
}

coded_enum! {
    /// The consent decision. Consent is not needed to refer (Working Together
    /// 2023 ch. 1; the seven golden rules), but the decision is recorded, and
    /// the reason for every decision but "given" (see [`Consent::needs_reason`]).
    /// "Unable to consent" is a judgement of capacity (Mental Capacity Act
    /// 2005 s2-3), decision by decision.
    Consent {
        Sought = "sought", "sought: awaiting the answer";
        Given = "given", "given";
        Refused = "refused", "refused";
        NotSoughtUnsafe = "not_sought_unsafe", "not sought: asking would be unsafe";
        UnableCapacity = "unable_capacity", "unable to consent (capacity)";
    }
}

impl Consent {
    /// Whether the decision needs a reason recorded with it: every decision
    /// to share (or not) without consent does (the seven golden rules: record
    /// the decision and the reason). "Given" needs none; "sought" is not yet a
    /// decision (the answer is awaited).
    pub fn needs_reason(self) -> bool {
        matches!(
            self,
            Consent::Refused | Consent::NotSoughtUnsafe | Consent::UnableCapacity
        )
    }

    /// Codes as typed on the command line ("not-sought", "unable").
    pub fn parse(typed: &str) -> Result<Consent, String> {
        let t = typed.trim().to_lowercase().replace('-', "_");
        let c = match t.as_str() {
            "not_sought" | "not_sought_unsafe" | "unsafe" => Some(Consent::NotSoughtUnsafe),
            "unable" | "capacity" | "unable_capacity" => Some(Consent::UnableCapacity),
            other => Consent::from_code(other),
        };
        c.ok_or_else(|| {
            format!(
                "{:?} is not a consent decision: use given, refused, sought, not-sought (asking would be unsafe) or unable (lacks capacity to consent)",
                typed.trim()
            )
        })
    }
}

coded_enum! {
    /// Whom a member of staff in an allegation works with: children (the
    /// LADO, KCSIE Part 4), adults at risk (PiPoT, Care Act statutory
    /// guidance 14.122-14.132), or both.
    WorksWith {
        Children = "children", "children";
        Adults = "adults", "adults at risk";
        Both = "both", "children and adults at risk";
    }
}

coded_enum! {
    /// Where the harm happened, for the annual report's location table.
    LocationType {
        OwnHome = "own_home", "own home";
        CareHome = "care_home", "care home";
        Hospital = "hospital", "hospital";
        School = "school", "school";
        Community = "community", "community";
        Workplace = "workplace", "workplace";
        Online = "online", "online";
        Other = "other", "other";
        Unknown = "unknown", "unknown";
    }
}

coded_enum! {
    /// FGM as the mandatory reporting duty is written (FGM Act 2003 s5B, as
    /// inserted by the Serious Crime Act 2015; Home Office procedural
    /// information 2020): *known* FGM on a girl under 18, disclosed by her or
    /// seen, must be reported to the police by the professional who
    /// discovered it; *at risk* is a safeguarding referral, not that duty.
    Fgm {
        Known = "known", "known: disclosed by the girl, or seen";
        AtRisk = "at_risk", "at risk";
    }
}

coded_enum! {
    /// Age bands for reporting, as national returns use them (DOMAIN.md):
    /// children unborn, under 1, 1-4, 5-9, 10-15, 16-17; adults 18-64, 65-74,
    /// 75-84, 85-94, 95+. In age order ([`AgeBand::ALL`] is the report's
    /// order). `0-4` and `85+` are bands recorded before schema 6 without a
    /// date of birth: kept as recorded, never given to a new record.
    AgeBand {
        Unborn = "unborn", "unborn";
        Under1 = "under-1", "under 1";
        From1 = "1-4", "1-4";
        Legacy0to4 = "0-4", "0-4 (recorded before schema 6)";
        From5 = "5-9", "5-9";
        From10 = "10-15", "10-15";
        From16 = "16-17", "16-17";
        From18 = "18-64", "18-64";
        From65 = "65-74", "65-74";
        From75 = "75-84", "75-84";
        From85 = "85-94", "85-94";
        From95 = "95+", "95+";
        Legacy85 = "85+", "85+ (recorded before schema 6)";
        Unknown = "unknown", "unknown";
    }
}

impl Risk {
    /// Short form with a symbol, so risk never rests on colour alone.
    pub fn badge(self) -> &'static str {
        match self {
            Risk::High => "▲ HIGH",
            Risk::Medium => "■ med",
            Risk::Low => "· low",
        }
    }
}

impl SubjectKind {
    /// Column-width form.
    pub fn short(self) -> &'static str {
        match self {
            SubjectKind::Child => "child",
            SubjectKind::Adult => "adult",
            SubjectKind::Staff => "staff",
        }
    }
}

/// What intake stores when no exact words were given (the command line's
/// `new` without `--words`): the written record is then still to be made.
pub const NO_WORDS: &str = "(no exact words recorded)";

/// Whether intake recorded the person's own words (which meets the
/// written-record deadline at once).
pub fn words_recorded(words: &str) -> bool {
    let w = words.trim();
    !w.is_empty() && w != NO_WORDS
}

/// The FGM duty needs to know which kind of FGM concern it is: with the FGM
/// category, known or at risk is required; without it, neither may be given.
/// The refusal names the choices.
pub fn check_fgm(
    categories: &[String],
    subject: SubjectKind,
    fgm: Option<Fgm>,
) -> Result<(), String> {
    let has = categories.iter().any(|c| c == "fgm");
    match (has, fgm) {
        (true, None) => Err(format!(
            "FGM: say whether it is known (disclosed by the girl, or seen: for a girl under 18 the professional who discovered it must report it to the police) or a risk: {} or {}",
            Fgm::Known.code(),
            Fgm::AtRisk.code()
        )),
        (false, Some(_)) => Err("known / at risk FGM is given without the FGM category: add the category fgm, or leave FGM out".into()),
        (true, Some(Fgm::Known)) if subject == SubjectKind::Staff => Err(
            "FGM known is recorded about the girl herself (subject child or adult), not in an allegation about staff".into(),
        ),
        _ => Ok(()),
    }
}

/// A reference such as `SG-2026-0042`: sequential per year.
pub fn reference(year: i32, seq: u32) -> String {
    format!("SG-{year}-{seq:04}")
}

/// One row of the open-escalations list: what the dashboard needs, no more.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct EscalationSummary {
    pub id: i64,
    pub reference: String,
    pub subject_kind: SubjectKind,
    /// Category labels, in the organisation's order.
    pub categories: Vec<String>,
    pub risk: Risk,
    pub status: Status,
    /// Display name of the assigned DSL.
    pub assignee: Option<String>,
    pub raised_at: DateTime<Utc>,
    pub acknowledged: bool,
    pub immediate_risk: bool,
    pub restricted: bool,
    /// Earliest open deadline and what it is for.
    pub next_due: Option<NextDue>,
    /// A closure has been proposed and waits for a second DSL.
    pub awaiting_signoff: bool,
    /// Changes are made against this version (optimistic concurrency).
    pub version: i64,
    /// Linked concerns about the same person within 12 months of this one.
    pub linked_12m: i64,
    /// A 999 call is on the record (immediate risk without one stays at the
    /// top of the queue: `domain::urgency`).
    pub emergency_called: bool,
}

impl EscalationSummary {
    /// A third concern about the same person within 12 months: the repeat
    /// pattern DSLs say they miss most (a MARAC repeat trigger for domestic abuse).
    pub fn repeat(&self) -> bool {
        self.linked_12m + 1 >= 3
    }
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct NextDue {
    pub at: DateTime<Utc>,
    pub label: String,
    /// "Due soon" starts this long before `at`: the escalation's earliest
    /// warning among its open deadlines (each warns while its receiving
    /// service is open: `calendar::warn_start`).
    pub warn_minutes: u32,
}

/// An escalation's whole record, for the detail view.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct EscalationDetail {
    pub summary: EscalationSummary,
    pub subject_name: String,
    pub subject_dob: Option<String>,
    pub age_band: AgeBand,
    pub area: String,
    pub location_type: LocationType,
    pub raised_by: String,
    pub occurred_at: Option<DateTime<Utc>>,
    pub occurred_place: Option<String>,
    pub exact_words: String,
    pub appearance: Option<String>,
    pub consent: Consent,
    pub consent_reason: Option<String>,
    pub critical_incident: bool,
    pub outcome: Option<String>,
    pub closure_rationale: Option<String>,
    pub version: i64,
    /// Staff only: a low-level concern (KCSIE Part 4 s2).
    pub low_level: bool,
    /// Staff only: where they work (its LADO or PiPoT lead).
    pub work_area: Option<String>,
    /// Staff only: whom they work with.
    pub works_with: Option<WorksWith>,
    pub deadlines: Vec<crate::domain::deadline::Deadline>,
    pub chronology: Vec<ChronologyEntry>,
    /// Who has opened this record (filled for senior leads only).
    pub viewed_by: Vec<(DateTime<Utc>, String)>,
    /// Who raised it, who else is involved, tasks, attachments, links
    /// (issue 18; `store::casework::load`).
    pub casework: crate::domain::casework::Casework,
    /// When it happened against when it was recorded, the 999 call, FGM, and
    /// the referrals with their outcomes (issue 15).
    pub practice: RecordPractice,
}

/// What safeguarding practice needs a record to show besides its fields:
/// lateness, the 999 call, the FGM duty, referral outcomes.
#[derive(Debug, Clone, PartialEq, Default, Serialize)]
pub struct RecordPractice {
    /// How long after the disclosure or observation it was recorded; `None`
    /// when recorded within a minute of it (or its time is not known).
    pub lateness: Option<Lateness>,
    /// When the 999 call was made (at intake, or recorded later).
    pub emergency_called_at: Option<DateTime<Utc>>,
    pub fgm: Option<Fgm>,
    /// Who reported known FGM to the police, and the police reference.
    pub fgm_report: Option<FgmReport>,
    /// Referrals made, oldest first, with their outcomes.
    pub referrals: Vec<ReferralView>,
    /// The outcome codes (code, label) of each route with a referral still
    /// awaiting its outcome (`referral_outcomes`), route by route: what the
    /// record's outcome form offers.
    pub outcome_codes: OutcomeCodes,
    /// A proposed closure's choice for each deadline (`closure_choices`),
    /// shown to the DSL asked to sign it off; empty otherwise.
    pub closure_choices: Vec<ProposedChoice>,
}

/// Outcome codes route by route: (route, [(code, label)]).
pub type OutcomeCodes = Vec<(String, Vec<(String, String)>)>;

/// What a proposed closure will do to one open deadline when it is signed off.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ProposedChoice {
    pub deadline_id: i64,
    pub label: String,
    pub due_at: DateTime<Utc>,
    /// `keep`, `met` or `waive` (`ClosureAction::code`).
    pub choice: String,
    /// The met note or the waiver's reason.
    pub note: Option<String>,
}

impl ProposedChoice {
    /// The choice as a `ClosureAction`, for its wording
    /// (`ClosureAction::said`); an unknown code reads as kept open.
    pub fn action(&self) -> super::deadline::ClosureAction {
        use super::deadline::ClosureAction;
        let note = self.note.clone().unwrap_or_default();
        match self.choice.as_str() {
            "met" => ClosureAction::Met(note),
            "waive" => ClosureAction::Waive(note),
            _ => ClosureAction::Keep,
        }
    }
}

/// A concern recorded some time after it happened.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Lateness {
    pub occurred_at: DateTime<Utc>,
    pub recorded_at: DateTime<Utc>,
    /// Recorded this many minutes after it happened.
    pub minutes: i64,
    /// "2d 18h after it happened".
    pub text: String,
    /// Deadlines counted from when it happened that were already due when it
    /// was recorded: non-empty means the case was recorded late.
    pub already_due: Vec<String>,
    pub late: bool,
}

/// How late a record is: `None` within a minute (or with the occurrence after
/// the recording, which intake refuses).
pub fn lateness(
    occurred: DateTime<Utc>,
    recorded: DateTime<Utc>,
    already_due: Vec<String>,
) -> Option<Lateness> {
    let minutes = (recorded - occurred).num_minutes();
    if minutes < 1 {
        return None;
    }
    let text = format!(
        "{} after it happened",
        super::deadline::countdown(recorded, occurred)
    );
    Some(Lateness {
        occurred_at: occurred,
        recorded_at: recorded,
        minutes,
        text,
        late: !already_due.is_empty(),
        already_due,
    })
}

/// Known FGM reported to the police by the professional who discovered it.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct FgmReport {
    pub reported_by: String,
    pub police_reference: String,
    pub reported_at: DateTime<Utc>,
}

/// A referral on a record, with its outcome once the receiving agency decides.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ReferralView {
    pub id: i64,
    pub route: String,
    pub route_label: String,
    pub made_at: DateTime<Utc>,
    pub made_by: String,
    pub agency_reference: Option<String>,
    /// The outcome code (older records may hold free words).
    pub outcome: Option<String>,
    pub outcome_label: Option<String>,
    pub outcome_at: Option<DateTime<Utc>>,
}

/// One line of the chronology: every note and action, attributed.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ChronologyEntry {
    pub at: DateTime<Utc>,
    pub author: String,
    pub kind: String,
    pub body: String,
    /// The line's number (`chronology.id`); not part of the JSON documents.
    #[serde(skip)]
    pub id: i64,
    /// Byte ranges of `body` that hold a third party's details
    /// ([`super::text::Marked`]): what a redacted export blanks.
    #[serde(skip)]
    pub parties: Vec<std::ops::Range<usize>>,
}

impl AgeBand {
    /// The band for an age in whole years.
    pub fn from_years(years: u32) -> AgeBand {
        match years {
            0 => AgeBand::Under1,
            1..=4 => AgeBand::From1,
            5..=9 => AgeBand::From5,
            10..=15 => AgeBand::From10,
            16..=17 => AgeBand::From16,
            18..=64 => AgeBand::From18,
            65..=74 => AgeBand::From65,
            75..=84 => AgeBand::From75,
            85..=94 => AgeBand::From85,
            _ => AgeBand::From95,
        }
    }

    /// A band of people 18 or over (an adult, Children Act 1989 s105).
    pub fn is_adult(self) -> bool {
        matches!(
            self,
            AgeBand::From18
                | AgeBand::From65
                | AgeBand::From75
                | AgeBand::From85
                | AgeBand::From95
                | AgeBand::Legacy85
        )
    }

    /// A band of people under 18, the unborn included.
    pub fn is_child(self) -> bool {
        !self.is_adult() && self != AgeBand::Unknown
    }

    /// Where the band sorts in a report: age order, unknown last.
    pub fn order(self) -> usize {
        AgeBand::ALL
            .iter()
            .position(|b| *b == self)
            .unwrap_or(usize::MAX)
    }
}

/// Whole years from a date of birth to `on`; None for a birth after `on`.
pub fn years_old(dob: chrono::NaiveDate, on: chrono::NaiveDate) -> Option<u32> {
    on.years_since(dob)
}

/// How long ago an escalation was raised, in the largest sensible unit.
pub fn age(raised: DateTime<Utc>, now: DateTime<Utc>) -> String {
    let mins = (now - raised).num_minutes().max(0);
    match mins {
        m if m < 60 => format!("{m}m"),
        m if m < 1440 => format!("{}h", m / 60),
        m if m < 1440 * 14 => format!("{}d", m / 1440),
        m => format!("{}w", m / (1440 * 7)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::{Duration, TimeZone};

    #[test]
    fn ages_and_bands() {
        let d = |y, m, dd| chrono::NaiveDate::from_ymd_opt(y, m, dd).unwrap();
        assert_eq!(years_old(d(2010, 11, 23), d(2026, 11, 22)), Some(15));
        assert_eq!(years_old(d(2010, 11, 23), d(2026, 11, 23)), Some(16));
        assert_eq!(years_old(d(2027, 1, 1), d(2026, 11, 23)), None);
        assert_eq!(AgeBand::from_years(0), AgeBand::Under1);
        assert_eq!(AgeBand::from_years(1), AgeBand::From1);
        assert_eq!(AgeBand::from_years(15), AgeBand::From10);
        assert_eq!(AgeBand::from_years(17), AgeBand::From16);
        assert_eq!(AgeBand::from_years(18), AgeBand::From18);
        assert_eq!(AgeBand::from_years(64), AgeBand::From18);
        assert_eq!(AgeBand::from_years(90), AgeBand::From85);
        assert_eq!(AgeBand::from_years(95), AgeBand::From95);
        assert!(AgeBand::From16.is_child() && !AgeBand::From16.is_adult());
        assert!(AgeBand::Unborn.is_child() && AgeBand::From18.is_adult());
        assert!(!AgeBand::Unknown.is_child() && !AgeBand::Unknown.is_adult());
        assert!(AgeBand::Unborn.order() < AgeBand::Under1.order());
        assert!(AgeBand::From85.order() < AgeBand::From95.order());
    }

    #[test]
    fn codes_round_trip() {
        for s in Status::ALL {
            assert_eq!(Status::from_code(s.code()), Some(*s));
        }
        for k in SubjectKind::ALL {
            assert_eq!(SubjectKind::from_code(k.code()), Some(*k));
        }
        for b in AgeBand::ALL {
            assert_eq!(AgeBand::from_code(b.code()), Some(*b));
        }
        assert_eq!(Risk::from_code("severe"), None);
    }

    #[test]
    fn schema_checks_list_every_code() {
        // The schema's CHECK lists and these enums must agree.
        let schema = include_str!("../../schema.sql");
        let all: Vec<&str> = Status::ALL
            .iter()
            .map(|s| s.code())
            .chain(Risk::ALL.iter().map(|r| r.code()))
            .chain(SubjectKind::ALL.iter().map(|k| k.code()))
            .chain(Consent::ALL.iter().map(|c| c.code()))
            .chain(LocationType::ALL.iter().map(|l| l.code()))
            .chain(AgeBand::ALL.iter().map(|a| a.code()))
            .chain(WorksWith::ALL.iter().map(|a| a.code()))
            .collect();
        for code in all {
            assert!(
                schema.contains(&format!("'{code}'")),
                "{code} missing from schema.sql"
            );
        }
    }

    #[test]
    fn references_are_zero_padded() {
        assert_eq!(reference(2026, 42), "SG-2026-0042");
        assert_eq!(reference(2026, 12345), "SG-2026-12345");
    }

    #[test]
    fn ages() {
        let now = Utc.with_ymd_and_hms(2026, 11, 22, 12, 0, 0).unwrap();
        assert_eq!(age(now - Duration::minutes(35), now), "35m");
        assert_eq!(age(now - Duration::hours(5), now), "5h");
        assert_eq!(age(now - Duration::days(3), now), "3d");
        assert_eq!(age(now - Duration::days(80), now), "11w");
        assert_eq!(age(now + Duration::minutes(5), now), "0m");
    }
}

/// How a chronology entry's kind (stored as a code, schema.sql's
/// `chronology.kind`) is said on screens, in text output and in exports;
/// JSON keeps the code. An unknown kind (a newer version's) in words.
pub fn chronology_kind(kind: &str) -> String {
    match kind {
        "created" => "recorded",
        "note" => "note",
        "acknowledged" => "acknowledged",
        "assigned" => "assigned",
        "status" => "status",
        "referral" => "referral",
        "outcome" => "agency's decision",
        "shared" => "information shared",
        "deadline_met" => "deadline met",
        "deadline_waived" => "deadline waived",
        "emergency_call" => "999 call",
        "edited" => "corrected",
        "signoff_requested" => "sign-off requested",
        "signed_off" => "signed off",
        "closed" => "closed",
        "reopened" => "re-opened",
        other => return other.replace('_', " "),
    }
    .to_string()
}

#[cfg(test)]
mod chronology_kind_tests {
    #[test]
    fn every_stored_kind_has_words() {
        let schema = include_str!("../../schema.sql");
        let start = schema.find("CREATE TABLE chronology").unwrap();
        let check = &schema[start..];
        let list = &check[check.find("kind IN (").unwrap() + 9..check.find("))").unwrap()];
        for kind in list.split(',').map(|k| k.trim().trim_matches('\'')) {
            let said = super::chronology_kind(kind);
            assert!(!said.contains('_'), "{kind}: {said}");
        }
    }
}
