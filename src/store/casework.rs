//! Correcting the record and who is involved (issue 18): corrections with a
//! required reason (old and new values in the chronology; a fact that changes
//! the rules sets its deadlines from when it was recognised), the person who
//! raised it, the alleged perpetrator and others involved, and everything
//! beyond the record's columns that the record and the export show
//! ([`load`]).
//!
//! Every change is one write with its chronology line and an audit row that
//! names the fields changed, never their values. People involved are personal
//! details: viewers never get them, and need-to-know applies as for the case.

use super::access::Viewer;
use super::workflow::{Done, actor, check_version, current, done, text, touch};
use super::{Result, StoreError, Write, instant};
use crate::domain::casework::{
    Casework, Changed, Involved, MAX_REASON, PersonRole, Raiser, describe, describe_marked, fields,
    kind_fits_age, or_none, yes_no,
};
use crate::domain::deadline::TriggerEvent;
use crate::domain::escalation::{AgeBand, Fgm, Risk, Status, SubjectKind, years_old};
use crate::domain::text::{Marked, clean_block, clean_line, validate_line};
use chrono::{DateTime, Utc};
use rusqlite::{Connection, OptionalExtension, params};

/// What a correction asks to change: `None` leaves a field as it is. For
/// text that may be cleared (a role, a contact, a date of birth), `Some("")`
/// clears it.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Correction {
    pub risk: Option<Risk>,
    /// Category codes, the whole new list.
    pub categories: Option<Vec<String>>,
    pub subject_kind: Option<SubjectKind>,
    pub subject_name: Option<String>,
    /// A date of birth as typed in the UK.
    pub dob: Option<String>,
    pub area: Option<String>,
    pub critical_incident: Option<bool>,
    pub immediate_risk: Option<bool>,
    pub raised_by: Option<String>,
    pub raised_by_role: Option<String>,
    pub raised_by_contact: Option<String>,
    /// Known FGM or at risk (issue 15): required when the corrected
    /// categories include FGM and the case has neither yet.
    pub fgm: Option<Fgm>,
    /// Why (required): kept in the chronology with the old and new values.
    pub reason: String,
    /// When the corrected fact was recognised (UTC); `None` is now. Rules
    /// the correction newly fires count from here.
    pub recognised_at: Option<DateTime<Utc>>,
}

impl Correction {
    /// True when it asks for nothing.
    pub fn is_empty(&self) -> bool {
        self.risk.is_none()
            && self.categories.is_none()
            && self.fgm.is_none()
            && self.subject_kind.is_none()
            && self.subject_name.is_none()
            && self.dob.is_none()
            && self.area.is_none()
            && self.critical_incident.is_none()
            && self.immediate_risk.is_none()
            && self.raised_by.is_none()
            && self.raised_by_role.is_none()
            && self.raised_by_contact.is_none()
    }
}

/// The record's correctable fields as stored.
struct Stored {
    risk: Risk,
    kind: SubjectKind,
    name: String,
    dob: Option<String>,
    band: AgeBand,
    area: String,
    critical: bool,
    immediate: bool,
    raised_by: String,
    role: Option<String>,
    contact: Option<String>,
    raised_at: i64,
    status: Status,
    categories: Vec<String>,
    fgm: Option<Fgm>,
}

fn stored(conn: &Connection, id: i64) -> Result<Stored> {
    let mut s = conn.query_row(
        "SELECT risk, subject_kind, subject_name, subject_dob, age_band, area, critical_incident,
            immediate_risk, raised_by, raised_by_role, raised_by_contact, raised_at, status, fgm
         FROM escalations WHERE id = ?1",
        [id],
        |r| {
            Ok(Stored {
                risk: Risk::from_code(&r.get::<_, String>(0)?).unwrap_or(Risk::High),
                kind: SubjectKind::from_code(&r.get::<_, String>(1)?).unwrap_or(SubjectKind::Child),
                name: r.get(2)?,
                dob: r.get(3)?,
                band: AgeBand::from_code(&r.get::<_, String>(4)?).unwrap_or(AgeBand::Unknown),
                area: r.get(5)?,
                critical: r.get(6)?,
                immediate: r.get(7)?,
                raised_by: r.get(8)?,
                role: r.get(9)?,
                contact: r.get(10)?,
                raised_at: r.get(11)?,
                status: Status::from_code(&r.get::<_, String>(12)?).unwrap_or(Status::New),
                categories: Vec::new(),
                fgm: r
                    .get::<_, Option<String>>(13)?
                    .as_deref()
                    .and_then(Fgm::from_code),
            })
        },
    )?;
    let mut stmt = conn.prepare_cached(
        "SELECT category FROM escalation_categories WHERE escalation_id = ?1 ORDER BY category",
    )?;
    s.categories = stmt
        .query_map([id], |r| r.get::<_, String>(0))?
        .collect::<rusqlite::Result<_>>()?;
    Ok(s)
}

fn labels(codes: &[String], known: &[(String, String)]) -> String {
    if codes.is_empty() {
        return "(none)".into();
    }
    codes
        .iter()
        .map(|c| {
            known
                .iter()
                .find(|(k, _)| k == c)
                .map(|(_, l)| l.clone())
                .unwrap_or_else(|| c.clone())
        })
        .collect::<Vec<_>>()
        .join(", ")
}

/// An optional one-line field as typed: trimmed, `Some("")` meaning clear.
fn optional_line(field: &'static str, v: &str, max: usize) -> Result<Option<String>> {
    let t = v.trim();
    if t.is_empty() {
        return Ok(None);
    }
    validate_line(field, t, max)
        .map(Some)
        .map_err(|e| StoreError::Invalid(e.to_string()))
}

/// Corrects the record (issue 18): risk, categories, the subject's details,
/// who raised it, the critical-incident and immediate-risk flags. The reason
/// is required (refused with nothing written without one); each change goes
/// in one chronology line with its old and new value, and the audit row
/// names the fields only. A fact that brings rules with it (a critical
/// incident recognised on day 3, FGM disclosed at a second meeting) fires
/// the rules it newly matches ([`super::deadlines::fire_changed`]) counted
/// from `recognised_at`: the deadlines run from when it was recognised, not
/// from when the case was opened. Deadlines a fact no longer supports stay
/// open for a DSL to waive with a reason (the message says so). A closed
/// case can be corrected; no deadline is set on it.
pub fn correct(w: &mut Write<'_>, id: i64, c: &Correction, expected: Option<i64>) -> Result<Done> {
    let me = actor(w)?;
    let cur = current(w, &me, id)?;
    check_version(&cur, expected)?;
    let reason = text("reason", &c.reason, MAX_REASON).map_err(|_| {
        StoreError::Invalid(
            "a correction needs a reason (--reason \"...\"): why the record was wrong, kept in the chronology".into(),
        )
    })?;
    if c.is_empty() {
        return Err(StoreError::Invalid(
            "nothing to correct: give --risk, --categories, --fgm, --name, --dob, --area, --subject, --critical, --immediate-risk or --raised-by..."
                .into(),
        ));
    }
    let now = w.now();
    let old = stored(w.tx(), id)?;
    let recognised =
        crate::domain::casework::recognised_at(c.recognised_at, instant(old.raised_at), now)
            .map_err(StoreError::Invalid)?;
    let old_facts = super::deadlines::facts(w.tx(), id)?;
    let known = super::escalations::categories(w.tx())?;
    let mut changes: Vec<Changed> = Vec::new();
    let mut sets: Vec<(&'static str, rusqlite::types::Value)> = Vec::new();
    use rusqlite::types::Value as V;
    let text_value = |s: &Option<String>| match s {
        Some(x) => V::Text(x.clone()),
        None => V::Null,
    };
    if let Some(r) = c.risk
        && r != old.risk
    {
        changes.push(Changed {
            field: "risk",
            old: old.risk.label().into(),
            new: r.label().into(),
            party: false,
        });
        sets.push(("risk", V::Text(r.code().into())));
    }
    let mut kind = old.kind;
    if let Some(k) = c.subject_kind
        && k != old.kind
    {
        changes.push(Changed {
            field: "subject",
            old: old.kind.label().into(),
            new: k.label().into(),
            party: false,
        });
        sets.push(("subject_kind", V::Text(k.code().into())));
        kind = k;
    }
    if let Some(n) = &c.subject_name {
        let n = validate_line("name", n, 100).map_err(|e| StoreError::Invalid(e.to_string()))?;
        if n != old.name {
            changes.push(Changed {
                field: "name",
                old: clean_line(&old.name),
                new: n.clone(),
                party: false,
            });
            sets.push(("subject_key", V::Text(crate::domain::search::name_key(&n))));
            sets.push(("subject_name", V::Text(n)));
        }
    }
    let today = crate::domain::calendar::local(now).date_naive();
    let mut band = old.band;
    if let Some(d) = &c.dob {
        let new_dob = if d.trim().is_empty() {
            None
        } else {
            let date = crate::domain::intake::parse_uk_date(d).map_err(StoreError::Invalid)?;
            let years = years_old(date, today).ok_or_else(|| {
                StoreError::Invalid(
                    "a date of birth cannot be in the future (an unborn child's expected date is recorded at intake)".into(),
                )
            })?;
            band = AgeBand::from_years(years);
            Some(date.to_string())
        };
        if new_dob != old.dob {
            changes.push(Changed {
                field: "date of birth",
                old: or_none(old.dob.as_deref()),
                new: or_none(new_dob.as_deref()),
                party: false,
            });
            sets.push(("subject_dob", text_value(&new_dob)));
            if new_dob.is_none() {
                band = AgeBand::Unknown;
            }
            sets.push(("age_band", V::Text(band.code().into())));
        }
    }
    // The subject and the age must agree after the correction.
    let years = c
        .dob
        .as_deref()
        .filter(|d| !d.trim().is_empty())
        .or(old.dob.as_deref())
        .and_then(|d| crate::domain::intake::parse_uk_date(d).ok())
        .and_then(|d| years_old(d, today));
    kind_fits_age(kind, years, band == AgeBand::Unborn).map_err(StoreError::Invalid)?;
    if let Some(a) = &c.area {
        let a = super::areas::resolve(w.tx(), a, "area where they live").map_err(|e| match e {
            StoreError::Refused(m) => StoreError::Invalid(m),
            e => e,
        })?;
        if !a.eq_ignore_ascii_case(&old.area) {
            changes.push(Changed {
                field: "area",
                old: clean_line(&old.area),
                new: a.clone(),
                party: false,
            });
            sets.push(("area", V::Text(a)));
        }
    }
    let mut new_categories: Option<Vec<String>> = None;
    if let Some(list) = &c.categories {
        let mut codes: Vec<String> = list
            .iter()
            .map(|x| x.trim().to_string())
            .filter(|x| !x.is_empty())
            .collect();
        codes.sort();
        codes.dedup();
        if codes.is_empty() {
            return Err(StoreError::Invalid(
                "a case keeps at least one category: give the right ones (`dutydesk categories list`)".into(),
            ));
        }
        for code in &codes {
            // A retired code already on the case may stay; a new one must be active.
            if !known.iter().any(|(k, _)| k == code) && !old.categories.contains(code) {
                return Err(StoreError::Invalid(super::escalations::unknown_category(
                    code, &known,
                )));
            }
        }
        if codes != old.categories {
            let all = super::categories::list(w.tx())?
                .into_iter()
                .map(|x| (x.code, x.label))
                .collect::<Vec<_>>();
            changes.push(Changed {
                field: "categories",
                old: labels(&old.categories, &all),
                new: labels(&codes, &all),
                party: false,
            });
            new_categories = Some(codes);
        }
    }
    // FGM known or at risk follows the categories, as at intake
    // (`check_fgm`): required with the FGM category, cleared without it.
    {
        let cats = new_categories.as_ref().unwrap_or(&old.categories);
        let has = cats.iter().any(|c| c == "fgm");
        let fgm = if has { c.fgm.or(old.fgm) } else { c.fgm };
        crate::domain::escalation::check_fgm(cats, kind, fgm).map_err(StoreError::Invalid)?;
        let fgm = if has { fgm } else { None };
        if fgm != old.fgm {
            let said = |f: Option<Fgm>| f.map_or("(none)".to_string(), |f| f.label().to_string());
            changes.push(Changed {
                field: "FGM",
                old: said(old.fgm),
                new: said(fgm),
                party: false,
            });
            sets.push(("fgm", fgm.map_or(V::Null, |f| V::Text(f.code().into()))));
        }
    }
    for (field, col, want, was) in [
        (
            "critical incident",
            "critical_incident",
            c.critical_incident,
            old.critical,
        ),
        (
            "immediate risk",
            "immediate_risk",
            c.immediate_risk,
            old.immediate,
        ),
    ] {
        if let Some(v) = want
            && v != was
        {
            changes.push(Changed {
                field,
                old: yes_no(was),
                new: yes_no(v),
                party: false,
            });
            sets.push((col, V::Integer(v.into())));
        }
    }
    if let Some(n) = &c.raised_by {
        let n = validate_line("who raised it", n, 100)
            .map_err(|e| StoreError::Invalid(e.to_string()))?;
        if n != old.raised_by {
            changes.push(Changed {
                field: "raised by",
                old: clean_line(&old.raised_by),
                new: n.clone(),
                party: true,
            });
            sets.push(("raised_by", V::Text(n)));
        }
    }
    for (field, col, want, was, max) in [
        (
            "raiser's role",
            "raised_by_role",
            &c.raised_by_role,
            &old.role,
            100,
        ),
        (
            "raiser's contact",
            "raised_by_contact",
            &c.raised_by_contact,
            &old.contact,
            200,
        ),
    ] {
        if let Some(v) = want {
            let v = optional_line(field, v, max)?;
            if v != *was {
                changes.push(Changed {
                    field,
                    old: or_none(was.as_deref()),
                    new: or_none(v.as_deref()),
                    party: true,
                });
                sets.push((col, text_value(&v)));
            }
        }
    }
    if changes.is_empty() {
        return Err(StoreError::Refused(format!(
            "{} already says that: nothing was changed",
            cur.reference
        )));
    }
    touch(w, &cur, &me)?;
    for (col, v) in &sets {
        w.tx().execute(
            &format!("UPDATE escalations SET {col} = ?2 WHERE id = ?1"),
            params![id, v],
        )?;
    }
    if let Some(codes) = &new_categories {
        w.tx().execute(
            "DELETE FROM escalation_categories WHERE escalation_id = ?1",
            [id],
        )?;
        let mut stmt = w.tx().prepare_cached(
            "INSERT INTO escalation_categories (escalation_id, category) VALUES (?1, ?2)",
        )?;
        for code in codes {
            stmt.execute(params![id, code])?;
        }
    }
    // Rules the corrected facts newly match, counted from when it was
    // recognised (an open case only).
    let mut set: Vec<String> = Vec::new();
    if old.status != Status::Closed {
        let new_facts = super::deadlines::facts(w.tx(), id)?;
        set = super::deadlines::fire_changed(
            w,
            id,
            TriggerEvent::EscalationOpened,
            &old_facts,
            &new_facts,
            recognised,
        )?;
    }
    let mut body = Marked::new();
    body.push("Record corrected by ")
        .party(&me.display_name)
        .push(": ")
        .append(&describe_marked(&changes))
        .push(&format!(". Reason: {reason}"));
    if recognised != now {
        body.push(&format!(
            " Recognised {}.",
            crate::domain::calendar::format_stamp(recognised)
        ));
    }
    if !set.is_empty() {
        body.push(&format!(" Deadlines set: {}.", set.join(", ")));
    }
    let line = super::escalations::add_marked(w, id, me.id, now, "edited", &body)?;
    w.audit(
        "correct",
        "escalation",
        Some(&cur.reference),
        Some(&format!("fields={}; chronology {line}", fields(&changes))),
    )?;
    let mut message = format!("{} corrected: {}", cur.reference, describe(&changes));
    if !set.is_empty() {
        message.push_str(&format!(
            "; deadline(s) set from {}: {}",
            crate::domain::calendar::format_stamp(recognised),
            set.join(", ")
        ));
    }
    if c.immediate_risk == Some(true) && !old.immediate {
        message.push_str("; LIFE AT RISK: call 999 now if nobody has");
    }
    let dropped = old_facts.critical_incident && c.critical_incident == Some(false)
        || c.categories.is_some() && changes.iter().any(|x| x.field == "categories");
    if dropped && old.status != Status::Closed {
        message.push_str(
            "; deadlines already set stay open: waive any that no longer apply, with a reason",
        );
    }
    Ok(done(&cur, message))
}

/// Adds someone involved (the alleged perpetrator, a sibling, another
/// child): name required, relationship and details optional. One write with
/// its chronology line and audit row (`person_added`, the role only).
pub fn add_person(
    w: &mut Write<'_>,
    id: i64,
    role: PersonRole,
    name: &str,
    relationship: &str,
    details: &str,
) -> Result<Done> {
    let me = actor(w)?;
    let cur = current(w, &me, id)?;
    let name = validate_line("name", name, 100).map_err(|e| {
        StoreError::Invalid(format!("{e}: give the person's name (or a pseudonym)"))
    })?;
    let relationship = optional_line("relationship", relationship, 200)?;
    let details = if details.trim().is_empty() {
        None
    } else {
        Some(text("details", details, 4000)?)
    };
    let now = w.now();
    w.tx().execute(
        "INSERT INTO escalation_people (escalation_id, role, name, relationship, details, added_by, added_at)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
        params![id, role.code(), name, relationship, details, me.id, now.timestamp()],
    )?;
    let pid = w.tx().last_insert_rowid();
    let mut body = Marked::new();
    body.push(&capital(role.label()))
        .push(" added (")
        .party(&me.display_name)
        .push("): ")
        .party(&name);
    if let Some(r) = &relationship {
        body.push(", ").party(r);
    }
    let line = super::escalations::add_marked(w, id, me.id, now, "edited", &body)?;
    w.audit(
        "person_added",
        "escalation",
        Some(&cur.reference),
        Some(&format!("{} {pid}; chronology {line}", role.code())),
    )?;
    Ok(done(
        &cur,
        format!("{} added to {} (number {pid})", role.label(), cur.reference),
    ))
}

fn capital(s: &str) -> String {
    let mut c = s.chars();
    match c.next() {
        Some(f) => f.to_uppercase().chain(c).collect(),
        None => String::new(),
    }
}

/// Removes someone added in error, with a reason (required): the row stays,
/// marked removed with who, when and why; the chronology says so.
pub fn remove_person(w: &mut Write<'_>, id: i64, person: i64, reason: &str) -> Result<Done> {
    let me = actor(w)?;
    let cur = current(w, &me, id)?;
    let reason = text("reason", reason, MAX_REASON).map_err(|_| {
        StoreError::Invalid("removing someone needs a reason (--reason \"...\")".into())
    })?;
    let row: Option<(String, String)> = w
        .tx()
        .query_row(
            "SELECT role, name FROM escalation_people
             WHERE id = ?1 AND escalation_id = ?2 AND removed_at IS NULL",
            params![person, id],
            |r| Ok((r.get(0)?, r.get(1)?)),
        )
        .optional()?;
    let Some((role, name)) = row else {
        return Err(StoreError::Invalid(format!(
            "no person {person} on {}: `dutydesk show {}` lists them with their numbers",
            cur.reference, cur.reference
        )));
    };
    let now = w.now();
    w.tx().execute(
        "UPDATE escalation_people SET removed_by = ?2, removed_at = ?3, removed_reason = ?4 WHERE id = ?1",
        params![person, me.id, now.timestamp(), reason],
    )?;
    let label = PersonRole::from_code(&role).map_or("person", |r| r.label());
    let mut body = Marked::new();
    body.push("Removed (")
        .party(&me.display_name)
        .push(&format!("): {label} "))
        .party(&clean_line(&name))
        .push(&format!(". Reason: {reason}"));
    let line = super::escalations::add_marked(w, id, me.id, now, "edited", &body)?;
    w.audit(
        "person_removed",
        "escalation",
        Some(&cur.reference),
        Some(&format!("{role} {person}; chronology {line}")),
    )?;
    Ok(done(
        &cur,
        format!("{label} removed from {}", cur.reference),
    ))
}

/// Who raised it, who else is involved, tasks, attachments and the visible
/// links of escalation `id`, for the record and the export. The caller has
/// already checked that `viewer` may see the case. A viewer's copy has no
/// people, and attachments by type and size only.
pub fn load(conn: &Connection, viewer: Viewer, id: i64) -> Result<Casework> {
    let (name, role, contact): (String, Option<String>, Option<String>) = conn.query_row(
        "SELECT raised_by, raised_by_role, raised_by_contact FROM escalations WHERE id = ?1",
        [id],
        |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)),
    )?;
    let mut cw = Casework {
        raiser: Raiser {
            name: clean_line(&name),
            role: role.map(|x| clean_line(&x)),
            contact: contact.map(|x| clean_line(&x)),
        },
        redacted: viewer.redacted,
        ..Casework::default()
    };
    if !viewer.redacted {
        let mut stmt = conn.prepare_cached(
            "SELECT p.id, p.role, p.name, p.relationship, p.details, s.display_name, p.added_at
             FROM escalation_people p JOIN staff s ON s.id = p.added_by
             WHERE p.escalation_id = ?1 AND p.removed_at IS NULL ORDER BY p.id",
        )?;
        cw.people = stmt
            .query_map([id], |r| {
                Ok(Involved {
                    id: r.get(0)?,
                    role: PersonRole::from_code(&r.get::<_, String>(1)?)
                        .unwrap_or(PersonRole::Involved),
                    name: clean_line(&r.get::<_, String>(2)?),
                    relationship: r.get::<_, Option<String>>(3)?.map(|x| clean_line(&x)),
                    details: r.get::<_, Option<String>>(4)?.map(|x| clean_block(&x)),
                    added_by: clean_line(&r.get::<_, String>(5)?),
                    added_at: instant(r.get(6)?),
                })
            })?
            .collect::<rusqlite::Result<_>>()?;
    } else {
        cw.raiser = Raiser {
            name: "(hidden)".into(),
            role: None,
            contact: None,
        };
    }
    cw.tasks = super::tasks::of_escalation(conn, id)?;
    if viewer.redacted {
        for t in &mut cw.tasks {
            t.text = "(hidden)".into();
        }
    }
    cw.attachments = super::attachments::list(conn, id)?;
    if viewer.redacted {
        for a in &mut cw.attachments {
            a.name = "(hidden)".into();
        }
    }
    cw.links = super::person::links(conn, viewer, id)?;
    Ok(cw)
}
