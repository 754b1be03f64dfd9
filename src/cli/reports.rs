//! `dutydesk report` and `dutydesk export REF`.

use super::{Outcome, audit_export, clock, refused, whoami};
use crate::domain::calendar::{at_local, local};
use crate::store::escalations::Viewer;
use crate::store::{self, Create};
use chrono::{Duration, NaiveDate, NaiveTime};
use std::path::Path;

#[derive(Debug, Clone, Copy, clap::ValueEnum, PartialEq, Eq)]
pub enum Format {
    Text,
    Md,
    Csv,
    Json,
    Html,
}

fn date(s: &str, what: &str) -> Result<NaiveDate, super::Failure> {
    NaiveDate::parse_from_str(s.trim(), "%Y-%m-%d")
        .map_err(|_| refused(format!("--{what} {s:?} is not a date (YYYY-MM-DD)")))
}

/// `dutydesk report`: the period against the previous calendar period of the
/// same kind, published with small counts hidden alike in every format
/// (`--suppress-under N`), saying that restricted cases the reader may not
/// see are left out.
pub fn report(path: &Path, from: &str, to: &str, format: Format, suppress: Option<u32>) -> Outcome {
    let (from, to) = (date(from, "from")?, date(to, "to")?);
    if to < from {
        return Err(refused(format!(
            "the period ends ({to}) before it starts ({from})"
        )));
    }
    if suppress == Some(0) || suppress == Some(1) {
        return Err(refused(
            "--suppress-under N hides counts from 1 to N-1: give 2 or more (5 is usual)",
        ));
    }
    let now = clock()?.now();
    let mut st = store::open(path, Create::No)?;
    let me = whoami(&st)?;
    let (before_from, _, _) = crate::domain::report::previous(from, to);
    let start = at_local(before_from, NaiveTime::MIN);
    let end = at_local(to + Duration::days(1), NaiveTime::MIN);
    let rows = store::reports::rows(&st, Viewer::from(&me), start, end, now)?;
    let mut r = crate::domain::report::build(&rows, from, to).map_err(refused)?;
    if me.role.sees_restricted() {
        r.scope = crate::domain::report::SCOPE_SENIOR.into();
    }
    if let Some(u) = suppress {
        r = r.suppress(u);
    }
    audit_export(&mut st, &me, "report", &format!("{from} to {to}"))?;
    let org = store::settings::get(&st, store::settings::ORG_NAME)?.unwrap_or_default();
    let p = r.publish();
    match format {
        Format::Md | Format::Text => print!("{}", p.markdown(&org)),
        Format::Csv => print!("{}", p.csv()),
        Format::Html => print!("{}", crate::domain::report_html::page(&p, &org)),
        Format::Json => super::json::print("report", now, &p)?,
    }
    if r.total == 0 {
        eprintln!("note: no escalations were raised in {from} to {to}");
    }
    Ok(())
}

/// One escalation's record for an agency or a subject access request.
pub fn export(path: &Path, reference: &str, json: bool, redact: bool) -> Outcome {
    let now = clock()?.now();
    let mut st = store::open(path, Create::No)?;
    let me = whoami(&st)?;
    // The record is read and its export audited in one transaction: a
    // refused export (hidden or missing reference, anything else) writes no
    // audit row, and one that happened always has its row.
    let mut d = st
        .write(&me.username, now, |w| {
            let viewer = store::access::writer(w)?;
            let id = store::access::resolve(w.tx(), viewer, reference)?;
            let d = store::escalations::detail_in(w.tx(), viewer, id)?.ok_or_else(|| {
                store::StoreError::NotVisible(store::access::normalise_reference(reference))
            })?;
            w.audit(
                "export",
                "escalation",
                Some(&d.summary.reference),
                Some(if redact { "redacted" } else { "full" }),
            )?;
            Ok(d)
        })
        .map_err(super::Failure::from)?;
    if redact {
        // Third parties: the people who raised or recorded things, and names of staff.
        d.raised_by = "[redacted]".into();
        d.summary.assignee = d.summary.assignee.map(|_| "[redacted]".into());
        for c in &mut d.chronology {
            c.author = "[redacted]".into();
        }
        d.viewed_by.clear();
    }
    if json {
        super::json::print("export", crate::cli::clock()?.now(), &d)?;
        return Ok(());
    }
    let s = &d.summary;
    let stamp = |t| crate::domain::calendar::format_stamp(t);
    println!("# {} ({})\n", s.reference, s.subject_kind.label());
    println!(
        "- Subject: {}{}",
        d.subject_name,
        d.subject_dob
            .as_deref()
            .map(|b| format!(", born {b}"))
            .unwrap_or_default()
    );
    println!("- Area: {} · location: {}", d.area, d.location_type.label());
    println!("- Raised: {} by {}", stamp(s.raised_at), d.raised_by);
    println!("- Risk: {} · status: {}", s.risk.label(), s.status.label());
    println!("- Categories: {}", s.categories.join(", "));
    println!(
        "- Consent: {}{}",
        d.consent.label(),
        d.consent_reason
            .as_deref()
            .map(|r| format!(" ({r})"))
            .unwrap_or_default()
    );
    println!(
        "\n## Exact words\n\n> {}\n",
        d.exact_words.replace('\n', "\n> ")
    );
    println!("## Chronology\n");
    for c in &d.chronology {
        println!(
            "- {} · {} · {}: {}",
            stamp(c.at),
            c.author,
            c.kind,
            c.body.replace('\n', " ")
        );
    }
    println!(
        "\nExported {} by {} (local time {}).",
        s.reference,
        me.display_name,
        local(now).format("%d %b %Y %H:%M")
    );
    Ok(())
}
