//! `dutydesk report` and `dutydesk export REF`.

use super::{Outcome, audit_export, bad_input, clock, whoami};
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
        .map_err(|_| bad_input(format!("--{what} {s:?} is not a date (YYYY-MM-DD)")))
}

/// `dutydesk report`: the period against the previous calendar period of the
/// same kind, published with small counts hidden alike in every format
/// (`--suppress-under N`), saying that restricted cases the reader may not
/// see are left out.
pub fn report(path: &Path, from: &str, to: &str, format: Format, suppress: Option<u32>) -> Outcome {
    let (from, to) = (date(from, "from")?, date(to, "to")?);
    if to < from {
        return Err(bad_input(format!(
            "the period ends ({to}) before it starts ({from})"
        )));
    }
    if suppress == Some(0) || suppress == Some(1) {
        return Err(bad_input(
            "--suppress-under N hides counts from 1 to N-1: give 2 or more (5 is usual)",
        ));
    }
    let now = clock()?.now();
    let mut st = store::open(path, Create::No)?;
    let me = whoami(&st)?;
    let (before_from, _, _) = crate::domain::report::previous(from, to);
    let start = at_local(before_from, NaiveTime::MIN);
    let end = at_local(to + Duration::days(1), NaiveTime::MIN);
    // Counted as read (issue 21): a year's cases are never held at once.
    let mut t = crate::domain::report::Tally::new(from, to).map_err(bad_input)?;
    store::reports::rows_each(&st, Viewer::from(&me), start, end, now, |row| t.add(&row))?;
    let mut r = t.finish();
    if me.role.sees_restricted() {
        r.scope = crate::domain::report::SCOPE_SENIOR.into();
    }
    if let Some(u) = suppress {
        r = r.suppress(u);
    }
    audit_export(&mut st, &me, "report", &format!("{from} to {to}"))?;
    let org = store::settings::org_name(&st)?;
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

/// One escalation's record for an agency or a subject access request:
/// Markdown, HTML or JSON (`domain::export`, the same as the screen's
/// export), to standard output or to a new file, with its attachments into
/// a new directory if asked. Read and audited in one write; a refused export
/// (hidden or missing reference, a viewer, a file that exists) writes no
/// audit row.
pub fn export(
    path: &Path,
    reference: &str,
    format: crate::domain::export::Format,
    redact: bool,
    out: Option<&Path>,
    attachments: Option<&Path>,
) -> Outcome {
    let now = clock()?.now();
    let mut st = store::open(path, Create::No)?;
    let me = whoami(&st)?;
    let written = st
        .write(&me.username, now, |w| {
            let viewer = store::access::writer(w)?;
            let id = store::access::resolve(w.tx(), viewer, reference)?;
            let (d, text) = store::exports::export(w, id, format, redact)?;
            let mut said = Vec::new();
            match out {
                Some(p) => {
                    let p = store::exports::write_new(p, text.as_bytes())
                        .map_err(store::StoreError::Refused)?;
                    said.push(format!("wrote {} to {}", d.summary.reference, p.display()));
                }
                None => print!("{text}"),
            }
            if let Some(dir) = attachments {
                if d.casework.attachments.is_empty() {
                    said.push("no attachments to write".into());
                } else {
                    super::workbench_dir(dir).map_err(store::StoreError::Refused)?;
                    for a in d.casework.attachments.clone() {
                        let (a, bytes) = store::attachments::fetch(
                            w,
                            a.id,
                            store::attachments::Purpose::Export,
                        )?;
                        let name = format!("{}-{}-{}", d.summary.reference, a.id, a.name);
                        let p = store::exports::write_new(&dir.join(name), &bytes)
                            .map_err(store::StoreError::Refused)?;
                        said.push(format!("wrote attachment {} to {}", a.id, p.display()));
                    }
                }
            }
            Ok(said)
        })
        .map_err(super::Failure::from)?;
    for line in written {
        eprintln!("{line}");
    }
    let _ = local(now);
    Ok(())
}
