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
use crate::domain::deadline::{
    ClosureAction, ClosureChoice, Event, Facts, Happening, OpenDeadline, TriggerEvent, plan_closure,
};
use crate::domain::escalation::{Risk, Status};
use crate::domain::route::Route;
use crate::domain::staff::{Role, StaffMember};
use crate::domain::text::{Marked, clean_line, validate_line};
use rusqlite::{OptionalExtension, named_params, params};

/// Longest note, rationale or shared-information text.
pub const MAX_TEXT: usize = 20_000;

/// The closing outcomes every organisation starts with (setting
/// `closure_outcomes` replaces them).
pub use crate::domain::settings::DEFAULT_OUTCOMES;

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
pub(crate) struct Current {
    pub(crate) id: i64,
    pub(crate) reference: String,
    pub(crate) version: i64,
    pub(crate) assignee_id: Option<i64>,
    pub(crate) risk: Risk,
    pub(crate) restricted: bool,
    pub(crate) acknowledged: bool,
    /// Who acknowledged it, and when (UTC seconds).
    pub(crate) acknowledged_by: Option<String>,
    pub(crate) acknowledged_at: Option<i64>,
    /// The holder's display name.
    pub(crate) assignee: Option<String>,
    pub(crate) closing_by: Option<i64>,
    pub(crate) closed: bool,
    pub(crate) updated_by: String,
    pub(crate) updated_at: i64,
}

/// The acting user: active, and not a viewer.
pub(crate) fn actor(w: &Write<'_>) -> Result<StaffMember> {
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

pub(crate) fn current(w: &Write<'_>, me: &StaffMember, id: i64) -> Result<Current> {
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
pub(crate) fn check_version(c: &Current, expected: Option<i64>) -> Result<()> {
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

pub(crate) fn open_only(c: &Current) -> Result<()> {
    if c.closed {
        return Err(StoreError::Refused(format!(
            "{} is closed: re-open it first",
            c.reference
        )));
    }
    Ok(())
}

/// Records who changed the escalation and moves its version on.
pub(crate) fn touch(w: &Write<'_>, c: &Current, me: &StaffMember) -> Result<()> {
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
pub(crate) fn log(
    w: &mut Write<'_>,
    c: &Current,
    me: &StaffMember,
    kind: &str,
    body: &str,
) -> Result<()> {
    let now = w.now();
    let line = escalations::add_chronology(w, c.id, me.id, now, kind, body)?;
    w.audit(
        kind,
        "escalation",
        Some(&c.reference),
        Some(&format!("chronology {line}")),
    )
}

/// As [`log`], for a line whose third parties' details (and the words of
/// deadlines set by hand) are marked, so a redacted export blanks them
/// (`chronology.parties`).
pub(crate) fn log_marked(
    w: &mut Write<'_>,
    c: &Current,
    me: &StaffMember,
    kind: &str,
    body: &Marked,
) -> Result<()> {
    let now = w.now();
    let line = escalations::add_marked(w, c.id, me.id, now, kind, body)?;
    w.audit(
        kind,
        "escalation",
        Some(&c.reference),
        Some(&format!("chronology {line}")),
    )
}

pub(crate) fn text(field: &'static str, value: &str, max: usize) -> Result<String> {
    crate::domain::text::validate_block(field, value, max)
        .map_err(|e| StoreError::Invalid(e.to_string()))
}

pub(crate) fn done(c: &Current, message: String) -> Done {
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
    w.tx().execute(
        "UPDATE escalations SET assignee_id = ?2,
            status = CASE status WHEN 'new' THEN 'assigned' ELSE status END
         WHERE id = ?1",
        params![id, me.id],
    )?;
    let met = mark_acknowledged(w, id, me.id)?;
    if !c.acknowledged {
        log(
            w,
            &c,
            &me,
            "acknowledged",
            &format!("Acknowledged by {}.{}", me.display_name, meets(&met)),
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

/// Marks the case acknowledged by `by` now, unless someone already has,
/// and meets what an acknowledgement meets (`deadline_rules.meets`
/// `acknowledged`: the first-response times). The one path for every verb
/// that acknowledges a case (`ack`, and a referral, which says someone has
/// it), so no rule met by "acknowledged" is left open on an acknowledged
/// case. Returns the deadlines met, for the chronology line.
fn mark_acknowledged(w: &Write<'_>, id: i64, by: i64) -> Result<Vec<String>> {
    let n = w.tx().execute(
        "UPDATE escalations SET acknowledged_at = ?2, acknowledged_by = ?3
         WHERE id = ?1 AND acknowledged_at IS NULL",
        params![id, w.now().timestamp(), by],
    )?;
    if n == 0 {
        return Ok(Vec::new());
    }
    deadlines::meet_by(w, id, &Happening::Acknowledged, None, by)
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
        .ok_or_else(|| StoreError::Invalid(format!("no active staff member {username:?}")))?;
    if to.role == Role::Viewer {
        return Err(StoreError::Invalid(format!(
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

/// The events `dutydesk event` (and the record's `E`) can record, by code:
/// the list in `domain::deadline::Event` less those with a verb of their own
/// (an FGM report names the reporter and the police reference).
pub fn events(_conn: &rusqlite::Connection) -> Result<Vec<String>> {
    Ok(Event::ALL
        .iter()
        .filter(|e| e.recorded_by_event_verb())
        .map(|e| e.code().to_string())
        .collect())
}

/// " Meets: X; Y." for a chronology line, or nothing.
fn meets(met: &[String]) -> String {
    if met.is_empty() {
        String::new()
    } else {
        format!(" Meets: {}.", met.join("; "))
    }
}

/// " Sets: X. Keeps: Y (one is already open)." for a chronology line.
fn fired(f: &deadlines::Fired) -> String {
    let mut out = String::new();
    if !f.set.is_empty() {
        out.push_str(&format!(" Sets: {}.", f.set.join("; ")));
    }
    if !f.kept.is_empty() {
        out.push_str(&format!(
            " Keeps the deadline already open: {}.",
            f.kept.join("; ")
        ));
    }
    if !f.met.is_empty() {
        out.push_str(&format!(
            " Met as set (already done): {}.",
            f.met.join("; ")
        ));
    }
    out
}

/// Records that an event happened (`domain::deadline::Event`: a strategy
/// discussion, an initial or review child protection conference, removal
/// from regulated activity), when it was held (`held`, default now; not in
/// the future): it goes in the chronology, meets the deadlines it meets
/// (`icpc_held` meets the ICPC), and sets those rules attach to it, counted
/// from when it was held (the first review conference 3 months after the
/// ICPC, each later one 6 months after a review). A rule whose deadline is
/// still open keeps it: a second strategy discussion keeps the first ICPC.
pub fn record_event(
    w: &mut Write<'_>,
    id: i64,
    event: &str,
    note: &str,
    held: Option<chrono::DateTime<chrono::Utc>>,
) -> Result<Done> {
    let me = actor(w)?;
    let c = current(w, &me, id)?;
    open_only(&c)?;
    let code = event.trim().replace(['-', ' '], "_");
    let known = events(w.tx())?;
    let Some(ev) = Event::from_code(&code).filter(|e| e.recorded_by_event_verb()) else {
        let hint = if code == Event::FgmReported.code() {
            format!(
                "an FGM report is recorded with who made it and the police reference: `dutydesk fgm-reported {} --by NAME --police-reference REF`",
                c.reference
            )
        } else {
            format!("the events are {}", known.join(", "))
        };
        return Err(StoreError::Invalid(format!(
            "{code:?} is not an event to record: {hint}"
        )));
    };
    let now = w.now();
    let held = held.unwrap_or(now);
    if held > now + chrono::Duration::seconds(60) {
        return Err(StoreError::Invalid(format!(
            "{} is in the future: record an event once it has been held",
            crate::domain::calendar::format_stamp(held)
        )));
    }
    let note = if note.trim().is_empty() {
        String::new()
    } else {
        format!(" {}", text("note", note, MAX_TEXT)?)
    };
    // Met when it was held, so an ICPC held in time and typed in later is
    // not counted as missed.
    let met = deadlines::meet_by_at(
        w,
        id,
        &Happening::Event(ev.code().into()),
        None,
        me.id,
        held.min(now),
    )?;
    let mut facts = deadlines::facts(w.tx(), id)?;
    facts.event = Some(ev.code().into());
    facts.occurred_at = Some(held.min(now));
    let f = deadlines::fire(w, id, TriggerEvent::EventRecorded, &facts, now, None)?;
    let when = if (now - held).num_minutes() >= 1 {
        format!(" (held {})", crate::domain::calendar::format_stamp(held))
    } else {
        String::new()
    };
    log(
        w,
        &c,
        &me,
        "note",
        &format!(
            "Event recorded: {}{when}.{note}{}{}",
            ev.label(),
            meets(&met),
            fired(&f)
        ),
    )?;
    Ok(done(
        &c,
        format!(
            "{} recorded on {}; {} deadline(s) set{}{}",
            ev.label(),
            c.reference,
            f.set.len(),
            if met.is_empty() {
                String::new()
            } else {
                format!(", met: {}", met.join(", "))
            },
            if f.kept.is_empty() {
                String::new()
            } else {
                format!(", kept as already open: {}", f.kept.join(", "))
            }
        ),
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
    /// The contact chosen serves another area than the person's, and the
    /// DSL confirms that is where the referral goes (`--other-area`).
    pub other_area: bool,
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
        return Err(StoreError::Invalid(format!(
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
    let route = Route::parse(&r.route).map_err(StoreError::Invalid)?;
    let route_label = route.label();
    let methods = crate::domain::route::REFERRAL_METHODS;
    let method = r.method.trim().replace('-', "_");
    if !methods.iter().any(|m| m.replace('-', "_") == method) {
        return Err(StoreError::Invalid(format!(
            "{:?} is not a method: use {}",
            r.method,
            methods.join(", ")
        )));
    }
    let (d, categories) = super::routes::case_of(w.tx(), Viewer::from(&me), id)?;
    let consent_line = crate::domain::routing::check_referral(
        &super::routes::case(&d, &categories),
        route,
        r.consented,
    )
    .map_err(StoreError::Refused)?;
    // The contact chosen must serve the route, and the area unless confirmed.
    let mut elsewhere = None;
    if let Some(cid) = r.contact_id.filter(|c| *c > 0) {
        let all = super::contacts::all(w.tx())?;
        let chosen = all.iter().find(|c| c.id == cid).ok_or_else(|| {
            StoreError::Refused(format!(
                "no contact {cid} (`dutydesk routes {}` lists the contacts for it, with their ids)",
                c.reference
            ))
        })?;
        let area = if route.where_they_work() {
            d.work_area.as_deref().unwrap_or(&d.area)
        } else {
            &d.area
        };
        match crate::domain::contact::check_referral_contact(chosen, route, area)
            .map_err(|e| StoreError::Invalid(e.replace("REF", &c.reference)))?
        {
            crate::domain::contact::AreaFit::OtherArea(theirs) if !r.other_area => {
                return Err(StoreError::Refused(format!(
                    "contact {cid} ({} {}) serves {theirs}, not {area} where the {}: if the referral goes there on purpose, say so with --other-area; else choose a contact for {area} (`dutydesk routes {}`)",
                    chosen.organisation,
                    chosen.service,
                    if route.where_they_work() {
                        "person works"
                    } else {
                        "person lives"
                    },
                    c.reference
                )));
            }
            crate::domain::contact::AreaFit::OtherArea(theirs) => {
                elsewhere = Some(format!(" (a service for {theirs}, not {area}: confirmed)"));
            }
            crate::domain::contact::AreaFit::Serves => {}
        }
    }
    let shared_what = text("what was shared", &r.shared_what, 4000)?;
    let shared_why = text("why it was shared", &r.shared_why, 4000)?;
    let agency_reference = match r.agency_reference.as_deref().map(str::trim) {
        Some(x) if !x.is_empty() => Some(
            validate_line("agency reference", x, 80)
                .map_err(|e| StoreError::Invalid(e.to_string()))?,
        ),
        _ => None,
    };
    let now = w.now();
    let typed_phone = match r.phone_rung.as_deref().map(str::trim) {
        Some(p) if !p.is_empty() => Some(
            crate::domain::contact::check_phone(p)
                .map_err(|e| StoreError::Invalid(format!("number rung: {e}")))?,
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
    let referral_id = w.tx().last_insert_rowid();
    w.tx().execute(
        "UPDATE escalations SET status = 'referred', assignee_id = coalesce(assignee_id, ?2)
         WHERE id = ?1",
        params![id, me.id],
    )?;
    let mut met = mark_acknowledged(w, id, me.id)?;
    // The Nth referral on this route (the Home Office follow-up is the second
    // report): what meets a deadline is the rule's data.
    let nth: u32 = w.tx().query_row(
        "SELECT count(*) FROM referrals WHERE escalation_id = ?1 AND route = ?2",
        params![id, route.code()],
        |x| x.get(0),
    )?;
    met.extend(deadlines::meet_by(
        w,
        id,
        &Happening::Referral {
            route: route.code().to_string(),
            nth,
        },
        None,
        me.id,
    )?);
    let mut facts = deadlines::facts(w.tx(), id)?;
    facts.route = Some(route.code().to_string());
    let f = deadlines::fire(
        w,
        id,
        TriggerEvent::ReferralMade,
        &facts,
        now,
        Some(referral_id),
    )?;
    let set = f.set.len();
    if let Some(line) = &consent_line {
        log(w, &c, &me, "note", line)?;
    }
    let body = format!(
        "Referred to {route_label}{}{} (referral #{referral_id}) by {}{}. Shared: {shared_what} Why: {shared_why}{}{}",
        contact_words
            .as_deref()
            .map(|x| format!(": {x}"))
            .unwrap_or_default(),
        elsewhere.as_deref().unwrap_or_default(),
        method.replace('_', " "),
        agency_reference
            .as_deref()
            .map(|x| format!("; their reference {x}"))
            .unwrap_or_default(),
        meets(&met),
        fired(&f)
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
    Ok(
        deadlines::fire(w, id, TriggerEvent::StatusChanged, &facts, w.now(), None)?
            .set
            .len(),
    )
}

/// The organisation's closing outcomes (setting `closure_outcomes`).
pub fn outcomes(conn: &rusqlite::Connection) -> Result<Vec<String>> {
    Ok(super::settings::load(conn)?.closure_outcomes)
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

/// The open deadlines of escalation `id`, as closing lists them.
pub fn open_deadlines(conn: &rusqlite::Connection, id: i64) -> Result<Vec<OpenDeadline>> {
    let mut stmt = conn.prepare_cached(
        "SELECT d.id, r.code, d.label, d.due_at FROM deadlines d
         LEFT JOIN deadline_rules r ON r.id = d.rule_id
         WHERE d.escalation_id = ?1 AND d.met_at IS NULL AND d.waived_at IS NULL
         ORDER BY d.due_at, d.id",
    )?;
    let rows = stmt.query_map([id], |r| {
        Ok(OpenDeadline {
            id: r.get(0)?,
            rule: r.get::<_, Option<String>>(1)?.map(|c| clean_line(&c)),
            label: clean_line(&r.get::<_, String>(2)?),
            due_at: super::instant(r.get(3)?),
        })
    })?;
    Ok(rows.collect::<rusqlite::Result<_>>()?)
}

/// Closes, or asks a second DSL to sign the closure off when the case needs
/// it. Every open deadline needs a choice (`domain::deadline::plan_closure`:
/// keep it open, mark it met, or waive it with a reason); without one for
/// each, the refusal lists them and nothing is written. A closure awaiting
/// sign-off keeps its choices (`closure_choices`) until it is approved.
pub fn close(
    w: &mut Write<'_>,
    id: i64,
    outcome: &str,
    rationale: &str,
    choices: &[ClosureChoice],
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
        return Err(StoreError::Invalid(format!(
            "{outcome:?} is not an outcome: use {}",
            list.join(", ")
        )));
    }
    let rationale = text("rationale", rationale, MAX_TEXT)?;
    let plan = plan_closure(&open_deadlines(w.tx(), id)?, choices)
        .map_err(|e| StoreError::Invalid(format!("{}: {e}", c.reference)))?;
    for (_, action) in &plan {
        if let ClosureAction::Waive(reason) | ClosureAction::Met(reason) = action
            && !reason.trim().is_empty()
        {
            text("reason", reason, 4000)?;
        }
    }
    touch(w, &c, &me)?;
    let now = w.now().timestamp();
    if needs_signoff(w, &c)? {
        w.tx().execute(
            "UPDATE escalations SET outcome = ?2, closure_rationale = ?3, closed_by = ?4 WHERE id = ?1",
            params![id, outcome, rationale, me.id],
        )?;
        w.tx()
            .execute("DELETE FROM closure_choices WHERE escalation_id = ?1", [id])?;
        for (d, action) in &plan {
            let note = match action {
                ClosureAction::Keep => None,
                ClosureAction::Met(n) | ClosureAction::Waive(n) => {
                    Some(n.trim()).filter(|n| !n.is_empty())
                }
            };
            w.tx().execute(
                "INSERT INTO closure_choices (escalation_id, deadline_id, choice, note)
                 VALUES (?1, ?2, ?3, ?4)",
                params![id, d.id, action.code(), note],
            )?;
        }
        let mut body = Marked::new();
        body.push(&format!(
            "Closure proposed ({}); a second DSL must sign it off. Rationale: {rationale}",
            crate::domain::settings::outcome_label(outcome),
        ))
        .append(&choices_said(&plan, "On sign-off"));
        log_marked(w, &c, &me, "signoff_requested", &body)?;
        return Ok(done(
            &c,
            format!("{} awaits a second DSL's sign-off", c.reference),
        ));
    }
    let said = apply_closure(w, &me, &plan, now)?;
    finish_close(w, &c, &me, outcome, &rationale, now, &said)?;
    Ok(done(
        &c,
        format!(
            "{} closed: {}",
            c.reference,
            crate::domain::settings::outcome_label(outcome)
        ),
    ))
}

/// " Deadlines: X kept open; Y met; Z waived: reason." for a chronology line.
/// A deadline set by hand is named by its label, which holds a task's or
/// review action's words and owner: marked, so a redacted export blanks it.
fn choices_said(plan: &[(OpenDeadline, ClosureAction)], lead: &str) -> Marked {
    let mut out = Marked::new();
    if plan.is_empty() {
        return out;
    }
    out.push(&format!(" {lead}: "));
    for (i, (d, a)) in plan.iter().enumerate() {
        if i > 0 {
            out.push("; ");
        }
        if d.rule.is_none() {
            out.party(&d.label);
        } else {
            out.push(&d.label);
        }
        match a {
            ClosureAction::Keep => out.push(" kept open"),
            ClosureAction::Met(n) if n.trim().is_empty() => out.push(" met"),
            ClosureAction::Met(n) => out.push(&format!(" met ({})", n.trim())),
            ClosureAction::Waive(r) => out.push(&format!(" waived: {}", r.trim())),
        };
    }
    out.push(".");
    out
}

/// Applies a closure's choices to the deadlines still open: met now, or
/// waived with the reason and marked as waived by the closure (re-opening
/// restores them). Returns the chronology words.
fn apply_closure(
    w: &Write<'_>,
    closer: &StaffMember,
    plan: &[(OpenDeadline, ClosureAction)],
    now: i64,
) -> Result<Marked> {
    for (d, action) in plan {
        match action {
            ClosureAction::Keep => {}
            ClosureAction::Met(_) => {
                w.tx().execute(
                    "UPDATE deadlines SET met_at = ?2, met_by = ?3
                     WHERE id = ?1 AND met_at IS NULL AND waived_at IS NULL",
                    params![d.id, now, closer.id],
                )?;
            }
            ClosureAction::Waive(reason) => {
                w.tx().execute(
                    "UPDATE deadlines SET waived_at = ?2, waived_by = ?3, waived_reason = ?4,
                        waived_at_closure = 1
                     WHERE id = ?1 AND met_at IS NULL AND waived_at IS NULL",
                    params![d.id, now, closer.id, reason.trim()],
                )?;
            }
        }
    }
    Ok(choices_said(plan, "Deadlines"))
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
        return Err(StoreError::Invalid(format!(
            "{outcome:?} is not an outcome: use {} (map the log's words in [values.outcome])",
            list.join(", ")
        )));
    }
    let rationale = text("rationale", rationale, MAX_TEXT)?;
    touch(w, &c, &me)?;
    // The log closed it before the desk existed: what its rules set on
    // import is waived, and the chronology says so (never in silence).
    let plan: Vec<(OpenDeadline, ClosureAction)> = open_deadlines(w.tx(), id)?
        .into_iter()
        .map(|d| {
            (
                d,
                ClosureAction::Waive("closed in the earlier log before it was imported".into()),
            )
        })
        .collect();
    let said = apply_closure(w, &me, &plan, closed_at)?;
    finish_close(
        w,
        &c,
        &me,
        outcome,
        &format!("{rationale}{}", crate::domain::import::CLOSED_EARLIER),
        closed_at,
        &said,
    )
}

fn finish_close(
    w: &mut Write<'_>,
    c: &Current,
    closer: &StaffMember,
    outcome: &str,
    rationale: &str,
    now: i64,
    deadlines_said: &Marked,
) -> Result<()> {
    w.tx().execute(
        "UPDATE escalations SET status = 'closed', outcome = ?2, closure_rationale = ?3,
            closed_by = coalesce(closed_by, ?4), closed_at = ?5 WHERE id = ?1",
        params![c.id, outcome, rationale, closer.id, now],
    )?;
    w.tx().execute(
        "DELETE FROM closure_choices WHERE escalation_id = ?1",
        [c.id],
    )?;
    let mut body = Marked::new();
    body.push(&format!(
        "Closed ({}). Rationale: {rationale}",
        crate::domain::settings::outcome_label(outcome)
    ))
    .append(deadlines_said);
    log_marked(w, c, closer, "closed", &body)
}

/// The choices stored with a proposed closure, for the deadlines still open
/// now; a deadline set since the proposal (no choice stored) is kept open,
/// and said so.
fn stored_choices(w: &Write<'_>, id: i64) -> Result<(Vec<(OpenDeadline, ClosureAction)>, String)> {
    let open = open_deadlines(w.tx(), id)?;
    let mut stmt = w.tx().prepare_cached(
        "SELECT choice, coalesce(note, '') FROM closure_choices
         WHERE escalation_id = ?1 AND deadline_id = ?2",
    )?;
    let mut plan = Vec::new();
    let mut unchosen = Vec::new();
    for d in open {
        let row: Option<(String, String)> = stmt
            .query_row(params![id, d.id], |r| Ok((r.get(0)?, r.get(1)?)))
            .optional()?;
        let action = match row {
            Some((c, n)) if c == "met" => ClosureAction::Met(n),
            Some((c, n)) if c == "waive" => ClosureAction::Waive(n),
            Some(_) => ClosureAction::Keep,
            None => {
                unchosen.push(d.label.clone());
                ClosureAction::Keep
            }
        };
        plan.push((d, action));
    }
    let extra = if unchosen.is_empty() {
        String::new()
    } else {
        format!(
            " Set after the closure was proposed, so kept open: {}.",
            unchosen.join("; ")
        )
    };
    Ok((plan, extra))
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
        return Err(StoreError::Invalid(format!(
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
                "Closure ({}) signed off by {}: {reason}",
                crate::domain::settings::outcome_label(&proposed),
                me.display_name
            ),
        )?;
        let (plan, extra) = stored_choices(w, id)?;
        let mut said = apply_closure(w, &me, &plan, now)?;
        said.push(&extra);
        finish_close(w, &c, &me, &proposed, &rationale, now, &said)?;
        let mut d = done(
            &c,
            format!(
                "{} closed as {}, signed off by {}",
                c.reference,
                crate::domain::settings::outcome_label(&proposed),
                me.display_name
            ),
        );
        d.detail = Some(format!(
            "Approved outcome: {}\nApproved rationale: {}",
            crate::domain::settings::outcome_label(&proposed),
            crate::domain::text::clean_block(&rationale)
        ));
        Ok(d)
    } else {
        w.tx().execute(
            "UPDATE escalations SET outcome = NULL, closure_rationale = NULL, closed_by = NULL WHERE id = ?1",
            [id],
        )?;
        w.tx()
            .execute("DELETE FROM closure_choices WHERE escalation_id = ?1", [id])?;
        log(
            w,
            &c,
            &me,
            "reopened",
            &format!(
                "Closure ({}) sent back by {}: {reason}",
                crate::domain::settings::outcome_label(&proposed),
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
    // What the closure waived comes back (closures before schema 6 waived
    // every open deadline with the reason "escalation closed").
    let restored: Vec<(String, bool)> = {
        let mut stmt = w.tx().prepare_cached(
            "SELECT label, rule_id IS NULL FROM deadlines
             WHERE escalation_id = ?1 AND waived_at IS NOT NULL
               AND (waived_at_closure = 1 OR waived_reason = 'escalation closed')
             ORDER BY due_at, id",
        )?;
        let rows = stmt.query_map([id], |r| Ok((r.get::<_, String>(0)?, r.get::<_, bool>(1)?)))?;
        rows.map(|r| r.map(|(l, hand)| (clean_line(&l), hand)))
            .collect::<rusqlite::Result<_>>()?
    };
    w.tx().execute(
        "UPDATE deadlines SET waived_at = NULL, waived_by = NULL, waived_reason = NULL,
            waived_at_closure = 0
         WHERE escalation_id = ?1 AND waived_at IS NOT NULL
           AND (waived_at_closure = 1 OR waived_reason = 'escalation closed')",
        [id],
    )?;
    // Staff and the words of deadlines set by hand marked, for redaction.
    let mut body = Marked::new();
    body.push("Re-opened by ")
        .party(&me.display_name)
        .push(&format!(": {reason}"));
    if !restored.is_empty() {
        body.push(" Deadlines the closure waived are open again: ");
        for (i, (label, hand)) in restored.iter().enumerate() {
            if i > 0 {
                body.push("; ");
            }
            if *hand {
                body.party(label);
            } else {
                body.push(label);
            }
        }
        body.push(".");
    }
    log_marked(w, &c, &me, "reopened", &body)?;
    Ok(done(
        &c,
        format!(
            "{} re-opened{}",
            c.reference,
            if restored.is_empty() {
                String::new()
            } else {
                format!(
                    "; {} deadline(s) the closure waived are open again",
                    restored.len()
                )
            }
        ),
    ))
}

/// Which referral an outcome is for: its number, or the one on a route
/// still awaiting an outcome.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ReferralPick {
    Id(i64),
    Route(String),
}

/// The outcome codes of a route (`referral_outcomes`), in order: (code, label).
pub fn outcome_codes(conn: &rusqlite::Connection, route: &str) -> Result<Vec<(String, String)>> {
    let mut stmt = conn.prepare_cached(
        "SELECT code, label FROM referral_outcomes WHERE route = ?1 ORDER BY sort, code",
    )?;
    let rows = stmt.query_map([route], |r| {
        Ok((
            clean_line(&r.get::<_, String>(0)?),
            clean_line(&r.get::<_, String>(1)?),
        ))
    })?;
    Ok(rows.collect::<rusqlite::Result<_>>()?)
}

/// Records the receiving agency's decision on a referral (children's social
/// care: accepted for assessment, strategy discussion / s47, no further
/// action, advice given; the LADO: substantiated, malicious, false,
/// unsubstantiated, unfounded (KCSIE 2024 part 4); the codes of each route
/// are `referral_outcomes`). It goes in the chronology (and so the review
/// agendas), and meets the deadlines it meets (the chase of children's
/// social care's decision; one a referral set only by that referral's
/// outcome). `removed`: for a LADO allegation substantiated or
/// unsubstantiated, the person was removed from regulated activity (or would
/// have been, had they not left), which starts the DBS barring referral duty
/// (Safeguarding Vulnerable Groups Act 2006 s35): recorded as that event,
/// which sets its deadline (`domain::deadline::check_removed` refuses it
/// with a malicious, false, unfounded or below-threshold outcome).
///
/// Refused as bad input, nothing written: a referral that is not this
/// case's, a route with none (or several) awaiting an outcome, a code that
/// is not the route's (the valid ones are named), `removed` on another
/// route; refused as a conflict: an outcome already recorded (once only).
#[allow(clippy::too_many_arguments)]
pub fn record_outcome(
    w: &mut Write<'_>,
    id: i64,
    pick: &ReferralPick,
    code: &str,
    note: &str,
    removed: bool,
    expected: Option<i64>,
) -> Result<Done> {
    let me = actor(w)?;
    let c = current(w, &me, id)?;
    check_version(&c, expected)?;
    let refs = escalations::referrals_of(w.tx(), id)?;
    let listing = || {
        refs.iter()
            .map(|r| {
                format!(
                    "#{} {}{}",
                    r.id,
                    r.route,
                    r.outcome_label
                        .as_deref()
                        .map(|o| format!(" ({o})"))
                        .unwrap_or_else(|| " (awaiting)".into())
                )
            })
            .collect::<Vec<_>>()
            .join(", ")
    };
    let r = match pick {
        ReferralPick::Id(n) => refs.iter().find(|r| r.id == *n).ok_or_else(|| {
            StoreError::Invalid(format!(
                "{} has no referral #{n}; its referrals: {}",
                c.reference,
                if refs.is_empty() {
                    "none".into()
                } else {
                    listing()
                }
            ))
        })?,
        ReferralPick::Route(route) => {
            let route = route.trim().replace('-', "_");
            let waiting: Vec<_> = refs
                .iter()
                .filter(|r| r.route == route && r.outcome.is_none())
                .collect();
            match waiting.as_slice() {
                [one] => *one,
                [] => {
                    return Err(StoreError::Invalid(format!(
                        "{} has no referral to {route} awaiting an outcome; its referrals: {}",
                        c.reference,
                        if refs.is_empty() {
                            "none".into()
                        } else {
                            listing()
                        }
                    )));
                }
                _ => {
                    return Err(StoreError::Invalid(format!(
                        "{} has {} referrals to {route} awaiting an outcome: give one with --referral N ({})",
                        c.reference,
                        waiting.len(),
                        listing()
                    )));
                }
            }
        }
    };
    if let (Some(o), Some(at)) = (&r.outcome_label, r.outcome_at) {
        return Err(StoreError::Refused(format!(
            "referral #{} already has its outcome ({o}, recorded {}); an outcome is recorded once: add a note if it changed",
            r.id,
            crate::domain::calendar::format_stamp(at)
        )));
    }
    let codes = outcome_codes(w.tx(), &r.route)?;
    let code = code.trim().replace('-', "_");
    let Some((code, label)) = codes.iter().find(|(c, _)| *c == code) else {
        return Err(StoreError::Invalid(format!(
            "{code:?} is not an outcome of a referral to {}: use {}",
            r.route_label,
            codes
                .iter()
                .map(|(c, l)| if *l == c.replace('_', " ") {
                    c.clone()
                } else {
                    format!("{c} ({l})")
                })
                .collect::<Vec<_>>()
                .join(", ")
        )));
    };
    if removed {
        crate::domain::deadline::check_removed(&r.route, code).map_err(StoreError::Invalid)?;
    }
    let note = if note.trim().is_empty() {
        String::new()
    } else {
        format!(" {}", text("note", note, MAX_TEXT)?)
    };
    touch(w, &c, &me)?;
    let now = w.now();
    let n = w.tx().execute(
        "UPDATE referrals SET outcome = ?2, outcome_at = ?3 WHERE id = ?1 AND outcome IS NULL",
        params![r.id, code, now.timestamp()],
    )?;
    if n != 1 {
        return Err(StoreError::Conflict(
            "another session".into(),
            "just now".into(),
        ));
    }
    let met = deadlines::meet_by(
        w,
        id,
        &Happening::Outcome {
            route: r.route.clone(),
        },
        Some(r.id),
        me.id,
    )?;
    log(
        w,
        &c,
        &me,
        "outcome",
        &format!(
            "Outcome of referral #{} to {}{}: {label}.{note}{}",
            r.id,
            r.route_label,
            r.agency_reference
                .as_deref()
                .map(|x| format!(" (their reference {x})"))
                .unwrap_or_default(),
            meets(&met)
        ),
    )?;
    let mut message = format!(
        "{}: outcome of referral #{} recorded ({label})",
        c.reference, r.id
    );
    if removed {
        let ev = Event::RemovedFromRegulatedActivity;
        let mut facts = deadlines::facts(w.tx(), id)?;
        facts.event = Some(ev.code().into());
        facts.occurred_at = Some(now);
        let f = deadlines::fire(w, id, TriggerEvent::EventRecorded, &facts, now, None)?;
        let met = deadlines::meet_by(w, id, &Happening::Event(ev.code().into()), None, me.id)?;
        log(
            w,
            &c,
            &me,
            "note",
            &format!(
                "Event recorded: {}. The employer's duty to refer to the DBS applies (Safeguarding Vulnerable Groups Act 2006).{}{}",
                ev.label(),
                meets(&met),
                fired(&f)
            ),
        )?;
        message.push_str("; the DBS barring referral duty applies");
        if !f.set.is_empty() {
            message.push_str(&format!(" (deadline set: {})", f.set.join(", ")));
        }
    }
    Ok(done(&c, message))
}

/// Records a 999 call made for a case saved with immediate risk to life and
/// no call on the record (it stays at the top of the queue until then). `at`
/// is when the call was made (default now; not in the future, not before the
/// case was recorded less a day). Refused when a call is already recorded.
pub fn record_999(
    w: &mut Write<'_>,
    id: i64,
    at: Option<chrono::DateTime<chrono::Utc>>,
    note: &str,
    expected: Option<i64>,
) -> Result<Done> {
    let me = actor(w)?;
    let c = current(w, &me, id)?;
    check_version(&c, expected)?;
    let now = w.now();
    let at = at.unwrap_or(now);
    if at > now + chrono::Duration::seconds(60) {
        return Err(StoreError::Invalid(format!(
            "{} is in the future: record the call once it has been made",
            crate::domain::calendar::format_stamp(at)
        )));
    }
    let (called, immediate): (Option<i64>, bool) = w.tx().query_row(
        "SELECT emergency_called_at, immediate_risk FROM escalations WHERE id = ?1",
        [id],
        |r| Ok((r.get(0)?, r.get(1)?)),
    )?;
    if let Some(t) = called {
        return Err(StoreError::Refused(format!(
            "{}: a 999 call is already recorded, at {}",
            c.reference,
            crate::domain::calendar::format_stamp(super::instant(t))
        )));
    }
    let note = if note.trim().is_empty() {
        String::new()
    } else {
        format!(" {}", text("note", note, MAX_TEXT)?)
    };
    touch(w, &c, &me)?;
    w.tx().execute(
        "UPDATE escalations SET emergency_called_at = ?2 WHERE id = ?1",
        params![id, at.timestamp()],
    )?;
    log(
        w,
        &c,
        &me,
        "emergency_call",
        &format!(
            "999 called at {}, recorded by {}.{}{note}",
            crate::domain::calendar::format_stamp(at),
            me.display_name,
            if immediate {
                ""
            } else {
                " (the case was not marked as a risk to life)"
            }
        ),
    )?;
    Ok(done(&c, format!("{}: 999 call recorded", c.reference)))
}

/// Records that known FGM was reported to the police by the professional
/// who discovered it: their name and the police reference (the duty is
/// personal to them and cannot be passed on: FGM Act 2003 s5B; a DSL's own
/// police referral does not meet it). Meets the FGM deadlines. Refused on a
/// case not recorded as known FGM, or one already reported.
pub fn record_fgm_report(
    w: &mut Write<'_>,
    id: i64,
    by: &str,
    police_reference: &str,
    at: Option<chrono::DateTime<chrono::Utc>>,
    expected: Option<i64>,
) -> Result<Done> {
    let me = actor(w)?;
    let c = current(w, &me, id)?;
    check_version(&c, expected)?;
    let by = validate_line("who reported it", by, 100)
        .map_err(|e| StoreError::Invalid(e.to_string()))?;
    let reference = validate_line("police reference", police_reference, 80)
        .map_err(|e| StoreError::Invalid(e.to_string()))?;
    let now = w.now();
    let at = at.unwrap_or(now);
    if at > now + chrono::Duration::seconds(60) {
        return Err(StoreError::Invalid(format!(
            "{} is in the future: record the report once it has been made",
            crate::domain::calendar::format_stamp(at)
        )));
    }
    let (fgm, done_at): (Option<String>, Option<i64>) = w.tx().query_row(
        "SELECT fgm, fgm_reported_at FROM escalations WHERE id = ?1",
        [id],
        |r| Ok((r.get(0)?, r.get(1)?)),
    )?;
    if fgm.as_deref() != Some(crate::domain::escalation::Fgm::Known.code()) {
        return Err(StoreError::Invalid(format!(
            "{} is not recorded as known FGM: the police report duty is for FGM disclosed by the girl or seen",
            c.reference
        )));
    }
    if let Some(t) = done_at {
        return Err(StoreError::Refused(format!(
            "{}: the report to the police is already recorded, at {}",
            c.reference,
            crate::domain::calendar::format_stamp(super::instant(t))
        )));
    }
    touch(w, &c, &me)?;
    w.tx().execute(
        "UPDATE escalations SET fgm_reported_by = ?2, fgm_police_reference = ?3, fgm_reported_at = ?4
         WHERE id = ?1",
        params![id, by, reference, at.timestamp()],
    )?;
    let met = deadlines::meet_by_at(
        w,
        id,
        &Happening::Event(Event::FgmReported.code().into()),
        None,
        me.id,
        at.min(now),
    )?;
    log(
        w,
        &c,
        &me,
        "note",
        &format!(
            "Known FGM reported to the police by {by} (who discovered it), police reference {reference}, at {}.{}",
            crate::domain::calendar::format_stamp(at),
            meets(&met)
        ),
    )?;
    Ok(done(
        &c,
        format!("{}: report to the police recorded", c.reference),
    ))
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
        return Err(StoreError::Invalid(
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
pub(crate) fn seen_wherever(w: &Write<'_>, this: i64, that: i64) -> Result<bool> {
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
    } else if e.immediate_risk {
        escalations::add_chronology(
            w,
            id,
            me.id,
            now,
            "note",
            &format!(
                "Life at risk and no 999 call recorded: call 999 now, then record it (`dutydesk called-999 {reference}`). It stays at the top of the desk until then."
            ),
        )?;
    }
    // A concern recorded some time after it happened says so, with what was
    // already due (counted from when it happened).
    if let Some(occurred) = e.occurred_at
        && (e.raised_at - occurred).num_minutes() >= 1
    {
        let already: Vec<String> = super::deadlines::of_escalation(w.tx(), id)?
            .into_iter()
            .filter(|d| d.due_at <= e.raised_at)
            .map(|d| d.label)
            .collect();
        if let Some(l) = crate::domain::escalation::lateness(occurred, e.raised_at, already) {
            let place = e
                .occurred_place
                .as_deref()
                .map(|p| format!(", {p}"))
                .unwrap_or_default();
            let body = format!(
                "Recorded {} ({}{place}).{}",
                l.text,
                crate::domain::calendar::format_stamp(occurred),
                if l.late {
                    format!(
                        " Recorded late: already due when recorded: {}.",
                        l.already_due.join("; ")
                    )
                } else {
                    String::new()
                }
            );
            escalations::add_chronology(w, id, me.id, now, "note", &body)?;
        }
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
        return Err(StoreError::Invalid(
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
                    return Err(StoreError::Invalid(format!(
                        "{u} is given to both --{other} and --{what}: choose one"
                    )));
                }
            }
            seen.push((what, u));
        }
    }
    let staff = |u: &str| -> Result<StaffMember> {
        find_in(w.tx(), u.trim())?.ok_or_else(|| {
            StoreError::Invalid(format!(
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
                "{} is already restricted: nothing changed (leave out --restrict to change only the names)",
                c.reference
            )));
        }
        Some(false) if !c.restricted => {
            return Err(StoreError::Refused(format!(
                "{} is not restricted: nothing changed (leave out --unrestrict to change only the names)",
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
