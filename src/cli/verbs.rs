//! The desk's verbs for scripts: the same store functions the dashboard's keys
//! call. Exit codes as every command (`domain::exit`): 0 done; 1 the action
//! was refused (the reason on stderr); 2 cannot start (usage, settings, an
//! unknown user or an unusable database); 3 an unexpected fault.

use super::{Failure, Outcome, clock, whoami};
use crate::domain::escalation::{Consent, LocationType, Risk, SubjectKind, WorksWith};
use crate::domain::intake;
use crate::store::escalations::{self, NewEscalation, Viewer, Which};
use crate::store::workflow::{self, Referral};
use crate::store::{self, Create, Store, StoreError, Write};
use clap::{Args, ValueEnum};
use std::path::Path;

/// Through the one mapping of errors to exit codes (`StoreError::exit`).
pub(crate) fn action(e: StoreError) -> Failure {
    Failure::from(e)
}

#[derive(Debug, Clone, Copy, ValueEnum)]
pub enum SubjectArg {
    Child,
    Adult,
    Staff,
}

#[derive(Debug, Clone, Copy, ValueEnum)]
pub enum RiskArg {
    Low,
    Medium,
    High,
}

#[derive(Debug, Clone, Copy, ValueEnum, PartialEq, Eq)]
pub enum StatusArg {
    Open,
    Closed,
    All,
}

/// The default category codes, for `--help` (the organisation's own list is
/// `dutydesk categories list`; an unknown code is refused with the list).
const CATEGORY_HELP: &str = "Category codes, comma-separated. The starting list: physical, emotional, \
sexual, neglect, domestic, psychological, financial, modern_slavery, discriminatory, \
organisational, self_neglect, cse, cce, county_lines, cuckooing, serious_violence, \
child_on_child, stalking, honour_based, forced_marriage, fgm, radicalisation, missing, \
mental_health, hate_crime, online. `dutydesk categories list` shows this desk's.";

/// `dutydesk new`: the fields of an intake, checked by `domain::intake`
/// exactly as the intake form checks them.
#[derive(Debug, Args)]
pub struct NewArgs {
    /// Whom it is about: a child (under 18, or unborn), an adult at risk (18
    /// or over), or staff (an allegation about a member of staff or volunteer)
    #[arg(long, value_enum)]
    subject: SubjectArg,
    /// Name or pseudonym of the person the concern is about
    #[arg(long)]
    name: String,
    /// Area where the person lives (decides which authority to refer to): one
    /// of the organisation's areas (`dutydesk areas list`), or "unknown"
    #[arg(long, add = clap_complete::ArgValueCandidates::new(super::complete::areas))]
    area: String,
    #[arg(long, value_delimiter = ',', required = true, help = CATEGORY_HELP,
          add = clap_complete::ArgValueCandidates::new(super::complete::categories))]
    category: Vec<String>,
    #[arg(long, value_enum)]
    risk: RiskArg,
    /// What happened, in brief: the first line of the chronology
    #[arg(long)]
    summary: String,
    /// The person's exact words
    #[arg(long)]
    words: Option<String>,
    /// Date of birth as typed in the UK: 02/03/2014 (2 March 2014) or 2014-03-02
    #[arg(long, value_name = "DATE")]
    dob: Option<String>,
    /// For an unborn child: the expected date of birth (DATE as for --dob)
    #[arg(long, value_name = "DATE", conflicts_with_all = ["dob", "age"])]
    expected: Option<String>,
    /// Age in whole years, when the date of birth is not known (0 for a baby)
    #[arg(long, value_name = "YEARS")]
    age: Option<String>,
    /// Where it happened: own-home, care-home, hospital, school, community,
    /// workplace, online, other, unknown
    #[arg(add = clap_complete::ArgValueCandidates::new(super::complete::locations), long, default_value = "unknown")]
    location: String,
    /// given, refused, sought (awaiting the answer), not-sought (asking would
    /// be unsafe) or unable (lacks capacity to consent); all but given and
    /// sought need --consent-reason
    #[arg(long, default_value = "sought")]
    consent: String,
    /// Why: required unless consent was given (or is still awaited)
    #[arg(long)]
    consent_reason: Option<String>,
    /// For --subject staff: the area where the person works (its LADO, or for
    /// work with adults at risk its PiPoT lead, is the one to tell)
    #[arg(add = clap_complete::ArgValueCandidates::new(super::complete::areas), long, value_name = "AREA")]
    works_in: Option<String>,
    /// For --subject staff: whom they work with [default: children]
    #[arg(long, value_enum)]
    works_with: Option<WorksWithArg>,
    /// For --subject staff: a low-level concern (KCSIE Part 4 section 2), below
    /// the harm threshold: recorded without a LADO referral or its deadline
    #[arg(long)]
    low_level: bool,
    /// A critical incident (the Home Office must be told within a calendar day)
    #[arg(long)]
    critical: bool,
    /// Only senior leads and named staff may see it (an allegation about a DSL)
    #[arg(long)]
    restricted: bool,
    /// For --subject staff: does the person it is about use this desk? Their
    /// account (the case is restricted and they are excluded from it), or
    /// "none". Required when the name is close to a desk user's.
    #[arg(long, value_name = "USER|none", add = clap_complete::ArgValueCandidates::new(super::complete::about))]
    about: Option<String>,
    /// Someone's life is at risk now
    #[arg(long)]
    immediate_risk: bool,
    /// With --immediate-risk: 999 has been called
    #[arg(long, requires = "immediate_risk")]
    called_999: bool,
    /// When the disclosure or observation happened, UK time as people type
    /// it: 14:30, yesterday 18:00, Fri 15:00, 20/11/2026 15:00, or RFC 3339.
    /// Not in the future [default: now]. Deadlines that count from it (the
    /// written record, the LADO) may already be due.
    #[arg(long, value_name = "TIME")]
    occurred: Option<String>,
    /// Where it happened
    #[arg(long, value_name = "TEXT")]
    place: Option<String>,
    /// With the FGM category: known (disclosed by the girl, or seen: for a
    /// girl under 18 the professional who discovered it must report it to the
    /// police) or at-risk
    #[arg(long, value_enum)]
    fgm: Option<FgmArg>,
    /// Who raised the concern, when not you: e.g. "Ms Example"
    /// [default: you]
    #[arg(long, value_name = "NAME")]
    raised_by: Option<String>,
    /// Their role, e.g. "class teacher"
    #[arg(long, value_name = "ROLE")]
    raised_by_role: Option<String>,
    /// How to reach them, e.g. "0116 000 0000"
    #[arg(long, value_name = "CONTACT")]
    raised_by_contact: Option<String>,
}

#[derive(Debug, Clone, Copy, ValueEnum)]
pub enum FgmArg {
    Known,
    AtRisk,
}

impl FgmArg {
    /// The domain's value.
    pub fn fgm(self) -> crate::domain::escalation::Fgm {
        match self {
            FgmArg::Known => crate::domain::escalation::Fgm::Known,
            FgmArg::AtRisk => crate::domain::escalation::Fgm::AtRisk,
        }
    }
}

#[derive(Debug, Clone, Copy, ValueEnum)]
pub enum WorksWithArg {
    Children,
    Adults,
    Both,
}

/// The command-line flag for an intake field, for messages.
fn flag(field: &str) -> String {
    match field {
        "work_area" => "--works-in".into(),
        "called_999" => "--called-999".into(),
        "categories" => "--category".into(),
        other => format!("--{}", other.replace('_', "-")),
    }
}

/// Runs `f` as one write by the caller, mapping refusals to exit 1.
fn write<T>(path: &Path, f: impl FnOnce(&mut Write<'_>) -> store::Result<T>) -> Result<T, Failure> {
    let now = clock()?.now();
    let mut store = store::open(path, Create::No)?;
    let me = whoami(&store)?;
    store.write(&me.username, now, f).map_err(action)
}

fn say(d: workflow::Done) -> Outcome {
    eprintln!("{}", d.message);
    Ok(())
}

pub fn new(path: &Path, a: &NewArgs) -> Outcome {
    let now = clock()?.now();
    let occurred_at = match &a.occurred {
        Some(t) => Some(
            crate::domain::calendar::parse_when(t, now)
                .map_err(|e| super::bad_input(format!("--occurred {e}")))?,
        ),
        None => None,
    };
    let occurred_place = match &a.place {
        Some(p) => Some(
            crate::domain::text::validate_line("place", p, 200)
                .map_err(|e| super::bad_input(e.to_string()))?,
        ),
        None => None,
    };
    let today = crate::domain::calendar::local(now).date_naive();
    let bad_input = |message: String| super::bad_input(message);
    let areas = {
        let st = store::open(path, Create::No)?;
        whoami(&st)?;
        store::areas::list(st.conn())?
    };
    let location = {
        let t = a.location.trim().to_lowercase().replace('-', "_");
        LocationType::from_code(&t).ok_or_else(|| {
            bad_input(format!(
                "--location {:?} is not a place: use {}",
                a.location,
                LocationType::ALL
                    .iter()
                    .map(|l| l.code().replace('_', "-"))
                    .collect::<Vec<_>>()
                    .join(", ")
            ))
        })?
    };
    let input = intake::Input {
        subject: Some(match a.subject {
            SubjectArg::Child => SubjectKind::Child,
            SubjectArg::Adult => SubjectKind::Adult,
            SubjectArg::Staff => SubjectKind::Staff,
        }),
        name: a.name.clone(),
        dob: a.dob.clone().unwrap_or_default(),
        expected: a.expected.clone().unwrap_or_default(),
        age: a.age.clone().unwrap_or_default(),
        area: a.area.clone(),
        work_area: a.works_in.clone().unwrap_or_default(),
        works_with: a.works_with.map(|w| match w {
            WorksWithArg::Children => WorksWith::Children,
            WorksWithArg::Adults => WorksWith::Adults,
            WorksWithArg::Both => WorksWith::Both,
        }),
        low_level: a.low_level,
        consent: Some(
            Consent::parse(&a.consent).map_err(|e| bad_input(format!("--consent: {e}")))?,
        ),
        consent_reason: a.consent_reason.clone().unwrap_or_default(),
        location: Some(location),
        categories: a.category.clone(),
        immediate_risk: a.immediate_risk,
        called_999: a.called_999,
    };
    let checked = intake::check(&input, today, &areas).map_err(|problems| {
        bad_input(
            problems
                .iter()
                .map(|p| format!("{}: {}", flag(p.field), p.message))
                .collect::<Vec<_>>()
                .join("\n"),
        )
    })?;
    let block = |field: &'static str, v: &str| {
        crate::domain::text::validate_block(field, v, workflow::MAX_TEXT)
            .map_err(|e| super::bad_input(e.to_string()))
    };
    let summary = block("summary", &a.summary)?;
    let (raised_by, raised_by_role, raised_by_contact) = crate::domain::casework::check_raiser(
        a.raised_by.as_deref().unwrap_or(""),
        a.raised_by_role.as_deref().unwrap_or(""),
        a.raised_by_contact.as_deref().unwrap_or(""),
    )
    .map_err(|(field, m)| bad_input(format!("{}: {m}", flag(field))))?;
    let e = NewEscalation {
        subject_kind: checked.subject,
        subject_name: checked.name.clone(),
        subject_dob: checked.dob.map(|d| d.to_string()),
        age_band: checked.age_band,
        area: checked.area.clone(),
        location_type: checked.location,
        risk: match a.risk {
            RiskArg::Low => Risk::Low,
            RiskArg::Medium => Risk::Medium,
            RiskArg::High => Risk::High,
        },
        // Empty: the store records the desk user's display name.
        raised_by: raised_by.unwrap_or_default(),
        raised_by_role,
        raised_by_contact,
        imported: false,
        raised_at: now,
        occurred_at,
        occurred_place,
        exact_words: match &a.words {
            Some(w) => block("exact words", w)?,
            None => crate::domain::escalation::NO_WORDS.into(),
        },
        appearance: None,
        consent: checked.consent,
        consent_reason: checked.consent_reason.clone(),
        immediate_risk: a.immediate_risk,
        critical_incident: a.critical,
        restricted: a.restricted,
        categories: checked.categories.clone(),
        low_level: checked.low_level,
        work_area: checked.work_area.clone(),
        works_with: checked.works_with,
        fgm: a.fgm.map(FgmArg::fgm),
    };
    let done = write(path, |w| {
        let e = e;
        if let Some(at) = e.occurred_at {
            eprintln!(
                "happened {} (UK time)",
                crate::domain::calendar::format_stamp(at)
            );
        }
        let about = a
            .about
            .as_deref()
            .map(crate::domain::names::About::parse)
            .unwrap_or_default();
        let d = workflow::create(w, &e, a.called_999, &about)?;
        workflow::note(w, d.id, &format!("Summary: {summary}"))?;
        Ok(d)
    })?;
    say!("{}", done.reference)?;
    eprintln!("{}", done.message);
    if let Some(read) = &checked.read_as {
        eprintln!("dates read as: {read}");
    }
    // Earlier concerns about the same person: offered, never linked silently.
    let store = store::open(path, Create::No)?;
    let me = whoami(&store)?;
    let e_row = escalations::matches(
        store.conn(),
        Viewer::from(&me),
        &checked.name,
        checked.dob.map(|d| d.to_string()).as_deref(),
        &checked.area,
        Some(done.id),
    )?;
    for m in e_row {
        eprintln!(
            "possible earlier concern about the same person: {} ({}, {}); link it with `dutydesk link {} {}`",
            m.reference,
            m.why,
            crate::domain::calendar::format_stamp(m.raised_at),
            done.reference,
            m.reference
        );
    }
    Ok(())
}

fn by_ref<T>(
    path: &Path,
    reference: &str,
    f: impl FnOnce(&mut Write<'_>, i64, Option<i64>) -> store::Result<T>,
) -> Result<T, Failure> {
    write(path, |w| {
        let id = workflow::id_of(w, reference)?;
        // Scripts act on the latest version; the dashboard passes the one shown.
        f(w, id, None)
    })
}

/// `dutydesk ack`: refused when someone else holds or acknowledged the case
/// (who and when), unless `take`; "already yours" for your own.
pub fn ack(path: &Path, reference: &str, take: bool) -> Outcome {
    say(by_ref(path, reference, |w, id, v| {
        workflow::acknowledge(w, id, v, take)
    })?)
}

/// `dutydesk assign`: refused when someone other than you and `user` holds
/// the case, unless `take`.
pub fn assign(path: &Path, reference: &str, user: &str, take: bool) -> Outcome {
    say(by_ref(path, reference, |w, id, v| {
        workflow::assign(w, id, user, v, take)
    })?)
}

pub fn link(path: &Path, reference: &str, other: &str) -> Outcome {
    say(write(path, |w| {
        let a = workflow::id_of(w, reference)?;
        let b = workflow::id_of(w, other)?;
        workflow::link(w, a, b)
    })?)
}

/// A time typed on the command line (`--at`), or now.
fn when(text: Option<&str>, flag: &str) -> Result<Option<chrono::DateTime<chrono::Utc>>, Failure> {
    let now = clock()?.now();
    text.map(|t| {
        crate::domain::calendar::parse_when(t, now)
            .map_err(|e| super::bad_input(format!("{flag} {e}")))
    })
    .transpose()
}

pub fn event(path: &Path, reference: &str, event: &str, note: &str, at: Option<&str>) -> Outcome {
    let held = when(at, "--at")?;
    say(by_ref(path, reference, |w, id, _| {
        workflow::record_event(w, id, event, note, held)
    })?)
}

/// `dutydesk outcome`: the receiving agency's decision on a referral.
pub fn outcome(
    path: &Path,
    reference: &str,
    pick: workflow::ReferralPick,
    code: &str,
    note: &str,
    removed: bool,
) -> Outcome {
    say(by_ref(path, reference, |w, id, v| {
        workflow::record_outcome(w, id, &pick, code, note, removed, v)
    })?)
}

/// `dutydesk called-999`: the 999 call made for a case saved without one.
pub fn called_999(path: &Path, reference: &str, at: Option<&str>, note: &str) -> Outcome {
    let at = when(at, "--at")?;
    say(by_ref(path, reference, |w, id, v| {
        workflow::record_999(w, id, at, note, v)
    })?)
}

/// `dutydesk fgm-reported`: who reported known FGM to the police, and the
/// police reference.
pub fn fgm_reported(
    path: &Path,
    reference: &str,
    by: &str,
    police_reference: &str,
    at: Option<&str>,
) -> Outcome {
    let at = when(at, "--at")?;
    say(by_ref(path, reference, |w, id, v| {
        workflow::record_fgm_report(w, id, by, police_reference, at, v)
    })?)
}

pub fn note(path: &Path, reference: &str, text: &str) -> Outcome {
    say(by_ref(path, reference, |w, id, _| {
        workflow::note(w, id, text)
    })?)
}

/// `dutydesk refer`: the route is checked against the case (an adult's NRM
/// referral needs consent); by phone, the number actually rung is recorded
/// (the contact's fallback while it is shut, or `rang` as typed).
pub fn refer(path: &Path, reference: &str, r: Referral) -> Outcome {
    say(by_ref(path, reference, |w, id, v| {
        workflow::refer(w, id, &r, v)
    })?)
}

/// `dutydesk close`: every open deadline needs a choice (`--keep`, `--met`,
/// `--waive RULE=REASON`); without one for each, the refusal lists them.
pub fn close(
    path: &Path,
    reference: &str,
    outcome: &str,
    rationale: &str,
    choices: &[crate::domain::deadline::ClosureChoice],
) -> Outcome {
    say(by_ref(path, reference, |w, id, v| {
        workflow::close(w, id, outcome, rationale, choices, v)
    })?)
}

/// The closing choices from `--keep RULE`, `--met RULE[=NOTE]` and
/// `--waive RULE=REASON` (RULE: a rule code or a deadline's number).
pub fn closure_choices(
    keep: &[String],
    met: &[String],
    waive: &[String],
) -> Result<Vec<crate::domain::deadline::ClosureChoice>, Failure> {
    use crate::domain::deadline::{ClosureAction, ClosureChoice, DeadlineRef};
    let mut out = Vec::new();
    for k in keep {
        out.push(ClosureChoice {
            deadline: DeadlineRef::parse(k),
            action: ClosureAction::Keep,
        });
    }
    for m in met {
        let (rule, note) = m.split_once('=').unwrap_or((m, ""));
        out.push(ClosureChoice {
            deadline: DeadlineRef::parse(rule),
            action: ClosureAction::Met(note.trim().to_string()),
        });
    }
    for x in waive {
        let Some((rule, reason)) = x.split_once('=').filter(|(_, r)| !r.trim().is_empty()) else {
            return Err(super::bad_input(format!(
                "--waive {x:?}: a deadline is waived only with the reason, --waive RULE=REASON"
            )));
        };
        out.push(ClosureChoice {
            deadline: DeadlineRef::parse(rule),
            action: ClosureAction::Waive(reason.trim().to_string()),
        });
    }
    Ok(out)
}

/// `dutydesk signoff`: approves only the proposal shown by `dutydesk show`
/// (`--version N`, and `--outcome O` if given), and prints what it approved.
pub fn signoff(
    path: &Path,
    reference: &str,
    approve: bool,
    reason: &str,
    version: Option<i64>,
    outcome: Option<&str>,
) -> Outcome {
    let d = write(path, |w| {
        let id = workflow::id_of(w, reference)?;
        workflow::signoff(w, id, approve, reason, version, outcome)
    })?;
    if let Some(detail) = &d.detail {
        say!("{detail}")?;
    }
    say(d)
}

/// `dutydesk access`: a senior lead changes who may see an escalation, or
/// (with no change asked) reads who may: `restricted=0|1; named=...;
/// excluded=...`, as the audit trail records it.
pub fn access(
    path: &Path,
    reference: &str,
    change: &workflow::AccessChange,
    version: Option<i64>,
    json: bool,
) -> Outcome {
    if json && !change.is_empty() {
        return Err(super::bad_input(
            "--json prints who may see it and cannot go with a change: run the change, then `dutydesk access REF --json`",
        ));
    }
    if change.is_empty() {
        let (store, me) = open_read(path)?;
        let viewer = Viewer::from(&me);
        let id = store::access::resolve(store.conn(), viewer, reference).map_err(action)?;
        if !me.role.sees_restricted() {
            return Err(action(StoreError::Refused(
                "only a senior lead may see or change who sees an escalation; ask one".into(),
            )));
        }
        let state = store::access::state(store.conn(), id).map_err(action)?;
        if json {
            // "restricted=0|1; named=USER,...; excluded=USER,..." as a document.
            let people = store::staff::list(&store)?;
            let part = |key: &str| -> Vec<serde_json::Value> {
                state
                    .split("; ")
                    .find_map(|p| p.strip_prefix(&format!("{key}=")))
                    .unwrap_or_default()
                    .split(',')
                    .filter(|u| !u.is_empty())
                    .map(|u| {
                        serde_json::json!({
                            "user": u,
                            "user_name": people
                                .iter()
                                .find(|s| s.username == u)
                                .map(|s| s.display_name.clone()),
                        })
                    })
                    .collect()
            };
            return super::json::print(
                "access",
                clock()?.now(),
                serde_json::json!({
                    "reference": store::access::normalise_reference(reference),
                    "restricted": state.starts_with("restricted=1"),
                    "named": part("named"),
                    "excluded": part("excluded"),
                }),
            );
        }
        say!("{state}")?;
        return Ok(());
    }
    let d = write(path, |w| {
        let id = workflow::id_of(w, reference)?;
        workflow::change_access(w, id, change, version)
    })?;
    say!("{}", d.message)?;
    Ok(())
}

pub fn reopen(path: &Path, reference: &str, reason: &str) -> Outcome {
    say(by_ref(path, reference, |w, id, v| {
        workflow::reopen(w, id, reason, v)
    })?)
}

fn open_read(path: &Path) -> Result<(Store, crate::domain::staff::StaffMember), Failure> {
    let store = store::open(path, Create::No)?;
    let me = whoami(&store)?;
    Ok((store, me))
}

pub fn show(path: &Path, reference: &str, json: bool) -> Outcome {
    let now = clock()?.now();
    let (mut store, me) = open_read(path)?;
    let id = store
        .write(&me.username, now, |w| {
            let id = workflow::id_of(w, reference)?;
            let reference = store::access::normalise_reference(reference);
            w.audit("lookup", "escalation", Some(&reference), None)?;
            Ok(id)
        })
        .map_err(action)?;
    let d = store::worker::load_detail(&mut store, &me, now, id).map_err(action)?;
    if json {
        let staff = store::staff::list(&store)?;
        let people = super::json::People::of(&staff);
        let cats = store::categories::list(store.conn())?;
        let doc = crate::domain::json::record(&d, &people, &super::json::code_of(&cats), now);
        return super::json::print("escalation", now, &doc);
    }
    let s = &d.summary;
    say!(
        "{}  {} · {} · risk {} · {}",
        s.reference,
        s.subject_kind.label(),
        d.subject_name,
        s.risk.label(),
        s.status.label()
    )?;
    say!(
        "area {} · location {} · raised {} by {}",
        d.area,
        d.location_type.label(),
        crate::domain::calendar::format_stamp(s.raised_at),
        d.casework.raiser.line()
    )?;
    // As the record screen shows it (a viewer's copy holds no reason).
    match &d.consent_reason {
        Some(r) => say!("consent {}: {r}", d.consent.label())?,
        None => say!("consent {}", d.consent.label())?,
    }
    say!("assigned to {}", s.assignee.as_deref().unwrap_or("nobody"))?;
    say!("version {} (for `dutydesk signoff --version`)", d.version)?;
    if s.awaiting_signoff
        && let (Some(o), Some(r)) = (&d.outcome, &d.closure_rationale)
    {
        say!(
            "closure proposed, awaiting sign-off: {}",
            crate::domain::settings::outcome_label(o)
        )?;
        say!("rationale: {r}")?;
    }
    let p = &d.practice;
    if let Some(at) = d.occurred_at {
        say!(
            "happened {}{}",
            crate::domain::calendar::format_stamp(at),
            d.occurred_place
                .as_deref()
                .map(|x| format!(" at {x}"))
                .unwrap_or_default()
        )?;
    }
    if let Some(l) = &p.lateness {
        say!(
            "recorded {}{}",
            l.text,
            if l.late {
                format!(
                    ": RECORDED LATE, already due when recorded: {}",
                    l.already_due.join("; ")
                )
            } else {
                String::new()
            }
        )?;
    }
    if s.immediate_risk {
        match p.emergency_called_at {
            Some(t) => say!(
                "life at risk: 999 called {}",
                crate::domain::calendar::format_stamp(t)
            )?,
            None => say!(
                "LIFE AT RISK: NO 999 CALL RECORDED. Call 999, then `dutydesk called-999 {}`",
                s.reference
            )?,
        }
    }
    if let Some(f) = p.fgm {
        say!("FGM: {}", f.label())?;
        match &p.fgm_report {
            Some(r) => say!(
                "FGM reported to the police by {} (police reference {}) {}",
                r.reported_by,
                r.police_reference,
                crate::domain::calendar::format_stamp(r.reported_at)
            )?,
            None if f == crate::domain::escalation::Fgm::Known => say!(
                "FGM: no report to the police recorded yet (`dutydesk fgm-reported {} --by NAME --police-reference REF`)",
                s.reference
            )?,
            None => {}
        }
    }
    say!("exact words: {}", d.exact_words)?;
    // Who else is involved, as the record screen and the export list them
    // (a viewer's copy holds none).
    for x in &d.casework.people {
        say!(
            "involved #{}: {} {}{}{}",
            x.id,
            x.role.label(),
            x.name,
            x.relationship
                .as_deref()
                .map(|r| format!(" ({r})"))
                .unwrap_or_default(),
            x.details
                .as_deref()
                .map(|t| format!(" — {}", t.replace('\n', " ")))
                .unwrap_or_default()
        )?;
    }
    for a in &d.casework.attachments {
        say!(
            "attachment #{}: {} ({}, {})",
            a.id,
            a.name,
            a.media_type,
            crate::domain::casework::size_words(a.size)
        )?;
    }
    if !d.casework.links.is_empty() {
        say!(
            "linked (same person): {}",
            d.casework
                .links
                .iter()
                .map(|(r, _)| r.as_str())
                .collect::<Vec<_>>()
                .join(", ")
        )?;
    }
    for r in &p.referrals {
        say!(
            "referral #{}: {} {} by {}{}; outcome: {}",
            r.id,
            r.route_label,
            crate::domain::calendar::format_stamp(r.made_at),
            r.made_by,
            r.agency_reference
                .as_deref()
                .map(|x| format!(", their reference {x}"))
                .unwrap_or_default(),
            match (&r.outcome_label, r.outcome_at) {
                (Some(o), Some(t)) => format!("{o} ({})", crate::domain::calendar::format_stamp(t)),
                (Some(o), None) => o.clone(),
                _ => "awaited".into(),
            }
        )?;
    }
    for dl in &d.deadlines {
        say!(
            "deadline #{}: {} due {} ({}){}",
            dl.id,
            dl.label,
            crate::domain::calendar::format_stamp(dl.due_at),
            match dl.status(now) {
                crate::domain::deadline::DeadlineStatus::Overdue => "overdue",
                crate::domain::deadline::DeadlineStatus::DueSoon => "due soon",
                crate::domain::deadline::DeadlineStatus::Ok => "open",
                crate::domain::deadline::DeadlineStatus::Met => "met",
                crate::domain::deadline::DeadlineStatus::Waived => "waived",
            },
            if dl.beyond_calendar {
                " (counted past the known bank holidays: check)"
            } else {
                ""
            }
        )?;
    }
    for c in &d.chronology {
        say!(
            "{}  {} · {}: {}",
            crate::domain::calendar::format_stamp(c.at),
            c.author,
            crate::domain::escalation::chronology_kind(&c.kind),
            c.body
        )?;
    }
    Ok(())
}

pub fn list(
    path: &Path,
    json: bool,
    status: StatusArg,
    filters: &crate::domain::search::Filters,
) -> Outcome {
    let now = clock()?.now();
    let (mut store, me) = open_read(path)?;
    let which = match status {
        StatusArg::Open => Which::Open,
        StatusArg::Closed => Which::Closed,
        StatusArg::All => Which::All,
    };
    let viewer = Viewer::from(&me);
    filters
        .check(viewer.senior)
        .map_err(|m| action(StoreError::Refused(m)))?;
    if json {
        // Audited first, then written as read (issue 21: a decade of closed
        // cases in bounded memory).
        super::audit_export(
            &mut store,
            &me,
            "escalations",
            &format!("list {status:?} {}", filters.codes()),
        )?;
        let staff = store::staff::list(&store)?;
        let people = super::json::People::of(&staff);
        let cats = store::categories::list(store.conn())?;
        let mut items = super::json::Items::begin("escalations", now)?;
        let output = super::OutputError::default();
        escalations::list_each(&store, viewer, now, which, filters, |r| {
            items
                .item(super::json::summary(&r, &people, &cats))
                .map_err(|e| output.keep(e))
        })
        .map_err(|e| output.take(e))?;
        return items.end();
    }
    // Closures waiting for sign-off show what is to be approved (a small
    // set, from its partial index).
    let waiting = if filters.awaiting_signoff {
        store::search::signoff_queue(store_conn(&store), viewer)?
    } else {
        Vec::new()
    };
    // Audited first, then written as read, as the JSON list is (issue 21:
    // bounded memory at any size; what leaves is on the record even if the
    // listing stops part way).
    super::audit_export(
        &mut store,
        &me,
        "escalations",
        &format!("list {status:?} {}", filters.codes()),
    )?;
    // Every column's widest possible cell, known before the first row.
    let width = |texts: &mut dyn Iterator<Item = String>| {
        texts
            .map(|t| unicode_width::UnicodeWidthStr::width(t.as_str()) as u16)
            .max()
            .unwrap_or(0)
    };
    use crate::domain::escalation::{Risk, Status, SubjectKind};
    let widths = [
        escalations::reference_width(store_conn(&store))?,
        width(&mut SubjectKind::ALL.iter().map(|k| k.short().to_string())),
        width(&mut Risk::ALL.iter().map(|r| r.code().to_string())),
        width(
            &mut Status::ALL
                .iter()
                .map(|s| s.label().to_string())
                .chain(["awaiting sign-off".to_string()]),
        ),
        width(
            &mut store::staff::list(&store)?
                .into_iter()
                .map(|s| crate::domain::text::clean_line(&s.display_name))
                .chain(["-".to_string()]),
        ),
        0,
    ];
    let mut table = super::table::Streamed::new(
        std::io::BufWriter::new(std::io::stdout()),
        &[
            "REFERENCE",
            "ABOUT",
            "RISK",
            "STATUS",
            "ASSIGNEE",
            "NEXT DEADLINE",
        ],
        &widths,
        &[],
    );
    let mut shown_waiting: Vec<(String, i64)> = Vec::new();
    let output = super::OutputError::default();
    escalations::list_each(&store, viewer, now, which, filters, |r| {
        if waiting.iter().any(|w| w.id == r.id) {
            shown_waiting.push((r.reference.clone(), r.id));
        }
        let due = r
            .next_due
            .as_ref()
            .map(|d| {
                format!(
                    "{} ({})",
                    crate::domain::deadline::countdown(d.at, now),
                    d.label
                )
            })
            .unwrap_or_default();
        table
            .row(vec![
                r.reference.clone(),
                r.subject_kind.short().to_string(),
                r.risk.code().to_string(),
                if r.awaiting_signoff {
                    "awaiting sign-off".to_string()
                } else {
                    r.status.label().to_string()
                },
                r.assignee.clone().unwrap_or_else(|| "-".into()),
                due,
            ])
            .map_err(|e| output.io(e))
    })
    .map_err(|e| output.take(e))?;
    if table.finish().map_err(anyhow::Error::from)? == 0 {
        // Said, not left blank: an empty answer reads as a fault.
        say!("No escalations match (`dutydesk list --help` shows the filters).")?;
    }
    // Closures waiting for sign-off: what is to be approved, under the table.
    for (reference, id) in &shown_waiting {
        if let Some(w) = waiting.iter().find(|w| w.id == *id) {
            say!(
                "{} proposed by {}{}: {} (version {} for `dutydesk signoff --version`)",
                reference,
                w.proposed_by,
                w.proposed_at
                    .map(|t| format!(" {}", crate::domain::calendar::format_stamp(t)))
                    .unwrap_or_default(),
                crate::domain::settings::outcome_label(&w.outcome),
                w.version
            )?;
            say!("    rationale: {}", w.rationale.replace('\n', "\n    "))?;
        }
    }
    Ok(())
}

fn store_conn(s: &Store) -> &rusqlite::Connection {
    s.conn()
}

/// `dutydesk routes REF`: the routes that fit, each with its reason and any
/// warning, and the contacts to ring now for each (the refer form's answer).
/// Audited as a look-up of the record; a reference the user may not see is
/// refused as one that does not exist.
pub fn routes(path: &Path, reference: &str, json: bool) -> Outcome {
    let now = clock()?.now();
    let (mut store, me) = open_read(path)?;
    let id = store
        .write(&me.username, now, |w| {
            let viewer = store::access::writer(w)?;
            let id = store::access::resolve(w.tx(), viewer, reference)?;
            let reference = store::access::normalise_reference(reference);
            w.audit("lookup", "escalation", Some(&reference), Some("routes"))?;
            Ok(id)
        })
        .map_err(action)?;
    let o = store::routes::options(store.conn(), Viewer::from(&me), id, now).map_err(action)?;
    if json {
        super::json::print("routes", crate::cli::clock()?.now(), &o)?;
        return Ok(());
    }
    say!(
        "{} · lives in {}{}",
        o.reference,
        o.area,
        o.work_area
            .as_deref()
            .map(|w| format!(" · works in {w}"))
            .unwrap_or_default()
    )?;
    say!("Routes that fit, first things first:")?;
    let mut n = 0;
    for s in o.suggestions.iter().filter(|s| s.fits) {
        n += 1;
        say!("  {n}. {:<11} {}", s.route.code().replace('_', "-"), s.why)?;
        if let Some(w) = &s.warning {
            say!("     ! {w}")?;
        }
    }
    if n == 0 {
        say!("  none fits on its own: see the other routes below")?;
    }
    for note in &o.notes {
        say!("  note: {note}")?;
    }
    say!(
        "Contacts now ({}):",
        crate::domain::calendar::format_clock(now)
    )?;
    for (route, a) in &o.contacts {
        let c = &a.contact;
        let state = if a.open_now { "OPEN  " } else { "CLOSED" };
        let ring = match (&a.ring, a.ring_id != c.id) {
            (Some(r), true) => format!(" → ring {r} ({}, for {})", a.ring_service, a.ring_for),
            (None, _) => c
                .web
                .as_deref()
                .map(|w| format!(" → online: {w}"))
                .unwrap_or_default(),
            _ => String::new(),
        };
        say!(
            "  {:<11} {state} {:<15} {} {}{} · {}{ring}",
            route.replace('_', "-"),
            c.phone.as_deref().unwrap_or("-"),
            c.organisation,
            c.service,
            if c.id > 0 {
                format!(" (contact {})", c.id)
            } else {
                String::new()
            },
            a.when,
        )?;
    }
    let others: Vec<String> = o
        .suggestions
        .iter()
        .filter(|s| !s.fits)
        .map(|s| {
            if s.why != s.route.label() {
                format!("{} ({})", s.route.code().replace('_', "-"), s.why)
            } else {
                s.route.code().replace('_', "-")
            }
        })
        .collect();
    say!("Other routes: {}", others.join(", "))?;
    for s in o.suggestions.iter().filter(|s| !s.fits) {
        if let Some(w) = &s.warning {
            say!("  ! {}: {w}", s.route.code().replace('_', "-"))?;
        }
    }
    if let Some(first) = o.suggestions.iter().find(|s| s.fits) {
        say!(
            "Refer with: dutydesk refer {} --route {} [--contact ID] --shared \"what was shared\"",
            o.reference,
            first.route.code().replace('_', "-")
        )?;
    }
    Ok(())
}
