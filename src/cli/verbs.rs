//! The desk's verbs for scripts: the same store functions the dashboard's keys
//! call. Exit codes: 0 done; 1 the action was refused (the reason on stderr);
//! 2 usage errors, an unknown user or an unusable database.

use super::{Failure, Outcome, clock, whoami};
use crate::domain::escalation::{AgeBand, Consent, LocationType, Risk, SubjectKind, years_old};
use crate::store::escalations::{self, NewEscalation, Viewer, Which};
use crate::store::workflow::{self, Referral};
use crate::store::{self, Create, Store, StoreError, Write};
use clap::{Args, ValueEnum};
use std::path::Path;

/// A refused action exits 1; bad input (`StoreError::Invalid`) and trouble
/// starting (identity, database) exit 2.
pub(crate) fn action(e: StoreError) -> Failure {
    let code = match e {
        StoreError::Refused(_)
        | StoreError::NotVisible(_)
        | StoreError::Conflict(..)
        | StoreError::ReadOnly
        | StoreError::Locked
        | StoreError::Sqlite(_) => 1,
        _ => 2,
    };
    Failure {
        code,
        message: e.to_string(),
    }
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

#[derive(Debug, Clone, Copy, ValueEnum)]
pub enum ConsentArg {
    Given,
    Refused,
    Sought,
    /// Not sought because asking would put someone at risk
    NotSought,
}

#[derive(Debug, Clone, Copy, ValueEnum, PartialEq, Eq)]
pub enum StatusArg {
    Open,
    Closed,
    All,
}

/// `dutydesk new`: the fields of an intake.
#[derive(Debug, Args)]
pub struct NewArgs {
    #[arg(long, value_enum)]
    subject: SubjectArg,
    /// Name or pseudonym of the person the concern is about
    #[arg(long)]
    name: String,
    /// Area where the person lives (decides which authority to refer to)
    #[arg(long)]
    area: String,
    /// Category codes, comma-separated (see `dutydesk categories`)
    #[arg(long, value_delimiter = ',', required = true)]
    category: Vec<String>,
    #[arg(long, value_enum)]
    risk: RiskArg,
    /// What happened, in brief: the first line of the chronology
    #[arg(long)]
    summary: String,
    /// The person's exact words
    #[arg(long)]
    words: Option<String>,
    /// Date of birth, YYYY-MM-DD
    #[arg(long, conflicts_with = "age")]
    dob: Option<String>,
    /// Age in years, when the date of birth is not known
    #[arg(long, value_parser = clap::value_parser!(u32).range(0..=120))]
    age: Option<u32>,
    #[arg(long, value_enum, default_value = "sought")]
    consent: ConsentArg,
    #[arg(long)]
    consent_reason: Option<String>,
    /// A critical incident (the Home Office must be told within a calendar day)
    #[arg(long)]
    critical: bool,
    /// Only senior leads and named staff may see it (an allegation about a DSL)
    #[arg(long)]
    restricted: bool,
    /// For --subject staff: does the person it is about use this desk? Their
    /// account (the case is restricted and they are excluded from it), or
    /// "none". Required when the name is close to a desk user's.
    #[arg(long, value_name = "USER|none")]
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
}

#[derive(Debug, Clone, Copy, ValueEnum)]
pub enum FgmArg {
    Known,
    AtRisk,
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
                .map_err(|e| super::refused(format!("--occurred {e}")))?,
        ),
        None => None,
    };
    let occurred_place = match &a.place {
        Some(p) => Some(
            crate::domain::text::validate_line("place", p, 200)
                .map_err(|e| super::refused(e.to_string()))?,
        ),
        None => None,
    };
    let today = crate::domain::calendar::local(now).date_naive();
    let (dob, band) = match (&a.dob, a.age) {
        (Some(d), _) => {
            let date =
                chrono::NaiveDate::parse_from_str(d.trim(), "%Y-%m-%d").map_err(|_| Failure {
                    code: 1,
                    message: format!("date of birth {d:?} is not a date (YYYY-MM-DD)"),
                })?;
            let years = years_old(date, today).ok_or_else(|| Failure {
                code: 1,
                message: format!("date of birth {date} is in the future"),
            })?;
            (Some(date.to_string()), AgeBand::from_years(years))
        }
        (None, Some(y)) => (None, AgeBand::from_years(y)),
        (None, None) => (None, AgeBand::Unknown),
    };
    let kind = match a.subject {
        SubjectArg::Child => SubjectKind::Child,
        SubjectArg::Adult => SubjectKind::Adult,
        SubjectArg::Staff => SubjectKind::Staff,
    };
    let line = |field: &'static str, v: &str, max| {
        crate::domain::text::validate_line(field, v, max).map_err(|e| Failure {
            code: 1,
            message: e.to_string(),
        })
    };
    let block = |field: &'static str, v: &str| {
        crate::domain::text::validate_block(field, v, workflow::MAX_TEXT).map_err(|e| Failure {
            code: 1,
            message: e.to_string(),
        })
    };
    let summary = block("summary", &a.summary)?;
    let e = NewEscalation {
        subject_kind: kind,
        subject_name: line("name", &a.name, 100)?,
        subject_dob: dob,
        age_band: band,
        area: line("area", &a.area, 80)?,
        location_type: LocationType::Unknown,
        risk: match a.risk {
            RiskArg::Low => Risk::Low,
            RiskArg::Medium => Risk::Medium,
            RiskArg::High => Risk::High,
        },
        raised_by: String::new(),
        raised_at: now,
        occurred_at,
        occurred_place,
        exact_words: match &a.words {
            Some(w) => block("exact words", w)?,
            None => crate::domain::escalation::NO_WORDS.into(),
        },
        appearance: None,
        consent: match a.consent {
            ConsentArg::Given => Consent::Given,
            ConsentArg::Refused => Consent::Refused,
            ConsentArg::Sought => Consent::Sought,
            ConsentArg::NotSought => Consent::NotSoughtUnsafe,
        },
        consent_reason: match &a.consent_reason {
            Some(r) => Some(block("consent reason", r)?),
            None => None,
        },
        immediate_risk: a.immediate_risk,
        critical_incident: a.critical,
        restricted: a.restricted,
        categories: a.category.iter().map(|c| c.trim().to_string()).collect(),
        fgm: a.fgm.map(|f| match f {
            FgmArg::Known => crate::domain::escalation::Fgm::Known,
            FgmArg::AtRisk => crate::domain::escalation::Fgm::AtRisk,
        }),
    };
    let done = write(path, |w| {
        let mut e = e;
        if let Some(at) = e.occurred_at {
            eprintln!(
                "happened {} (UK time)",
                crate::domain::calendar::format_stamp(at)
            );
        }
        e.raised_by = w.actor().to_string();
        let about = a
            .about
            .as_deref()
            .map(crate::domain::names::About::parse)
            .unwrap_or_default();
        let d = workflow::create(w, &e, a.called_999, &about)?;
        workflow::note(w, d.id, &format!("Summary: {summary}"))?;
        Ok(d)
    })?;
    println!("{}", done.reference);
    eprintln!("{}", done.message);
    // Earlier concerns about the same person: offered, never linked silently.
    let store = store::open(path, Create::No)?;
    let me = whoami(&store)?;
    let e_row = escalations::matches(
        store.conn(),
        Viewer::from(&me),
        &a.name,
        a.dob.as_deref(),
        &a.area,
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
            .map_err(|e| super::refused(format!("{flag} {e}")))
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

#[allow(clippy::too_many_arguments)]
pub fn refer(
    path: &Path,
    reference: &str,
    route: &str,
    contact: Option<i64>,
    method: &str,
    agency_reference: Option<&str>,
    shared: &str,
    why: &str,
) -> Outcome {
    let r = Referral {
        route: route.trim().replace('-', "_"),
        contact_id: contact,
        method: method.trim().replace('-', "_"),
        agency_reference: agency_reference.map(str::to_string),
        shared_what: shared.to_string(),
        shared_why: why.to_string(),
        lawful_basis: None,
    };
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
            return Err(super::refused(format!(
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
        println!("{detail}");
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
) -> Outcome {
    if change.is_empty() {
        let (store, me) = open_read(path)?;
        let viewer = Viewer::from(&me);
        let id = store::access::resolve(store.conn(), viewer, reference).map_err(action)?;
        if !me.role.sees_restricted() {
            return Err(action(StoreError::Refused(
                "only a senior lead may see or change who sees an escalation; ask one".into(),
            )));
        }
        println!(
            "{}",
            store::access::state(store.conn(), id).map_err(action)?
        );
        return Ok(());
    }
    let d = write(path, |w| {
        let id = workflow::id_of(w, reference)?;
        workflow::change_access(w, id, change, version)
    })?;
    println!("{}", d.message);
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
        println!(
            "{}",
            serde_json::to_string_pretty(&d).map_err(anyhow::Error::from)?
        );
        return Ok(());
    }
    let s = &d.summary;
    println!(
        "{}  {} · {} · risk {} · {}",
        s.reference,
        s.subject_kind.label(),
        d.subject_name,
        s.risk.label(),
        s.status.label()
    );
    println!(
        "area {} · raised {} by {}",
        d.area,
        crate::domain::calendar::format_stamp(s.raised_at),
        d.raised_by
    );
    println!("assigned to {}", s.assignee.as_deref().unwrap_or("nobody"));
    println!("version {} (for `dutydesk signoff --version`)", d.version);
    if s.awaiting_signoff
        && let (Some(o), Some(r)) = (&d.outcome, &d.closure_rationale)
    {
        println!("closure proposed, awaiting sign-off: {o}");
        println!("rationale: {r}");
    }
    let p = &d.practice;
    if let Some(at) = d.occurred_at {
        println!(
            "happened {}{}",
            crate::domain::calendar::format_stamp(at),
            d.occurred_place
                .as_deref()
                .map(|x| format!(" at {x}"))
                .unwrap_or_default()
        );
    }
    if let Some(l) = &p.lateness {
        println!(
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
        );
    }
    if s.immediate_risk {
        match p.emergency_called_at {
            Some(t) => println!(
                "life at risk: 999 called {}",
                crate::domain::calendar::format_stamp(t)
            ),
            None => println!(
                "LIFE AT RISK: NO 999 CALL RECORDED. Call 999, then `dutydesk called-999 {}`",
                s.reference
            ),
        }
    }
    if let Some(f) = p.fgm {
        println!("FGM: {}", f.label());
        match &p.fgm_report {
            Some(r) => println!(
                "FGM reported to the police by {} (police reference {}) {}",
                r.reported_by,
                r.police_reference,
                crate::domain::calendar::format_stamp(r.reported_at)
            ),
            None if f == crate::domain::escalation::Fgm::Known => println!(
                "FGM: no report to the police recorded yet (`dutydesk fgm-reported {} --by NAME --police-reference REF`)",
                s.reference
            ),
            None => {}
        }
    }
    println!("exact words: {}", d.exact_words);
    for r in &p.referrals {
        println!(
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
        );
    }
    for dl in &d.deadlines {
        println!(
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
        );
    }
    for c in &d.chronology {
        println!(
            "{}  {} · {}: {}",
            crate::domain::calendar::format_stamp(c.at),
            c.author,
            c.kind,
            c.body
        );
    }
    Ok(())
}

pub fn list(path: &Path, json: bool, status: StatusArg, mine: bool) -> Outcome {
    let now = clock()?.now();
    let (mut store, me) = open_read(path)?;
    let which = match status {
        StatusArg::Open => Which::Open,
        StatusArg::Closed => Which::Closed,
        StatusArg::All => Which::All,
    };
    let rows = escalations::list(&store, Viewer::from(&me), now, which, mine)?;
    // Audited once the list is in hand: a list that failed left nothing.
    super::audit_export(
        &mut store,
        &me,
        "escalations",
        &format!("list {status:?}{}", if mine { " mine" } else { "" }),
    )?;
    if json {
        println!(
            "{}",
            serde_json::to_string_pretty(&rows).map_err(anyhow::Error::from)?
        );
        return Ok(());
    }
    for r in rows {
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
        println!(
            "{:<14} {:<6} {:<6} {:<17} {:<18} {}",
            r.reference,
            r.subject_kind.short(),
            r.risk.code(),
            if r.awaiting_signoff {
                "awaiting sign-off"
            } else {
                r.status.code()
            },
            r.assignee.as_deref().unwrap_or("-"),
            due
        );
    }
    Ok(())
}
