//! The desk's verbs: acknowledge, assign, note, refer, close, sign off, re-open,
//! link. The dashboard and the `dutydesk` commands call these same functions.
//!
//! Each runs inside one IMMEDIATE write with its chronology line and audit row.
//! Changes of state carry the version the user saw: if someone else changed
//! the escalation since, the change is refused with who and when, and nothing
//! is written. Notes and links are appends and need no version.

use super::deadlines;
use super::escalations::{self, Viewer};
use super::staff::find_in;
use super::{Result, StoreError, Write};
use crate::domain::calendar::local;
use crate::domain::deadline::{Facts, TriggerEvent};
use crate::domain::escalation::{Risk, Status};
use crate::domain::route::Route;
use crate::domain::staff::{Role, StaffMember};
use crate::domain::text::{clean_line, validate_line};
use rusqlite::{OptionalExtension, named_params, params};

/// Longest note, rationale or shared-information text.
pub const MAX_TEXT: usize = 20_000;

/// The closing outcomes every organisation starts with (setting `closure_outcomes`
/// adds to or replaces them).
pub const DEFAULT_OUTCOMES: &[&str] = &[
    "no-further-action",
    "advice-given",
    "signposted",
    "referred",
    "early-help",
    "lado-concluded",
];

/// What a verb did, for the result line ("SG-2026-0042 assigned to Jo Brennan").
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Done {
    pub id: i64,
    pub reference: String,
    pub message: String,
    /// What was acted on, in full, for the command line to print (a
    /// sign-off prints the outcome and rationale it approved).
    pub detail: Option<String>,
}

/// The escalation as a verb needs it.
struct Current {
    id: i64,
    reference: String,
    version: i64,
    assignee_id: Option<i64>,
    risk: Risk,
    restricted: bool,
    acknowledged: bool,
    /// Who acknowledged it, and when (UTC seconds).
    acknowledged_by: Option<String>,
    acknowledged_at: Option<i64>,
    /// The holder's display name.
    assignee: Option<String>,
    closing_by: Option<i64>,
    closed: bool,
    updated_by: String,
    updated_at: i64,
}

/// The acting user: active, and not a viewer.
fn actor(w: &Write<'_>) -> Result<StaffMember> {
    let me = find_in(w.tx(), w.actor())?
        .filter(|s| s.active)
        .ok_or_else(|| StoreError::Refused(format!("{} is not active staff", w.actor())))?;
    if me.role == Role::Viewer {
        return Err(StoreError::Refused(
            "viewers can read but not change escalations; ask a DSL".into(),
        ));
    }
    Ok(me)
}

fn current(w: &Write<'_>, me: &StaffMember, id: i64) -> Result<Current> {
    let viewer = Viewer::from(me);
    w.tx()
        .query_row(
            &format!(
                "SELECT e.id, e.reference, e.status, e.version, e.assignee_id, e.risk,
                    e.restricted, e.acknowledged_at IS NOT NULL, e.closed_by, e.closed_at IS NOT NULL,
                    coalesce(u.display_name, '?'), e.updated_at,
                    k.display_name, e.acknowledged_at, h.display_name
                 FROM escalations e LEFT JOIN staff u ON u.id = e.updated_by
                    LEFT JOIN staff k ON k.id = e.acknowledged_by
                    LEFT JOIN staff h ON h.id = e.assignee_id
                 WHERE e.id = :id AND {}",
                escalations::VISIBLE
            ),
            named_params! {":id": id, ":senior": viewer.senior, ":me": viewer.staff_id},
            |r| {
                Ok(Current {
                    id: r.get(0)?,
                    reference: clean_line(&r.get::<_, String>(1)?),
                    version: r.get(3)?,
                    assignee_id: r.get(4)?,
                    risk: Risk::from_code(&r.get::<_, String>(5)?).unwrap_or(Risk::High),
                    restricted: r.get(6)?,
                    acknowledged: r.get(7)?,
                    closing_by: r.get(8)?,
                    closed: r.get(9)?,
                    updated_by: clean_line(&r.get::<_, String>(10)?),
                    updated_at: r.get(11)?,
                    acknowledged_by: r.get::<_, Option<String>>(12)?.map(|n| clean_line(&n)),
                    acknowledged_at: r.get(13)?,
                    assignee: r.get::<_, Option<String>>(14)?.map(|n| clean_line(&n)),
                })
            },
        )
        .optional()?
        // Hidden and missing alike: the same words, no reference, no number.
        .ok_or_else(|| StoreError::NotVisible(super::access::BY_NUMBER.into()))
}

/// Finds an escalation by reference for the user the write acts for (the
/// commands): hidden and missing references get the same refusal.
pub fn id_of(w: &Write<'_>, reference: &str) -> Result<i64> {
    super::access::resolve(w.tx(), super::access::writer(w)?, reference)
}

/// Refuses a change made against a version someone else has replaced.
fn check_version(c: &Current, expected: Option<i64>) -> Result<()> {
    match expected {
        Some(v) if v != c.version => Err(StoreError::Conflict(
            c.updated_by.clone(),
            local(super::instant(c.updated_at))
                .format("%H:%M")
                .to_string(),
        )),
        _ => Ok(()),
    }
}

fn open_only(c: &Current) -> Result<()> {
    if c.closed {
        return Err(StoreError::Refused(format!(
            "{} is closed: re-open it first",
            c.reference
        )));
    }
    Ok(())
}

/// Records who changed the escalation and moves its version on.
fn touch(w: &Write<'_>, c: &Current, me: &StaffMember) -> Result<()> {
    let n = w.tx().execute(
        "UPDATE escalations SET version = version + 1, updated_by = ?2, updated_at = ?3
         WHERE id = ?1 AND version = ?4",
        params![c.id, me.id, w.now().timestamp(), c.version],
    )?;
    if n != 1 {
        return Err(StoreError::Conflict(
            "another session".into(),
            "just now".into(),
        ));
    }
    Ok(())
}

/// Adds a chronology line and its audit row. The trail says what happened
/// (the kind) and where (the reference and the chronology line's id), never
/// the words: those stay in the chronology, shown only to those who may see
/// the record, and the line is covered by the write's digest.
fn log(w: &mut Write<'_>, c: &Current, me: &StaffMember, kind: &str, body: &str) -> Result<()> {
    let now = w.now();
    let line = escalations::add_chronology(w, c.id, me.id, now, kind, body)?;
    w.audit(
        kind,
        "escalation",
        Some(&c.reference),
        Some(&format!("chronology {line}")),
    )
}

fn text(field: &'static str, value: &str, max: usize) -> Result<String> {
    crate::domain::text::validate_block(field, value, max)
        .map_err(|e| StoreError::Refused(e.to_string()))
}

fn done(c: &Current, message: String) -> Done {
    Done {
        id: c.id,
        reference: c.reference.clone(),
        message,
        detail: None,
    }
}

/// Records a change of holder from `c`'s holder to `to`: the 'assigned'
/// chronology line (`body`), its audit row, and the `assignments` row (schema
/// v4) from which the previous holder is told their case was taken
/// (`store::notices`, alert `taken`).
fn hand_over(
    w: &mut Write<'_>,
    c: &Current,
    me: &StaffMember,
    to: &StaffMember,
    body: &str,
) -> Result<()> {
    let now = w.now();
    let chronology_id = escalations::add_chronology(w, c.id, me.id, now, "assigned", body)?;
    w.tx().execute(
        "INSERT INTO assignments (chronology_id, escalation_id, from_id, to_id, at)
         VALUES (?1, ?2, ?3, ?4, ?5)",
        params![chronology_id, c.id, c.assignee_id, to.id, now.timestamp()],
    )?;
    w.audit(
        "assigned",
        "escalation",
        Some(&c.reference),
        Some(&format!("chronology {chronology_id}")),
    )
}

/// "Held by X (acknowledged by Y at 09:04)": who has a case, for refusals.
fn held_by(c: &Current) -> String {
    let mut out = format!("held by {}", c.assignee.as_deref().unwrap_or("another DSL"));
    if let (Some(by), Some(at)) = (&c.acknowledged_by, c.acknowledged_at) {
        out.push_str(&format!(
            " (acknowledged by {by} at {})",
            crate::domain::calendar::format_stamp(super::instant(at))
        ));
    }
    out
}

/// "I have this": acknowledges the escalation and takes it.
///
/// A case someone else holds (or acknowledged) is taken from them only with
/// `take` (`dutydesk ack --take`, or the dashboard's confirmation); without
/// it the refusal says who holds it and since when, and nothing is written.
/// Acknowledging your own case again is refused as "already yours". Taking
/// writes an `assignments` row, so the previous holder is told.
pub fn acknowledge(w: &mut Write<'_>, id: i64, expected: Option<i64>, take: bool) -> Result<Done> {
    let me = actor(w)?;
    let c = current(w, &me, id)?;
    open_only(&c)?;
    check_version(&c, expected)?;
    let mine = c.assignee_id == Some(me.id);
    let someone_else = !mine && (c.assignee_id.is_some() || c.acknowledged);
    if (c.acknowledged && mine) || (someone_else && !take) {
        // Acknowledging stops the case's open alerts for everyone (issue
        // 19), even when the case itself stays where it is.
        let kinds = super::alerts::acknowledge_case(w, id, &c.reference)?;
        if !kinds.is_empty() {
            let what: Vec<&str> = kinds.iter().map(|k| k.label()).collect();
            let holder = if mine {
                "it is already yours".to_string()
            } else {
                format!("it stays {} (`--take` to take it)", held_by(&c))
            };
            return Ok(done(
                &c,
                format!(
                    "Alerts on {} acknowledged ({}): they stop for everyone; {holder}",
                    c.reference,
                    what.join(", ")
                ),
            ));
        }
    }
    if c.acknowledged && mine {
        return Err(StoreError::Refused(format!(
            "{} is already yours",
            c.reference
        )));
    }
    if someone_else && !take {
        return Err(StoreError::Refused(format!(
            "{} is {}: to take it from them, `dutydesk ack {} --take` (they will be told)",
            c.reference,
            held_by(&c),
            c.reference
        )));
    }
    touch(w, &c, &me)?;
    let now = w.now().timestamp();
    w.tx().execute(
        "UPDATE escalations SET acknowledged_at = coalesce(acknowledged_at, ?2),
            acknowledged_by = coalesce(acknowledged_by, ?3), assignee_id = ?3,
            status = CASE status WHEN 'new' THEN 'assigned' ELSE status END
         WHERE id = ?1",
        params![id, now, me.id],
    )?;
    if !c.acknowledged {
        log(
            w,
            &c,
            &me,
            "acknowledged",
            &format!("Acknowledged by {}.", me.display_name),
        )?;
    }
    super::alerts::acknowledge_case(w, id, &c.reference)?;
    if !mine {
        let body = match &c.assignee {
            Some(from) => format!("{} took the escalation from {from}.", me.display_name),
            None => format!("{} took the escalation.", me.display_name),
        };
        hand_over(w, &c, &me, &me, &body)?;
    }
    Ok(done(
        &c,
        match (&c.assignee, mine) {
            (Some(from), false) => format!(
                "{} is yours, {}; {from} is told it was taken",
                c.reference, me.display_name
            ),
            _ => format!("{} is yours, {}", c.reference, me.display_name),
        },
    ))
}

/// Active staff who may hold escalations, the DSL on duty first.
pub fn assignable(conn: &rusqlite::Connection, now: i64) -> Result<Vec<StaffMember>> {
    let mut stmt = conn.prepare_cached(
        "SELECT s.id, s.username, s.display_name, s.role, s.active FROM staff s
         WHERE s.active = 1 AND s.role <> 'viewer'
         ORDER BY EXISTS (SELECT 1 FROM rota r WHERE r.staff_id = s.id
                          AND r.starts_at <= ?1 AND r.ends_at > ?1) DESC, s.display_name",
    )?;
    let rows = stmt.query_map([now], |r| {
        Ok(StaffMember {
            id: r.get(0)?,
            username: r.get(1)?,
            display_name: clean_line(&r.get::<_, String>(2)?),
            role: Role::from_code(&r.get::<_, String>(3)?).unwrap_or(Role::Viewer),
            active: r.get(4)?,
        })
    })?;
    Ok(rows.collect::<rusqlite::Result<_>>()?)
}

/// Gives the escalation to another DSL; they are alerted.
///
/// A case held by someone other than the actor and the new holder is taken
/// from them only with `take` (`dutydesk assign --take`; the dashboard, whose
/// user saw the holder in the version they act on, passes it); without it
/// the refusal names the holder. The new holder must be able to see the case
/// (not excluded; named, when it is restricted). The previous holder is told
/// (an `assignments` row, alert `taken`), unless they did it themselves.
pub fn assign(
    w: &mut Write<'_>,
    id: i64,
    username: &str,
    expected: Option<i64>,
    take: bool,
) -> Result<Done> {
    let me = actor(w)?;
    let c = current(w, &me, id)?;
    open_only(&c)?;
    check_version(&c, expected)?;
    let to = find_in(w.tx(), username.trim())?
        .filter(|s| s.active)
        .ok_or_else(|| StoreError::Refused(format!("no active staff member {username:?}")))?;
    if to.role == Role::Viewer {
        return Err(StoreError::Refused(format!(
            "{} is a viewer and cannot hold escalations",
            to.display_name
        )));
    }
    if current(w, &to, id).is_err() {
        return Err(StoreError::Refused(format!(
            "{} may not see {}: a senior lead can name them on it (`dutydesk access {} --name {}`)",
            to.display_name, c.reference, c.reference, to.username
        )));
    }
    if c.assignee_id == Some(to.id) {
        return Err(StoreError::Refused(format!(
            "{} is already assigned to {}",
            c.reference, to.display_name
        )));
    }
    if c.assignee_id.is_some_and(|h| h != me.id) && !take {
        return Err(StoreError::Refused(format!(
            "{} is {}: to take it from them and give it to {}, `dutydesk assign {} {} --take` (they will be told)",
            c.reference,
            held_by(&c),
            to.username,
            c.reference,
            to.username
        )));
    }
    touch(w, &c, &me)?;
    w.tx().execute(
        "UPDATE escalations SET assignee_id = ?2,
            status = CASE status WHEN 'new' THEN 'assigned' ELSE status END
         WHERE id = ?1",
        params![id, to.id],
    )?;
    let body = match &c.assignee {
        Some(from) if c.assignee_id != Some(me.id) => format!(
            "Assigned to {} by {} (taken from {from}).",
            to.display_name, me.display_name
        ),
        _ => format!("Assigned to {} by {}.", to.display_name, me.display_name),
    };
    hand_over(w, &c, &me, &to, &body)?;
    Ok(done(
        &c,
        format!("{} assigned to {}", c.reference, to.display_name),
    ))
}

/// Appends a note. Notes are never edited or deleted, only followed by others.
pub fn note(w: &mut Write<'_>, id: i64, body: &str) -> Result<Done> {
    let me = actor(w)?;
    let c = current(w, &me, id)?;
    open_only(&c)?;
    let body = text("note", body, MAX_TEXT)?;
    log(w, &c, &me, "note", &body)?;
    Ok(done(&c, format!("Note added to {}", c.reference)))
}

/// Events the deadline rules wait for (e.g. "strategy_discussion"), from the
/// active rules fired by an event recorded.
pub fn events(conn: &rusqlite::Connection) -> Result<Vec<String>> {
    let mut out: Vec<String> = Vec::new();
    for r in deadlines::rules(conn)? {
        if r.active && r.event == TriggerEvent::EventRecorded {
            for c in crate::domain::deadline::parse_match(&r.matcher).unwrap_or_default() {
                if let crate::domain::deadline::Condition::Event(e) = c
                    && !out.contains(&e)
                {
                    out.push(e);
                }
            }
        }
    }
    Ok(out)
}

/// Records that an event happened, such as a strategy discussion held: it
/// goes in the chronology and sets the deadlines rules attach to it (the
/// initial child protection conference within 15 working days).
pub fn record_event(w: &mut Write<'_>, id: i64, event: &str, note: &str) -> Result<Done> {
    let me = actor(w)?;
    let c = current(w, &me, id)?;
    open_only(&c)?;
    let known = events(w.tx())?;
    let event = event.trim().replace(['-', ' '], "_");
    if !known.contains(&event) {
        return Err(StoreError::Refused(format!(
            "no deadline rule waits for the event {event:?}; events: {}",
            if known.is_empty() {
                "none (see `dutydesk rules list`)".to_string()
            } else {
                known.join(", ")
            }
        )));
    }
    let note = if note.trim().is_empty() {
        String::new()
    } else {
        format!(" {}", text("note", note, MAX_TEXT)?)
    };
    let mut facts = deadlines::facts(w.tx(), id)?;
    facts.event = Some(event.clone());
    let set = deadlines::fire(w, id, TriggerEvent::EventRecorded, &facts, w.now())?;
    let label = event.replace('_', " ");
    log(
        w,
        &c,
        &me,
        "note",
        &format!("Event recorded: {label}.{note}"),
    )?;
    Ok(done(
        &c,
        format!("{label} recorded on {}; {set} deadline(s) set", c.reference),
    ))
}

/// A referral as recorded: where, how, and the information-sharing record.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Referral {
    /// A route code ([`Route`]; `-` may stand for `_`).
    pub route: String,
    /// The contact chosen. When it is shut and the referral is by phone, the
    /// contact actually rung is its open fallback, and that is what is recorded.
    pub contact_id: Option<i64>,
    pub method: String,
    pub agency_reference: Option<String>,
    pub shared_what: String,
    pub shared_why: String,
    pub lawful_basis: Option<String>,
    /// The number actually rung, when the caller knows it (typed, or shown
    /// on the form); otherwise worked out from the contact at the moment.
    pub phone_rung: Option<String>,
    /// For an adult's NRM referral without consent recorded at intake: the
    /// adult has now given informed consent.
    pub consented: bool,
}

/// The contact a referral reaches at `now`: `chosen`, or while it is shut its
/// open fallback (followed as the contacts screen follows them). Returns the
/// contact rung, and the chosen one when a fallback stood in for it.
fn reached(
    w: &Write<'_>,
    chosen: i64,
    now: chrono::DateTime<chrono::Utc>,
) -> Result<(
    crate::domain::contact::Contact,
    Option<crate::domain::contact::Contact>,
)> {
    let all = super::contacts::all(w.tx())?;
    let hol = super::contacts::holidays(w.tx())?;
    let find = |id: i64| all.iter().find(|c| c.id == id);
    let Some(c) = find(chosen) else {
        return Err(StoreError::Refused(format!(
            "no contact {chosen} (`dutydesk routes REF` lists the contacts for a case, with their ids)"
        )));
    };
    let chain = crate::domain::hours::resolve(
        chosen,
        |id| find(id).and_then(|x| x.fallback_id),
        |id| find(id).is_some_and(|x| x.hours.open_at(now, |d| hol.contains(&d))),
    )
    .unwrap_or_else(|_| vec![chosen]);
    let rung = chain.last().and_then(|id| find(*id)).unwrap_or(c);
    Ok(if rung.id == c.id {
        (c.clone(), None)
    } else {
        (rung.clone(), Some(c.clone()))
    })
}

/// Records a referral, sets the deadlines its rules say, meets those it
/// fulfils, and moves the escalation to "referred". The route must suit the
/// case as `domain::routing::check_referral` says (an adult's NRM referral
/// needs consent; a child is never notified on MS1). The chronology names
/// the contact and the number actually rung (the fallback while the office
/// is shut).
pub fn refer(w: &mut Write<'_>, id: i64, r: &Referral, expected: Option<i64>) -> Result<Done> {
    let me = actor(w)?;
    let c = current(w, &me, id)?;
    open_only(&c)?;
    check_version(&c, expected)?;
    let route = Route::parse(&r.route).map_err(StoreError::Refused)?;
    let route_label = route.label();
    let method = r.method.trim().replace('-', "_");
    if !matches!(
        method.as_str(),
        "phone" | "form" | "email" | "secure_email" | "in_person" | "other"
    ) {
        return Err(StoreError::Refused(format!(
            "{:?} is not a method: use phone, form, email, secure-email, in-person or other",
            r.method
        )));
    }
    let consent_line = {
        let (d, categories) = super::routes::case_of(w.tx(), Viewer::from(&me), id)?;
        crate::domain::routing::check_referral(
            &super::routes::case(&d, &categories),
            route,
            r.consented,
        )
        .map_err(StoreError::Refused)?
    };
    let shared_what = text("what was shared", &r.shared_what, 4000)?;
    let shared_why = text("why it was shared", &r.shared_why, 4000)?;
    let agency_reference = match r.agency_reference.as_deref().map(str::trim) {
        Some(x) if !x.is_empty() => Some(
            validate_line("agency reference", x, 80)
                .map_err(|e| StoreError::Refused(e.to_string()))?,
        ),
        _ => None,
    };
    let now = w.now();
    let typed_phone = match r.phone_rung.as_deref().map(str::trim) {
        Some(p) if !p.is_empty() => Some(
            crate::domain::contact::check_phone(p)
                .map_err(|e| StoreError::Refused(format!("number rung: {e}")))?,
        ),
        _ => None,
    };
    // The contact reached, and the number actually rung.
    let (contact_id, phone_rung, contact_words) = match r.contact_id.filter(|c| *c > 0) {
        Some(cid) => {
            let (rung, instead_of) = reached(w, cid, now)?;
            let (rung, instead_of) = if method == "phone" {
                (rung, instead_of)
            } else {
                // Not by phone: the contact chosen, whatever its hours.
                (instead_of.unwrap_or(rung), None)
            };
            let phone = if method == "phone" {
                typed_phone.clone().or_else(|| rung.phone.clone())
            } else {
                typed_phone.clone()
            };
            let mut words = format!("{} {}", rung.organisation, rung.service);
            if let Some(p) = &phone {
                words = format!("{words}, on {p}");
            }
            if let Some(o) = &instead_of {
                words = format!(
                    "{words} (out of hours for {} {}, which was shut)",
                    o.organisation, o.service
                );
            }
            (Some(rung.id), phone, Some(words))
        }
        None => (
            None,
            typed_phone.clone(),
            typed_phone.as_ref().map(|p| format!("on {p}")),
        ),
    };
    touch(w, &c, &me)?;
    w.tx().execute(
        "INSERT INTO referrals (escalation_id, route, contact_id, method, agency_reference,
            shared_what, shared_why, lawful_basis, made_by, made_at, phone_rung)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11)",
        params![
            id,
            route.code(),
            contact_id,
            method,
            agency_reference,
            shared_what,
            shared_why,
            r.lawful_basis,
            me.id,
            now.timestamp(),
            phone_rung
        ],
    )?;
    w.tx().execute(
        "UPDATE escalations SET status = 'referred', assignee_id = coalesce(assignee_id, ?2),
            acknowledged_at = coalesce(acknowledged_at, ?3), acknowledged_by = coalesce(acknowledged_by, ?2)
         WHERE id = ?1",
        params![id, me.id, now.timestamp()],
    )?;
    for rule in route.meets() {
        w.tx().execute(
            "UPDATE deadlines SET met_at = ?3, met_by = ?4
             WHERE escalation_id = ?1 AND met_at IS NULL AND waived_at IS NULL
               AND rule_id = (SELECT id FROM deadline_rules WHERE code = ?2)",
            params![id, rule, now.timestamp(), me.id],
        )?;
    }
    let mut facts = deadlines::facts(w.tx(), id)?;
    facts.route = Some(route.code().to_string());
    let set = deadlines::fire(w, id, TriggerEvent::ReferralMade, &facts, now)?;
    if let Some(line) = &consent_line {
        log(w, &c, &me, "note", line)?;
    }
    let body = format!(
        "Referred to {route_label}{} by {}{}. Shared: {shared_what} Why: {shared_why}",
        contact_words
            .as_deref()
            .map(|x| format!(": {x}"))
            .unwrap_or_default(),
        method.replace('_', " "),
        agency_reference
            .as_deref()
            .map(|x| format!("; their reference {x}"))
            .unwrap_or_default()
    );
    log(w, &c, &me, "referral", &body)?;
    status_changed(w, id, Status::Referred)?;
    Ok(done(
        &c,
        format!(
            "{} referred to {route_label}{}{}",
            c.reference,
            phone_rung
                .as_deref()
                .map(|p| format!(" (rang {p})"))
                .unwrap_or_default(),
            if set > 0 {
                format!("; {set} deadline(s) set")
            } else {
                String::new()
            }
        ),
    ))
}

/// Fires the rules for entering a status.
fn status_changed(w: &Write<'_>, id: i64, status: Status) -> Result<usize> {
    let facts = Facts {
        status: Some(status),
        ..deadlines::facts(w.tx(), id)?
    };
    deadlines::fire(w, id, TriggerEvent::StatusChanged, &facts, w.now())
}

/// The organisation's closing outcomes.
pub fn outcomes(conn: &rusqlite::Connection) -> Result<Vec<String>> {
    Ok(
        match super::settings::get_in(conn, super::settings::CLOSURE_OUTCOMES)? {
            Some(list) => list
                .split(',')
                .map(|s| s.trim().to_string())
                .filter(|s| !s.is_empty())
                .collect(),
            None => DEFAULT_OUTCOMES.iter().map(|s| s.to_string()).collect(),
        },
    )
}

/// Whether closing needs a second DSL: high risk, domestic abuse, or a
/// referral made (Wolverhampton SAR recommendation 4).
fn needs_signoff(w: &Write<'_>, c: &Current) -> Result<bool> {
    if c.risk == Risk::High {
        return Ok(true);
    }
    Ok(w.tx().query_row(
        "SELECT EXISTS (SELECT 1 FROM escalation_categories WHERE escalation_id = ?1 AND category = 'domestic')
             OR EXISTS (SELECT 1 FROM referrals WHERE escalation_id = ?1)",
        [c.id],
        |r| r.get(0),
    )?)
}

/// Closes, or asks a second DSL to sign the closure off when the case needs it.
pub fn close(
    w: &mut Write<'_>,
    id: i64,
    outcome: &str,
    rationale: &str,
    expected: Option<i64>,
) -> Result<Done> {
    let me = actor(w)?;
    let c = current(w, &me, id)?;
    open_only(&c)?;
    check_version(&c, expected)?;
    if c.closing_by.is_some() {
        return Err(StoreError::Refused(format!(
            "{} is already awaiting sign-off",
            c.reference
        )));
    }
    let list = outcomes(w.tx())?;
    let outcome = outcome.trim();
    if !list.iter().any(|o| o == outcome) {
        return Err(StoreError::Refused(format!(
            "{outcome:?} is not an outcome: use {}",
            list.join(", ")
        )));
    }
    let rationale = text("rationale", rationale, MAX_TEXT)?;
    touch(w, &c, &me)?;
    let now = w.now().timestamp();
    if needs_signoff(w, &c)? {
        w.tx().execute(
            "UPDATE escalations SET outcome = ?2, closure_rationale = ?3, closed_by = ?4 WHERE id = ?1",
            params![id, outcome, rationale, me.id],
        )?;
        log(
            w,
            &c,
            &me,
            "signoff_requested",
            &format!(
                "Closure proposed ({outcome}); a second DSL must sign it off. Rationale: {rationale}"
            ),
        )?;
        return Ok(done(
            &c,
            format!("{} awaits a second DSL's sign-off", c.reference),
        ));
    }
    finish_close(w, &c, &me, outcome, &rationale, now)?;
    Ok(done(&c, format!("{} closed: {outcome}", c.reference)))
}

/// Closes an escalation just brought in from an earlier log as that log
/// closed it (`dutydesk import`): the outcome (one of this desk's) and the
/// rationale, at the log's date, without a second DSL's sign-off (the closure
/// was decided before the desk existed; the chronology says so). Only for
/// a case created in the same write.
pub(crate) fn close_imported(
    w: &mut Write<'_>,
    id: i64,
    outcome: &str,
    rationale: &str,
    closed_at: i64,
) -> Result<()> {
    let me = actor(w)?;
    let c = current(w, &me, id)?;
    let list = outcomes(w.tx())?;
    if !list.iter().any(|o| o == outcome) {
        return Err(StoreError::Refused(format!(
            "{outcome:?} is not an outcome: use {} (map the log's words in [values.outcome])",
            list.join(", ")
        )));
    }
    let rationale = text("rationale", rationale, MAX_TEXT)?;
    touch(w, &c, &me)?;
    finish_close(
        w,
        &c,
        &me,
        outcome,
        &format!("{rationale} (closed in the earlier log)"),
        closed_at,
    )
}

fn finish_close(
    w: &mut Write<'_>,
    c: &Current,
    closer: &StaffMember,
    outcome: &str,
    rationale: &str,
    now: i64,
) -> Result<()> {
    w.tx().execute(
        "UPDATE escalations SET status = 'closed', outcome = ?2, closure_rationale = ?3,
            closed_by = coalesce(closed_by, ?4), closed_at = ?5 WHERE id = ?1",
        params![c.id, outcome, rationale, closer.id, now],
    )?;
    // Deadlines still open are waived by the closure, on the record.
    let n = w.tx().execute(
        "UPDATE deadlines SET waived_at = ?2, waived_by = ?3, waived_reason = 'escalation closed'
         WHERE escalation_id = ?1 AND met_at IS NULL AND waived_at IS NULL",
        params![c.id, now, closer.id],
    )?;
    let mut body = format!("Closed ({outcome}). Rationale: {rationale}");
    if n > 0 {
        body.push_str(&format!(" {n} open deadline(s) waived by the closure."));
    }
    log(w, c, closer, "closed", &body)
}

/// A second DSL approves a proposed closure, or sends it back with a reason.
///
/// Acts only on the proposal its user saw (issue 14): `expected` is the
/// version shown to them (the dashboard passes the record's; the command line
/// takes `--version N` from `dutydesk show`), and an approval without one is
/// refused. If the case changed since (sent back and proposed again, taken,
/// referred...), the refusal says who changed it and when, and nothing is
/// written. `outcome`, when given, must also be the proposal's outcome. The
/// approval's `detail` is the outcome and rationale approved. A case already
/// closed (another DSL signed it off first) is refused with who and when.
pub fn signoff(
    w: &mut Write<'_>,
    id: i64,
    approve: bool,
    reason: &str,
    expected: Option<i64>,
    outcome: Option<&str>,
) -> Result<Done> {
    let me = actor(w)?;
    let c = current(w, &me, id)?;
    if c.closed {
        return Err(StoreError::Refused(format!(
            "{} is already closed: {} closed it at {}",
            c.reference,
            c.updated_by,
            local(super::instant(c.updated_at)).format("%H:%M")
        )));
    }
    let Some(closer) = c.closing_by else {
        return Err(StoreError::Refused(format!(
            "{} is not awaiting sign-off",
            c.reference
        )));
    };
    if closer == me.id {
        return Err(StoreError::Refused(
            "you proposed this closure: a second DSL must sign it off".into(),
        ));
    }
    if approve && expected.is_none() {
        return Err(StoreError::Refused(format!(
            "say which proposal you approve: read it with `dutydesk show {}` and pass the version it shows (--version N)",
            c.reference
        )));
    }
    check_version(&c, expected)?;
    let (proposed, rationale): (String, String) = w.tx().query_row(
        "SELECT outcome, closure_rationale FROM escalations WHERE id = ?1",
        [id],
        |r| Ok((clean_line(&r.get::<_, String>(0)?), r.get(1)?)),
    )?;
    if let Some(o) = outcome.map(str::trim)
        && o != proposed
    {
        return Err(StoreError::Refused(format!(
            "the closure proposed for {} is {proposed}, not {o}: read it again (`dutydesk show {}`) before signing off",
            c.reference, c.reference
        )));
    }
    let reason = text("reason", reason, MAX_TEXT)?;
    touch(w, &c, &me)?;
    let now = w.now().timestamp();
    if approve {
        w.tx().execute(
            "UPDATE escalations SET signed_off_by = ?2, signed_off_at = ?3 WHERE id = ?1",
            params![id, me.id, now],
        )?;
        log(
            w,
            &c,
            &me,
            "signed_off",
            &format!(
                "Closure ({proposed}) signed off by {}: {reason}",
                me.display_name
            ),
        )?;
        finish_close(w, &c, &me, &proposed, &rationale, now)?;
        let mut d = done(
            &c,
            format!(
                "{} closed as {proposed}, signed off by {}",
                c.reference, me.display_name
            ),
        );
        d.detail = Some(format!(
            "Approved outcome: {proposed}\nApproved rationale: {}",
            crate::domain::text::clean_block(&rationale)
        ));
        Ok(d)
    } else {
        w.tx().execute(
            "UPDATE escalations SET outcome = NULL, closure_rationale = NULL, closed_by = NULL WHERE id = ?1",
            [id],
        )?;
        log(
            w,
            &c,
            &me,
            "reopened",
            &format!(
                "Closure ({proposed}) sent back by {}: {reason}",
                me.display_name
            ),
        )?;
        Ok(done(
            &c,
            format!("{} sent back: it stays open", c.reference),
        ))
    }
}

/// Re-opens a closed escalation, with a reason.
pub fn reopen(w: &mut Write<'_>, id: i64, reason: &str, expected: Option<i64>) -> Result<Done> {
    let me = actor(w)?;
    let c = current(w, &me, id)?;
    if !c.closed {
        return Err(StoreError::Refused(format!(
            "{} is not closed",
            c.reference
        )));
    }
    check_version(&c, expected)?;
    let reason = text("reason", reason, MAX_TEXT)?;
    touch(w, &c, &me)?;
    w.tx().execute(
        "UPDATE escalations SET status = 'assigned', closed_at = NULL, closed_by = NULL,
            outcome = NULL, closure_rationale = NULL, signed_off_by = NULL, signed_off_at = NULL,
            assignee_id = coalesce(assignee_id, ?2)
         WHERE id = ?1",
        params![id, me.id],
    )?;
    log(
        w,
        &c,
        &me,
        "reopened",
        &format!("Re-opened by {}: {reason}", me.display_name),
    )?;
    Ok(done(&c, format!("{} re-opened", c.reference)))
}

/// Links two escalations about the same person; both must be ones the actor
/// may see (the same refusal for hidden and missing).
///
/// Each record's chronology names the other only when everyone who may see
/// the one may also see the other: linking a restricted allegation to an
/// ordinary case leaves no trace of it in the ordinary case's chronology (and
/// the REPEAT count counts only links its viewer may see), so the link never
/// reveals a hidden case. The audit trail records the link on both.
pub fn link(w: &mut Write<'_>, id: i64, other: i64) -> Result<Done> {
    let me = actor(w)?;
    let c = current(w, &me, id)?;
    let o = current(w, &me, other)?;
    if c.id == o.id {
        return Err(StoreError::Refused(
            "an escalation cannot be linked to itself".into(),
        ));
    }
    let (a, b) = (c.id.min(o.id), c.id.max(o.id));
    let n = w.tx().execute(
        "INSERT OR IGNORE INTO escalation_links (escalation_id, linked_id, linked_by, linked_at)
         VALUES (?1, ?2, ?3, ?4)",
        params![a, b, me.id, w.now().timestamp()],
    )?;
    if n == 0 {
        return Err(StoreError::Refused(format!(
            "{} and {} are already linked",
            c.reference, o.reference
        )));
    }
    let now = w.now();
    for (this, that) in [(&c, &o), (&o, &c)] {
        if seen_wherever(w, this.id, that.id)? {
            escalations::add_chronology(
                w,
                this.id,
                me.id,
                now,
                "edited",
                &format!("Linked to {} (same person).", that.reference),
            )?;
        }
        w.audit("link", "escalation", Some(&this.reference), None)?;
    }
    Ok(done(
        &c,
        format!("{} linked to {}", c.reference, o.reference),
    ))
}

/// Whether everyone on the staff list who may see escalation `this` may also
/// see `that` (by the need-to-know policy), so naming `that` on `this`
/// reveals nothing.
fn seen_wherever(w: &Write<'_>, this: i64, that: i64) -> Result<bool> {
    let mut stmt = w
        .tx()
        .prepare_cached("SELECT id, username, display_name, role, active FROM staff")?;
    let staff = stmt
        .query_map([], |r| {
            Ok(StaffMember {
                id: r.get(0)?,
                username: r.get(1)?,
                display_name: r.get(2)?,
                role: Role::from_code(&r.get::<_, String>(3)?).unwrap_or(Role::Viewer),
                active: r.get(4)?,
            })
        })?
        .collect::<rusqlite::Result<Vec<_>>>()?;
    for s in &staff {
        let v = Viewer::from(s);
        if super::access::may_see(w.tx(), v, this)? && !super::access::may_see(w.tx(), v, that)? {
            return Ok(false);
        }
    }
    Ok(true)
}

/// Records an escalation at intake: the rules set its deadlines, and a 999
/// call made is on the record.
///
/// Who may see it follows `domain::names::decide` (issue 14): for an
/// allegation about staff, `about` says whether the person uses this desk.
/// A typed name near a desk user's with no answer is refused
/// ([`crate::domain::names::ASK`]) and nothing is written; an account named
/// restricts the case and excludes that account; "none" on a near name is
/// allowed, and said in the chronology and the audit trail. Whoever records a
/// restricted escalation is named on it (unless a senior lead, who sees it
/// anyway), so they can keep working it. The access that results is written
/// to the trail (`store::access::record_access`).
pub fn create(
    w: &mut Write<'_>,
    e: &escalations::NewEscalation,
    emergency_called: bool,
    about: &crate::domain::names::About,
) -> Result<Done> {
    use crate::domain::names::{Decision, decide};
    let me = actor(w)?;
    let mut e = e.clone();
    if e.raised_by.trim().is_empty() {
        e.raised_by = me.display_name.clone();
    }
    let staff = super::staff::list_in(w.tx())?;
    let decision = decide(
        e.subject_kind == crate::domain::escalation::SubjectKind::Staff,
        &e.subject_name,
        about,
        &staff,
        &me.username,
    )
    .map_err(StoreError::Refused)?;
    if matches!(decision, Decision::Exclude { .. }) {
        e.restricted = true;
    }
    let e = &e;
    let (id, reference) = escalations::insert(w, me.id, e)?;
    let now = w.now();
    match &decision {
        Decision::Exclude { staff_id, username } => {
            w.tx().execute(
                "INSERT INTO escalation_access (escalation_id, staff_id, access) VALUES (?1, ?2, 'excluded')",
                params![id, staff_id],
            )?;
            escalations::add_chronology(
                w,
                id,
                me.id,
                now,
                "edited",
                &format!(
                    "Restricted at intake: the person this is about uses this desk; their account {username} is excluded from it."
                ),
            )?;
        }
        Decision::Open { near } if !near.is_empty() => {
            escalations::add_chronology(
                w,
                id,
                me.id,
                now,
                "edited",
                "At intake the recorder answered that the person this is about does not use this desk, though the name is near a desk user's.",
            )?;
            w.audit(
                "not_desk_user",
                "escalation",
                Some(&reference),
                Some(&format!("near={}", near.join(","))),
            )?;
        }
        Decision::Open { .. } => {}
    }
    if e.restricted && !me.role.sees_restricted() {
        w.tx().execute(
            "INSERT INTO escalation_access (escalation_id, staff_id, access) VALUES (?1, ?2, 'named')",
            params![id, me.id],
        )?;
    }
    if e.immediate_risk && emergency_called {
        w.tx().execute(
            "UPDATE escalations SET emergency_called_at = ?2 WHERE id = ?1",
            params![id, now.timestamp()],
        )?;
        escalations::add_chronology(w, id, me.id, now, "emergency_call", "999 called at intake.")?;
    }
    w.audit(
        "create",
        "escalation",
        Some(&reference),
        Some(e.subject_kind.code()),
    )?;
    if e.restricted {
        super::access::record_access(w, id, &reference)?;
    }
    Ok(Done {
        id,
        detail: None,
        message: format!(
            "{reference} recorded{}",
            if e.restricted {
                " (restricted: senior leads and the staff named on it)"
            } else {
                ""
            }
        ),
        reference,
    })
}

/// A senior lead's change to who may see an escalation (`dutydesk access`,
/// the record's access form). Usernames; empty lists change nothing.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct AccessChange {
    /// `Some(true)` restricts, `Some(false)` lifts the restriction.
    pub restrict: Option<bool>,
    pub name: Vec<String>,
    pub unname: Vec<String>,
    pub exclude: Vec<String>,
    pub unexclude: Vec<String>,
    /// Why (required): kept in the chronology.
    pub reason: String,
}

impl AccessChange {
    /// True when the change asks for nothing.
    pub fn is_empty(&self) -> bool {
        self.restrict.is_none()
            && self.name.is_empty()
            && self.unname.is_empty()
            && self.exclude.is_empty()
            && self.unexclude.is_empty()
    }
}

/// Restricts or unrestricts an escalation and names or excludes staff on it,
/// later than intake (issue 14: once recorded unrestricted, nothing could
/// restrict it). Only a senior lead who may see the case may (one excluded
/// from it gets the same `NotVisible` as for a missing one). Refused, with
/// nothing written: no reason, nothing asked, an unknown account, one asked
/// both ways, excluding yourself or the case's holder (assign it first), a
/// change already in force. Restricting names the holder, so the person
/// working the case keeps it. One write: the rows, a chronology line, and
/// the access state in the audit trail (`store::access::record_access`).
pub fn change_access(
    w: &mut Write<'_>,
    id: i64,
    ch: &AccessChange,
    expected: Option<i64>,
) -> Result<Done> {
    let me = actor(w)?;
    let c = current(w, &me, id)?;
    if !me.role.sees_restricted() {
        return Err(StoreError::Refused(format!(
            "only a senior lead may change who sees {}; ask one",
            c.reference
        )));
    }
    check_version(&c, expected)?;
    if ch.is_empty() {
        return Err(StoreError::Refused(
            "nothing to change: give --restrict, --unrestrict, --name, --unname, --exclude or --unexclude".into(),
        ));
    }
    let reason = text("reason", &ch.reason, MAX_TEXT)?;
    let lists = [
        ("name", &ch.name),
        ("unname", &ch.unname),
        ("exclude", &ch.exclude),
        ("unexclude", &ch.unexclude),
    ];
    // Every account named once, and known.
    let mut seen: Vec<(&str, &str)> = Vec::new();
    for (what, list) in lists {
        for u in list.iter() {
            let u = u.trim();
            if let Some((other, _)) = seen.iter().find(|(_, x)| *x == u) {
                let pair = [*other, what];
                // Unexcluding and naming in one go is how an excluded
                // account is named.
                if !(pair.contains(&"unexclude") && pair.contains(&"name")) {
                    return Err(StoreError::Refused(format!(
                        "{u} is given to both --{other} and --{what}: choose one"
                    )));
                }
            }
            seen.push((what, u));
        }
    }
    let staff = |u: &str| -> Result<StaffMember> {
        find_in(w.tx(), u.trim())?.ok_or_else(|| {
            StoreError::Refused(format!(
                "no staff member {:?}: see `dutydesk staff list`",
                u.trim()
            ))
        })
    };
    let access_of = |staff_id: i64| -> Result<Option<String>> {
        Ok(w.tx()
            .query_row(
                "SELECT access FROM escalation_access WHERE escalation_id = ?1 AND staff_id = ?2",
                params![id, staff_id],
                |r| r.get(0),
            )
            .optional()?)
    };
    let mut said: Vec<String> = Vec::new();
    let mut rows: Vec<(i64, Option<&'static str>)> = Vec::new();
    for u in &ch.unexclude {
        let s = staff(u)?;
        if access_of(s.id)?.as_deref() != Some("excluded") {
            return Err(StoreError::Refused(format!(
                "{} is not excluded from {}",
                s.username, c.reference
            )));
        }
        rows.push((s.id, None));
        said.push(format!("{} no longer excluded", s.username));
    }
    for u in &ch.unname {
        let s = staff(u)?;
        if access_of(s.id)?.as_deref() != Some("named") {
            return Err(StoreError::Refused(format!(
                "{} is not named on {}",
                s.username, c.reference
            )));
        }
        rows.push((s.id, None));
        said.push(format!("{} no longer named", s.username));
    }
    for u in &ch.exclude {
        let s = staff(u)?;
        if s.id == me.id {
            return Err(StoreError::Refused(
                "you cannot exclude yourself: ask another senior lead".into(),
            ));
        }
        if c.assignee_id == Some(s.id) {
            return Err(StoreError::Refused(format!(
                "{} holds {}: assign it to someone else first (`dutydesk assign {} USER --take`)",
                s.username, c.reference, c.reference
            )));
        }
        if access_of(s.id)?.as_deref() == Some("excluded") {
            return Err(StoreError::Refused(format!(
                "{} is already excluded from {}",
                s.username, c.reference
            )));
        }
        rows.push((s.id, Some("excluded")));
        said.push(format!("{} excluded", s.username));
    }
    for u in &ch.name {
        let s = staff(u)?;
        let unexcluded = ch.unexclude.iter().any(|x| x.trim() == s.username);
        match access_of(s.id)?.as_deref() {
            Some("named") => {
                return Err(StoreError::Refused(format!(
                    "{} is already named on {}",
                    s.username, c.reference
                )));
            }
            Some("excluded") if !unexcluded => {
                return Err(StoreError::Refused(format!(
                    "{} is excluded from {}: to name them, --unexclude them in the same command",
                    s.username, c.reference
                )));
            }
            _ => {}
        }
        rows.push((s.id, Some("named")));
        said.push(format!("{} named", s.username));
    }
    match ch.restrict {
        Some(true) if c.restricted => {
            return Err(StoreError::Refused(format!(
                "{} is already restricted",
                c.reference
            )));
        }
        Some(false) if !c.restricted => {
            return Err(StoreError::Refused(format!(
                "{} is not restricted",
                c.reference
            )));
        }
        Some(true) => said.insert(0, "restricted".into()),
        Some(false) => said.insert(0, "restriction lifted".into()),
        None => {}
    }
    touch(w, &c, &me)?;
    for (staff_id, access) in &rows {
        match access {
            None => w.tx().execute(
                "DELETE FROM escalation_access WHERE escalation_id = ?1 AND staff_id = ?2",
                params![id, staff_id],
            )?,
            Some(a) => w.tx().execute(
                "INSERT OR REPLACE INTO escalation_access (escalation_id, staff_id, access)
                 VALUES (?1, ?2, ?3)",
                params![id, staff_id, a],
            )?,
        };
    }
    if let Some(r) = ch.restrict {
        w.tx().execute(
            "UPDATE escalations SET restricted = ?2 WHERE id = ?1",
            params![id, r],
        )?;
    }
    // Restricting must not hide the case from the person working it.
    if ch.restrict == Some(true)
        && let Some(holder) = c.assignee_id
        && let Some(h) = super::staff::list_in(w.tx())?
            .into_iter()
            .find(|s| s.id == holder)
        && !h.role.sees_restricted()
        && access_of(holder)?.is_none()
    {
        w.tx().execute(
            "INSERT INTO escalation_access (escalation_id, staff_id, access) VALUES (?1, ?2, 'named')",
            params![id, holder],
        )?;
        said.push(format!("{} named (holds it)", h.username));
    }
    let state = super::access::state(w.tx(), id)?;
    log(
        w,
        &c,
        &me,
        "edited",
        &format!(
            "Who may see it changed by {}: {}. Reason: {reason}",
            me.display_name,
            said.join("; ")
        ),
    )?;
    super::access::record_access(w, id, &c.reference)?;
    Ok(done(&c, format!("{}: {state}", c.reference)))
}

/// Who may see an escalation, as lists: what the access form starts from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AccessLists {
    pub id: i64,
    pub restricted: bool,
    /// Usernames, sorted.
    pub named: Vec<String>,
    pub excluded: Vec<String>,
}

/// The access rows of escalation `id`, for a senior lead who may see it
/// (others get the same refusal as for a missing case, or "senior leads only").
pub fn access_lists(conn: &rusqlite::Connection, me: &StaffMember, id: i64) -> Result<AccessLists> {
    if !super::access::may_see(conn, Viewer::from(me), id)? {
        return Err(StoreError::NotVisible("with that number".into()));
    }
    if !me.role.sees_restricted() {
        return Err(StoreError::Refused(
            "only a senior lead may change who sees a record; ask one".into(),
        ));
    }
    let restricted: bool = conn.query_row(
        "SELECT restricted FROM escalations WHERE id = ?1",
        [id],
        |r| r.get(0),
    )?;
    let names = |access: &str| -> Result<Vec<String>> {
        let mut stmt = conn.prepare_cached(
            "SELECT s.username FROM escalation_access a JOIN staff s ON s.id = a.staff_id
             WHERE a.escalation_id = ?1 AND a.access = ?2 ORDER BY s.username",
        )?;
        let rows = stmt.query_map(params![id, access], |r| r.get::<_, String>(0))?;
        Ok(rows.collect::<rusqlite::Result<Vec<_>>>()?)
    };
    Ok(AccessLists {
        id,
        restricted,
        named: names("named")?,
        excluded: names("excluded")?,
    })
}
