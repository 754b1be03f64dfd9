//! The desk's forms: intake of a new concern, refer and close. Each is built
//! from the organisation's lists and read back into the store's types, with
//! every problem put next to its field.

use super::form::{Field, Form};
use super::layer::Target;
use crate::domain::escalation::{AgeBand, Consent, LocationType, Risk, SubjectKind, years_old};
use crate::domain::names::{About, decide};
use crate::domain::staff::StaffMember;
use crate::store::escalations::NewEscalation;
use crate::store::worker::{ReferOptions, Request, Verb};
use crate::store::workflow::{AccessChange, AccessLists, MAX_TEXT, Referral};
use chrono::{DateTime, Utc};

/// Which form is open, and what it acts on.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum FormKind {
    Intake,
    Refer(Target),
    Close(Target),
    /// Add (None) or edit a contact.
    Contact(Option<i64>),
    /// Who may see a record (senior leads), and who could before.
    Access(Target, Box<AccessLists>),
}

fn codes<T: Copy>(
    all: &[T],
    code: fn(T) -> &'static str,
    label: fn(T) -> &'static str,
) -> Vec<(String, String)> {
    all.iter()
        .map(|v| (code(*v).to_string(), label(*v).to_string()))
        .collect()
}

/// The intake form, in the order of the procedure: life at risk first. For
/// an allegation about staff it asks whether the person uses this desk:
/// "no", or one of `staff` (every account, deactivated ones too).
pub fn intake(categories: &[(String, String)], staff: &[StaffMember]) -> Form {
    let yes_no_consent = codes(Consent::ALL, Consent::code, Consent::label);
    Form::new(
        "New escalation",
        vec![
            Field::toggle("immediate", "Life at risk now?")
                .hint("If yes: CALL 999 NOW, then come back and record it"),
            Field::toggle("called_999", "999 called?")
                .hint("Only if someone's life is at risk now"),
            Field::choice(
                "subject",
                "About",
                codes(SubjectKind::ALL, SubjectKind::code, SubjectKind::label),
            )
            .required(),
            Field::text("name", "Name or pseudonym", 100).required(),
            Field::text("dob", "Date of birth", 10)
                .hint("YYYY-MM-DD, or leave empty and give an age"),
            Field::text("age", "Age (years)", 3),
            Field::text("area", "Area where they live", 80)
                .required()
                .hint("Decides which authority to refer to, e.g. Leicester, Rutland, Walsall"),
            Field::choice(
                "location",
                "Where it happened",
                codes(LocationType::ALL, LocationType::code, LocationType::label),
            ),
            Field::multi("categories", "Categories", categories.to_vec()).required(),
            Field::choice("risk", "Risk", codes(Risk::ALL, Risk::code, Risk::label)).required(),
            Field::multiline("words", "Their exact words", MAX_TEXT)
                .required()
                .hint("As said, not paraphrased"),
            Field::multiline("appearance", "How they appeared", 4000),
            Field::choice("consent", "Consent", yes_no_consent).required(),
            Field::text("consent_reason", "Consent: why", 4000)
                .hint("Consent is not needed to refer; record the reason either way"),
            Field::toggle("critical", "Critical incident?")
                .hint("Home Office report within one calendar day"),
            Field::toggle("restricted", "Restricted?")
                .hint("An allegation about a DSL: senior leads only"),
            Field::choice("about", "Uses this desk?", desk_users(staff))
                .shown_when("subject", SubjectKind::Staff.code())
                .hint("Is the person this is about a user of dutydesk? Choose their account (they will never see it; the case is restricted) or No"),
            Field::multiline("summary", "What happened", 4000),
        ],
    )
}

/// The answers to "does the person use this desk?": no, then every account.
fn desk_users(staff: &[StaffMember]) -> Vec<(String, String)> {
    let mut out = vec![(
        "none".to_string(),
        "No: not a user of this desk".to_string(),
    )];
    out.extend(staff.iter().map(|s| {
        (
            s.username.clone(),
            format!(
                "{} ({}, {}{})",
                s.display_name,
                s.username,
                s.role.label(),
                if s.active { "" } else { ", deactivated" }
            ),
        )
    }));
    out
}

/// Reads the intake form into a new escalation, or marks what is wrong.
/// `me` is the recorder's account, `staff` the staff list (for the store's
/// own check of "does the person use this desk?", run here first so the
/// problem sits next to its field).
pub fn read_intake(
    form: &mut Form,
    now: DateTime<Utc>,
    me: &StaffMember,
    staff: &[StaffMember],
) -> Option<Request> {
    form.clear_errors();
    let mut ok = true;
    let mut bad = |form: &mut Form, key: &str, msg: String| {
        form.set_error(key, msg);
        ok = false;
    };
    let today = crate::domain::calendar::local(now).date_naive();
    let dob_text = form.text("dob").trim().to_string();
    let age_text = form.text("age").trim().to_string();
    let (dob, band) = if !dob_text.is_empty() {
        match chrono::NaiveDate::parse_from_str(&dob_text, "%Y-%m-%d") {
            Ok(d) => match years_old(d, today) {
                Some(y) => (Some(d.to_string()), AgeBand::from_years(y)),
                None => {
                    bad(
                        form,
                        "dob",
                        "a date of birth cannot be in the future".into(),
                    );
                    (None, AgeBand::Unknown)
                }
            },
            Err(_) => {
                bad(form, "dob", "not a date: use YYYY-MM-DD".into());
                (None, AgeBand::Unknown)
            }
        }
    } else if !age_text.is_empty() {
        match age_text.parse::<u32>() {
            Ok(y) if y <= 120 => (None, AgeBand::from_years(y)),
            _ => {
                bad(form, "age", "an age in whole years, 0 to 120".into());
                (None, AgeBand::Unknown)
            }
        }
    } else {
        (None, AgeBand::Unknown)
    };
    let subject = form.choice("subject").and_then(SubjectKind::from_code);
    if subject == Some(SubjectKind::Child) && band.is_adult() {
        bad(
            form,
            "subject",
            "a child is under 18: check the age or choose adult".into(),
        );
    }
    let line = |form: &Form, key: &'static str, max| {
        crate::domain::text::validate_line(key, form.text(key), max)
    };
    let name = line(form, "name", 100);
    if let Err(e) = &name {
        bad(form, "name", e.to_string());
    }
    let area = line(form, "area", 80);
    if let Err(e) = &area {
        bad(form, "area", e.to_string());
    }
    let words = crate::domain::text::validate_block("exact words", form.text("words"), MAX_TEXT);
    if let Err(e) = &words {
        bad(form, "words", e.to_string());
    }
    if form.checked("categories").is_empty() {
        bad(form, "categories", "choose at least one".into());
    }
    let about = match form.choice("about") {
        _ if subject != Some(SubjectKind::Staff) => About::Unanswered,
        None => About::Unanswered,
        Some(code) => About::parse(code),
    };
    if subject == Some(SubjectKind::Staff) {
        if about == About::Unanswered {
            bad(
                form,
                "about",
                "say whether the person this is about uses this desk: their account, or No".into(),
            );
        } else if let Err(e) = decide(true, form.text("name"), &about, staff, &me.username) {
            bad(form, "about", e);
        }
    }
    let immediate = form.toggle("immediate");
    let called = form.toggle("called_999");
    if called && !immediate {
        bad(
            form,
            "called_999",
            "only when someone's life is at risk now".into(),
        );
    }
    let (Some(subject), Some(risk), Some(consent), Ok(name), Ok(area), Ok(words), true) = (
        subject,
        form.choice("risk").and_then(Risk::from_code),
        form.choice("consent").and_then(Consent::from_code),
        name,
        area,
        words,
        ok,
    ) else {
        for key in ["subject", "risk", "consent"] {
            if form.choice(key).is_none() {
                form.set_error(key, "required");
            }
        }
        return None;
    };
    let opt = |s: &str| {
        let t = s.trim();
        (!t.is_empty()).then(|| t.to_string())
    };
    let e = NewEscalation {
        subject_kind: subject,
        subject_name: name,
        subject_dob: dob,
        age_band: band,
        area,
        location_type: form
            .choice("location")
            .and_then(LocationType::from_code)
            .unwrap_or(LocationType::Unknown),
        risk,
        raised_by: me.display_name.clone(),
        raised_at: now,
        occurred_at: None,
        occurred_place: None,
        exact_words: words,
        appearance: opt(form.text("appearance")),
        consent,
        consent_reason: opt(form.text("consent_reason")),
        immediate_risk: immediate,
        critical_incident: form.toggle("critical"),
        restricted: form.toggle("restricted"),
        categories: form
            .checked("categories")
            .iter()
            .map(|c| c.to_string())
            .collect(),
        low_level: false,
        work_area: None,
        works_with: None,
        fgm: None,
    };
    Some(Request::Create {
        escalation: Box::new(e),
        called_999: called,
        summary: form.text("summary").to_string(),
        about,
    })
}

/// The close form: an outcome from the organisation's list and a rationale.
pub fn close(t: &Target, outcomes: &[String]) -> Form {
    Form::new(
        &format!("Close {}", t.reference),
        vec![
            Field::choice(
                "outcome",
                "Outcome",
                outcomes.iter().map(|o| (o.clone(), o.replace('-', " "))).collect(),
            )
            .required(),
            Field::multiline("rationale", "Rationale", MAX_TEXT)
                .required()
                .hint("Why this outcome; high-risk, domestic-abuse and referred cases need a second DSL"),
        ],
    )
}

pub fn read_close(form: &mut Form, t: &Target) -> Option<(String, Request)> {
    form.clear_errors();
    let Some(outcome) = form.choice("outcome").map(str::to_string) else {
        form.set_error("outcome", "required");
        return None;
    };
    if let Err(e) =
        crate::domain::text::validate_block("rationale", form.text("rationale"), MAX_TEXT)
    {
        form.set_error("rationale", e.to_string());
        return None;
    }
    Some((
        format!("Close {} as {}?", t.reference, outcome.replace('-', " ")),
        Request::Act {
            id: t.id,
            version: t.version,
            verb: Verb::Close {
                outcome,
                rationale: form.text("rationale").to_string(),
                choices: Vec::new(),
            },
        },
    ))
}

/// The refer form: the routes that fit first, each contact with whether it
/// is open now and what to ring instead.
pub fn refer(t: &Target, o: &ReferOptions) -> Form {
    let routes = o
        .suggestions
        .iter()
        .map(|s| {
            (
                s.route.code().to_string(),
                format!("{}: {}", s.route.code().replace('_', " "), s.why),
            )
        })
        .collect();
    let mut contacts: Vec<(String, String)> = vec![("".into(), "none / other".into())];
    for (route, a) in &o.contacts {
        // The state first, so a narrow screen never cuts off "ring this instead".
        let c = &a.contact;
        let now = if a.open_now {
            format!("open, {}", a.when)
        } else if a.ring != c.phone {
            format!(
                "CLOSED: ring {} ({})",
                a.ring.as_deref().unwrap_or("?"),
                a.ring_service
            )
        } else {
            format!("CLOSED, {}", a.when)
        };
        contacts.push((
            c.id.to_string(),
            format!(
                "[{now}] {route}: {} {} {}",
                c.phone.as_deref().unwrap_or(""),
                c.organisation,
                c.service,
            ),
        ));
    }
    let methods = [
        "phone",
        "form",
        "email",
        "secure_email",
        "in_person",
        "other",
    ]
    .iter()
    .map(|m| (m.to_string(), m.replace('_', " ")))
    .collect();
    let mut route = Field::choice("route", "Route", routes).required();
    if let Some(first) = o.suggestions.first() {
        route = route.with_choice(first.route.code());
    }
    Form::new(
        &format!("Refer {}", t.reference),
        vec![
            route,
            Field::choice("contact", "Contact", contacts)
                .hint("Contacts for the suggested routes, for the area where they live"),
            Field::choice("method", "How", methods).with_choice("phone"),
            Field::text("their_ref", "Their reference", 80),
            Field::multiline("shared", "What was shared", 4000).required(),
            Field::text("why", "Why it was shared", 4000)
                .with_text("to protect a child or adult at risk from harm")
                .required(),
        ],
    )
}

pub fn read_refer(form: &mut Form, t: &Target) -> Option<(String, Request)> {
    form.clear_errors();
    let Some(route) = form.choice("route").map(str::to_string) else {
        form.set_error("route", "required");
        return None;
    };
    if let Err(e) =
        crate::domain::text::validate_block("what was shared", form.text("shared"), 4000)
    {
        form.set_error("shared", e.to_string());
        return None;
    }
    if let Err(e) = crate::domain::text::validate_block("why", form.text("why"), 4000) {
        form.set_error("why", e.to_string());
        return None;
    }
    let contact_id = form.choice("contact").and_then(|c| c.parse::<i64>().ok());
    let theirs = form.text("their_ref").trim().to_string();
    let r = Referral {
        route: route.clone(),
        contact_id,
        method: form.choice("method").unwrap_or("phone").to_string(),
        agency_reference: (!theirs.is_empty()).then_some(theirs),
        shared_what: form.text("shared").to_string(),
        shared_why: form.text("why").to_string(),
        lawful_basis: None,
        ..Default::default()
    };
    Some((
        format!(
            "Record the referral of {} to {}?",
            t.reference,
            route.replace('_', " ")
        ),
        Request::Act {
            id: t.id,
            version: t.version,
            verb: Verb::Refer(r),
        },
    ))
}

/// The contact form; `others` are the contacts it may fall back to.
pub fn contact(c: Option<&crate::domain::contact::Contact>, others: &[(i64, String)]) -> Form {
    const ROUTES: &[&str] = &[
        "children",
        "adults",
        "lado",
        "marac",
        "police",
        "emergency",
        "nrm",
        "dbs",
        "home_office",
        "other",
    ];
    let routes = ROUTES
        .iter()
        .map(|r| (r.to_string(), r.replace('_', " ")))
        .collect();
    let mut fallbacks: Vec<(String, String)> = vec![(String::new(), "none".into())];
    fallbacks.extend(
        others
            .iter()
            .filter(|(id, _)| Some(*id) != c.map(|c| c.id))
            .map(|(id, label)| (id.to_string(), label.clone())),
    );
    let text = |key, label, max, v: Option<&str>| {
        let f = Field::text(key, label, max);
        match v {
            Some(v) => f.with_text(v),
            None => f,
        }
    };
    let mut route = Field::choice("route", "Route", routes).required();
    let mut fallback = Field::choice("fallback", "Out of hours, ring", fallbacks)
        .hint("The contact to ring when this one is closed");
    if let Some(c) = c {
        route = route.with_choice(&c.route);
        if let Some(f) = c.fallback_id {
            fallback = fallback.with_choice(&f.to_string());
        }
    }
    Form::new(
        &match c {
            Some(c) => format!("Edit contact: {} {}", c.organisation, c.service),
            None => "New contact".to_string(),
        },
        vec![
            text(
                "organisation",
                "Organisation",
                120,
                c.map(|c| c.organisation.as_str()),
            )
            .required(),
            text("service", "Service", 120, c.map(|c| c.service.as_str())).required(),
            route,
            text("area", "Area", 80, c.and_then(|c| c.area.as_deref()))
                .hint("Leave empty for a service that covers every area"),
            text("phone", "Phone", 40, c.and_then(|c| c.phone.as_deref())).required(),
            text("hours", "Hours", 200, c.map(|c| c.hours_text.as_str()))
                .hint("24/7, or e.g. Mon-Thu 08:30-17:00; Fri 08:30-16:30 (empty: never open)"),
            Field::toggle("bank", "Open bank holidays?")
                .with_toggle(c.is_some_and(|c| c.hours.open_on_bank_holidays)),
            fallback,
            text("email", "E-mail", 200, c.and_then(|c| c.email.as_deref())),
            text("web", "Web address", 400, c.and_then(|c| c.web.as_deref())),
            Field::multiline("notes", "Notes", 4000)
                .with_text(c.and_then(|c| c.notes.as_deref()).unwrap_or("")),
        ],
    )
}

/// Reads the contact form, checking each field as the store will.
pub fn read_contact(form: &mut Form, id: Option<i64>) -> Option<Request> {
    form.clear_errors();
    let input = crate::store::contacts::ContactInput {
        organisation: form.text("organisation").to_string(),
        service: form.text("service").to_string(),
        route: form.choice("route").unwrap_or("").to_string(),
        area: form.text("area").to_string(),
        phone: form.text("phone").to_string(),
        email: form.text("email").to_string(),
        web: form.text("web").to_string(),
        notes: form.text("notes").to_string(),
        hours: form.text("hours").to_string(),
        open_on_bank_holidays: form.toggle("bank"),
        fallback_id: form.choice("fallback").and_then(|f| f.parse().ok()),
    };
    if let Err(e) = crate::store::contacts::check(&input) {
        form.set_error(e.field, e.message);
        return None;
    }
    Some(Request::SaveContact {
        id,
        input: Box::new(input),
    })
}

/// The access form (senior leads, from the record): restricted or not, who is
/// named, who is excluded, and why. `staff` is every account.
pub fn access(t: &Target, now: &AccessLists, staff: &[StaffMember]) -> Form {
    let people: Vec<(String, String)> = staff
        .iter()
        .map(|s| {
            (
                s.username.clone(),
                format!("{} ({})", s.display_name, s.username),
            )
        })
        .collect();
    fn ticked(list: &[String]) -> Vec<&str> {
        list.iter().map(String::as_str).collect()
    }
    Form::new(
        &format!("Who may see {}", t.reference),
        vec![
            Field::toggle("restricted", "Restricted?")
                .with_toggle(now.restricted)
                .hint("Restricted: only senior leads and the staff named below"),
            Field::multi("named", "Named", people.clone())
                .with_checked(&ticked(&now.named))
                .hint("May see it while it is restricted"),
            Field::multi("excluded", "Excluded", people)
                .with_checked(&ticked(&now.excluded))
                .hint("Never see it, restricted or not: the person it is about"),
            Field::text("reason", "Why", 4000)
                .required()
                .hint("Kept in the chronology"),
        ],
    )
}

/// Reads the access form as a change from `before`, put to the user as a
/// yes/no question; nothing changed is a problem on the form.
pub fn read_access(form: &mut Form, t: &Target, before: &AccessLists) -> Option<(String, Request)> {
    form.clear_errors();
    let named: Vec<String> = form
        .checked("named")
        .iter()
        .map(|s| s.to_string())
        .collect();
    let excluded: Vec<String> = form
        .checked("excluded")
        .iter()
        .map(|s| s.to_string())
        .collect();
    if let Some(both) = named.iter().find(|u| excluded.contains(u)) {
        form.set_error("excluded", format!("{both} is also named: choose one"));
        return None;
    }
    let gone = |was: &[String], now: &[String]| -> Vec<String> {
        was.iter().filter(|u| !now.contains(u)).cloned().collect()
    };
    let restricted = form.toggle("restricted");
    let change = AccessChange {
        restrict: (restricted != before.restricted).then_some(restricted),
        name: gone(&named, &before.named),
        unname: gone(&before.named, &named),
        exclude: gone(&excluded, &before.excluded),
        unexclude: gone(&before.excluded, &excluded),
        reason: form.text("reason").to_string(),
    };
    if change.is_empty() {
        form.error = Some("Nothing changed: tick or untick someone, or change Restricted".into());
        return None;
    }
    if let Err(e) = crate::domain::text::validate_block("reason", &change.reason, 4000) {
        form.set_error("reason", e.to_string());
        return None;
    }
    Some((
        format!("Change who may see {}?", t.reference),
        Request::Act {
            id: t.id,
            version: t.version,
            verb: Verb::Access(change),
        },
    ))
}
