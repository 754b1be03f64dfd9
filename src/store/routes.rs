//! What a referral of one escalation could look like: the routes that fit
//! (with their reasons and warnings) and, for each, the contacts to ring now.
//! The refer form, `l` on a record and `dutydesk routes REF` all read this
//! one answer, so the screen and the command line never disagree.

use super::access::Viewer;
use super::{Result, StoreError, escalations};
use crate::domain::contact::Answer;
use crate::domain::routing::{self, Case, Suggestion};
use chrono::{DateTime, Utc};
use rusqlite::Connection;
use serde::Serialize;

/// The routes for one escalation and the contacts for those that fit.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Options {
    pub id: i64,
    pub reference: String,
    /// Where the person lives (children's and adults' routes look here).
    pub area: String,
    /// For staff: where they work (the LADO and PiPoT look here).
    pub work_area: Option<String>,
    /// Every route, fitting first, each with its reason.
    pub suggestions: Vec<Suggestion>,
    /// (route code, contact) for each fitting route, the number to ring now
    /// first; 999 and 101 always at the end.
    pub contacts: Vec<(String, Answer)>,
    /// Things to check before ringing, e.g. where a member of staff works is
    /// not recorded.
    pub notes: Vec<String>,
    /// Whether "the adult has now given informed consent" may be confirmed at
    /// an NRM referral (`routing::may_confirm_consent`: not for an adult
    /// recorded as lacking capacity).
    pub may_confirm_consent: bool,
}

/// The routing facts of an escalation the viewer may see (the record is
/// read through need-to-know: a hidden one is refused as a missing one).
pub fn case_of(
    conn: &Connection,
    viewer: Viewer,
    id: i64,
) -> Result<(crate::domain::escalation::EscalationDetail, Vec<String>)> {
    let Some(d) = escalations::detail_in(conn, viewer, id)? else {
        return Err(StoreError::NotVisible(super::access::BY_NUMBER.into()));
    };
    let facts = super::deadlines::facts(conn, id)?;
    Ok((d, facts.categories))
}

/// The routing case for a detail and its category codes.
pub fn case<'a>(
    d: &crate::domain::escalation::EscalationDetail,
    categories: &'a [String],
) -> Case<'a> {
    Case {
        subject: Some(d.summary.subject_kind),
        categories,
        risk: Some(d.summary.risk),
        immediate_risk: d.summary.immediate_risk,
        critical_incident: d.critical_incident,
        age_band: Some(d.age_band),
        consent: Some(d.consent),
        low_level: d.low_level,
        works_with: d.works_with,
        linked_12m: d.summary.linked_12m,
    }
}

/// The routes and contacts for escalation `id` at `now`.
pub fn options(conn: &Connection, viewer: Viewer, id: i64, now: DateTime<Utc>) -> Result<Options> {
    let (d, categories) = case_of(conn, viewer, id)?;
    let suggestions = routing::suggest(&case(&d, &categories));
    let may_confirm_consent = routing::may_confirm_consent(&case(&d, &categories));
    let mut notes = Vec::new();
    if d.summary.subject_kind == crate::domain::escalation::SubjectKind::Staff
        && d.work_area.is_none()
    {
        notes.push(format!(
            "where the person works is not recorded: the LADO (or PiPoT lead) is the one where they work; the contacts below are for {}, where they live",
            d.area
        ));
    }
    let mut contacts: Vec<(String, Answer)> = Vec::new();
    for s in suggestions.iter().filter(|s| s.fits) {
        let area = if s.route.where_they_work() {
            d.work_area.as_deref().unwrap_or(&d.area)
        } else {
            &d.area
        };
        for c in super::contacts::lookup(conn, "", Some(s.route.code()), Some(area), now)? {
            if c.contact.route == s.route.code() {
                contacts.push((s.route.code().to_string(), c));
            }
        }
    }
    let all = super::contacts::all(conn)?;
    let hol = super::contacts::holidays(conn)?;
    for a in crate::domain::contact::always(&all, now, &|x| hol.contains(&x)) {
        if !contacts
            .iter()
            .any(|(_, c)| c.contact.id == a.contact.id && c.ring == a.ring)
        {
            contacts.push((a.contact.route.clone(), a));
        }
    }
    Ok(Options {
        id,
        reference: d.summary.reference.clone(),
        area: d.area.clone(),
        work_area: d.work_area.clone(),
        suggestions,
        contacts,
        notes,
        may_confirm_consent,
    })
}
