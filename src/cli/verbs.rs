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

/// A refused action exits 1; trouble starting (identity, database) stays 2.
fn action(e: StoreError) -> Failure {
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
        occurred_at: None,
        occurred_place: None,
        exact_words: match &a.words {
            Some(w) => block("exact words", w)?,
            None => "(no exact words recorded)".into(),
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
    };
    let done = write(path, |w| {
        let mut e = e;
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

pub fn event(path: &Path, reference: &str, event: &str, note: &str) -> Outcome {
    say(by_ref(path, reference, |w, id, _| {
        workflow::record_event(w, id, event, note)
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

pub fn close(path: &Path, reference: &str, outcome: &str, rationale: &str) -> Outcome {
    say(by_ref(path, reference, |w, id, v| {
        workflow::close(w, id, outcome, rationale, v)
    })?)
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
    println!("exact words: {}", d.exact_words);
    for dl in &d.deadlines {
        println!(
            "deadline: {} due {} ({:?})",
            dl.label,
            crate::domain::calendar::format_stamp(dl.due_at),
            dl.status(now)
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
    let rows = escalations::list(&store, Viewer::from(&me), which, mine)?;
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
