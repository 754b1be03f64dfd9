//! The desk's forms: intake of a new concern, refer and close. Each is built
//! from the organisation's lists and read back into the store's types, with
//! every problem put next to its field.

use super::form::{Field, Form};
use super::layer::Target;
use crate::domain::area::Area;
use crate::domain::escalation::{Consent, LocationType, Risk, SubjectKind, WorksWith, years_old};
use crate::domain::intake::{self, long_date, parse_uk_date};
use crate::domain::names::{About, decide};
use crate::domain::route::Route;
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
    /// Hold a review series' meeting now: its code and name.
    Hold {
        series: String,
        name: String,
    },
    /// The decision on a held review item: its id and what it is about.
    Decision {
        item: i64,
        label: String,
    },
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

/// The intake form, in the order of the procedure: life at risk first. The
/// questions about a member of staff (where they work, whom with, a
/// low-level concern, whether they use this desk) show only for a staff
/// subject, the expected date only for a child. Checked by
/// [`intake::check`], as `dutydesk new` is.
pub fn intake(categories: &[(String, String)], staff: &[StaffMember]) -> Form {
    let staff_code = SubjectKind::Staff.code();
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
            .required()
            .hint("A child is under 18 (an unborn child too); an adult at risk is 18 or over"),
            Field::text("name", "Name or pseudonym", 100).required(),
            Field::text("dob", "Date of birth", 20).hint(DOB_HINT),
            Field::text("expected", "Expected (unborn)", 20)
                .shown_when("subject", SubjectKind::Child.code())
                .hint(EXPECTED_HINT),
            Field::text("age", "Age (years)", 3)
                .hint("Whole years when the date of birth is not known (0 for a baby under 1)"),
            Field::text("area", "Area where they live", 80)
                .required()
                .hint("Decides which authority to refer to: one of your organisation's areas, or \"unknown\""),
            Field::text("work_area", "Area where they work", 80)
                .shown_when("subject", staff_code)
                .hint(WORK_AREA_HINT),
            Field::choice(
                "works_with",
                "Works with",
                codes(WorksWith::ALL, WorksWith::code, WorksWith::label),
            )
            .shown_when("subject", staff_code)
            .hint("Children: the LADO; adults at risk: the PiPoT lead in adult safeguarding (children if not said)"),
            Field::toggle("low_level", "Low-level concern?")
                .shown_when("subject", staff_code)
                .hint("KCSIE Part 4 s2: recorded, but no LADO referral and no LADO deadline (refer if the harm threshold is met)"),
            Field::choice("about", "Uses this desk?", desk_users(staff))
                .shown_when("subject", staff_code)
                .hint("Is the person this is about a user of dutydesk? Choose their account (they will never see it; the case is restricted) or No"),
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
            Field::choice(
                "consent",
                "Consent",
                codes(Consent::ALL, Consent::code, Consent::label),
            )
            .required()
            .hint("Consent is not needed to refer; the decision is recorded either way"),
            Field::text("consent_reason", "Consent: why", 4000).hint(
                "Needed unless consent was given (or is still awaited): why the information is shared without it",
            ),
            Field::toggle("critical", "Critical incident?")
                .hint("Home Office report within one calendar day"),
            Field::toggle("restricted", "Restricted?")
                .hint("An allegation about a DSL: senior leads only"),
            Field::multiline("summary", "What happened", 4000),
        ],
    )
}

const DOB_HINT: &str = "As you write it: 02/03/2014 is 2 March 2014 (2014-03-02 too); or leave it empty and give an age";
const EXPECTED_HINT: &str = "An unborn child (a pre-birth referral): the expected date of birth, e.g. 01/03/2027; leave the date of birth and age empty";
const WORK_AREA_HINT: &str =
    "Their LADO (or PiPoT lead) is the one where they work; empty: where they live";

/// Says back, under the fields, what the intake form's dates and areas will
/// be read as, while they are typed: "2 March 2014 (aged 12)", "Rutland",
/// or the nearest areas to a name that is not on the list. `today` is the
/// UK date; `areas` the organisation's list (empty: none kept, or not
/// loaded yet, and the store checks again).
pub fn intake_follow(form: &mut Form, today: chrono::NaiveDate, areas: &[Area]) {
    let date = |typed: &str, unborn: bool, default: &str| -> String {
        if typed.trim().is_empty() {
            return default.to_string();
        }
        match parse_uk_date(typed) {
            Ok(d) if unborn => format!("Read as {} (unborn)", long_date(d)),
            Ok(d) => match years_old(d, today) {
                Some(y) => format!("Read as {} (aged {y})", long_date(d)),
                None => format!(
                    "Read as {}: in the future (for an unborn child give the expected date)",
                    long_date(d)
                ),
            },
            Err(e) => e,
        }
    };
    let dob = date(form.text("dob"), false, DOB_HINT);
    form.set_hint("dob", Some(dob));
    let expected = date(form.text("expected"), true, EXPECTED_HINT);
    form.set_hint("expected", Some(expected));
    let listed = || {
        let names: Vec<&str> = areas
            .iter()
            .filter(|a| a.active)
            .map(|a| a.name.as_str())
            .collect();
        match names.len() {
            0 => String::new(),
            n if n <= 8 => format!(" ({})", names.join(", ")),
            n => format!(" ({} and {} more)", names[..8].join(", "), n - 8),
        }
    };
    for (key, field, default) in [
        ("area", "area where they live", None),
        ("work_area", "area where they work", Some(WORK_AREA_HINT)),
    ] {
        let typed = form.text(key).trim().to_string();
        let hint = if typed.is_empty() {
            match default {
                Some(d) => d.to_string(),
                None => format!(
                    "Decides which authority to refer to: one of your organisation's areas{}, or \"unknown\"",
                    listed()
                ),
            }
        } else {
            match crate::domain::area::resolve(&typed, areas, field) {
                Ok(name) if name.eq_ignore_ascii_case(&typed) => format!("On the list: {name}"),
                Ok(name) => format!("Read as {name}"),
                Err(e) => e.message,
            }
        };
        form.set_hint(key, Some(hint));
    }
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

/// Reads the intake form into a new escalation, or marks what is wrong,
/// each problem next to its field. The subject, age, dates, area, staff
/// questions, consent and categories are checked by [`intake::check`] (the
/// rules `dutydesk new` applies); the exact words, risk and "does the person
/// use this desk?" here. Fields hidden for this subject count as empty.
/// `me` is the recorder's account, `staff` the staff list, `areas` the
/// organisation's areas.
pub fn read_intake(
    form: &mut Form,
    now: DateTime<Utc>,
    me: &StaffMember,
    staff: &[StaffMember],
    areas: &[Area],
) -> Option<Request> {
    form.clear_errors();
    let today = crate::domain::calendar::local(now).date_naive();
    let subject = form.choice("subject").and_then(SubjectKind::from_code);
    let is_staff = subject == Some(SubjectKind::Staff);
    let shown_text = |form: &Form, key: &str, shown: bool| {
        if shown {
            form.text(key).to_string()
        } else {
            String::new()
        }
    };
    let input = intake::Input {
        subject,
        name: form.text("name").to_string(),
        dob: form.text("dob").to_string(),
        expected: shown_text(form, "expected", subject == Some(SubjectKind::Child)),
        age: form.text("age").to_string(),
        area: form.text("area").to_string(),
        work_area: shown_text(form, "work_area", is_staff),
        works_with: form
            .choice("works_with")
            .and_then(WorksWith::from_code)
            .filter(|_| is_staff),
        low_level: is_staff && form.toggle("low_level"),
        consent: form.choice("consent").and_then(Consent::from_code),
        consent_reason: form.text("consent_reason").to_string(),
        location: form.choice("location").and_then(LocationType::from_code),
        categories: form
            .checked("categories")
            .iter()
            .map(|c| c.to_string())
            .collect(),
        immediate_risk: form.toggle("immediate"),
        called_999: form.toggle("called_999"),
    };
    let checked = match intake::check(&input, today, areas) {
        Ok(c) => Some(c),
        Err(problems) => {
            for p in problems {
                form.set_error(p.field, p.message);
            }
            None
        }
    };
    let words = crate::domain::text::validate_block("exact words", form.text("words"), MAX_TEXT);
    if let Err(e) = &words {
        form.set_error("words", e.to_string());
    }
    let risk = form.choice("risk").and_then(Risk::from_code);
    if risk.is_none() {
        form.set_error("risk", "choose the risk: high, medium or low");
    }
    let about = match form.choice("about") {
        _ if !is_staff => About::Unanswered,
        None => About::Unanswered,
        Some(code) => About::parse(code),
    };
    let mut about_ok = true;
    if is_staff {
        if about == About::Unanswered {
            form.set_error(
                "about",
                "say whether the person this is about uses this desk: their account, or No",
            );
            about_ok = false;
        } else if let Err(e) = decide(true, form.text("name"), &about, staff, &me.username) {
            form.set_error("about", e);
            about_ok = false;
        }
    }
    let (Some(c), Ok(words), Some(risk), true) = (checked, words, risk, about_ok) else {
        return None;
    };
    let opt = |s: &str| {
        let t = s.trim();
        (!t.is_empty()).then(|| t.to_string())
    };
    let e = NewEscalation {
        subject_kind: c.subject,
        subject_name: c.name,
        subject_dob: c.dob.map(|d| d.to_string()),
        age_band: c.age_band,
        area: c.area,
        location_type: c.location,
        risk,
        raised_by: me.display_name.clone(),
        raised_at: now,
        occurred_at: None,
        occurred_place: None,
        exact_words: words,
        appearance: opt(form.text("appearance")),
        consent: c.consent,
        consent_reason: c.consent_reason,
        immediate_risk: input.immediate_risk,
        critical_incident: form.toggle("critical"),
        restricted: form.toggle("restricted"),
        categories: c.categories,
        low_level: c.low_level,
        work_area: c.work_area,
        works_with: c.works_with,
        fgm: None,
    };
    Some(Request::Create {
        escalation: Box::new(e),
        called_999: input.called_999,
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

/// A contact offered on the refer form, as its choice reads: whether it is
/// open now and, when shut, the number to ring instead and for whom, then
/// the route, the number, the service.
fn contact_label(route: &str, a: &crate::domain::contact::Answer) -> String {
    // The state first, so a narrow screen never cuts off "ring this instead".
    let c = &a.contact;
    let now = if a.open_now {
        format!("open, {}", a.when)
    } else if a.ring != c.phone {
        format!(
            "CLOSED: ring {} ({}) for {}",
            a.ring.as_deref().unwrap_or("?"),
            a.ring_service,
            a.ring_for
        )
    } else {
        format!("CLOSED, {}", a.when)
    };
    format!(
        "[{now}] {}: {} {} {}",
        route.replace('_', " "),
        c.phone.as_deref().unwrap_or(""),
        c.organisation,
        c.service,
    )
}

/// The contact of the refer form's `contact` choice (by its id), if one.
fn chosen_contact<'a>(
    form: &Form,
    o: &'a ReferOptions,
) -> Option<&'a (String, crate::domain::contact::Answer)> {
    let id: i64 = form.choice("contact")?.parse().ok()?;
    o.contacts.iter().find(|(_, a)| a.contact.id == id)
}

/// The refer form: every route, the fitting ones first, each with its reason
/// (the same list as `dutydesk routes`); the contacts for the fitting routes
/// with whether each is open now and what to ring instead, and for whom;
/// the number actually rung (filled from the contact, changeable); and, when
/// an adult's NRM referral lacks recorded consent, a tick to confirm it has
/// now been given. [`refer_follow`] keeps the reasons, the warning, the
/// contact and the number in step with the choices.
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
        contacts.push((a.contact.id.to_string(), contact_label(route, a)));
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
    let mut fields = vec![route];
    // Only where an adult's NRM referral would lack consent.
    if o.suggestions
        .iter()
        .any(|s| s.route == Route::Nrm && s.warning.is_some())
    {
        fields.push(
            Field::toggle("consented", "Consented (NRM)?")
                .shown_when("route", Route::Nrm.code())
                .hint("Tick only if the adult has now given informed consent to the NRM referral (written in the chronology); otherwise choose ms1, the duty to notify"),
        );
    }
    fields.extend([
        Field::choice("contact", "Contact", contacts)
            .hint("Contacts for the suggested routes, for the area where they live (where they work, for the LADO and PiPoT)"),
        Field::choice("method", "How", methods).with_choice("phone"),
        Field::text("number", "Number rung", 40)
            .shown_when("method", "phone")
            .hint("The number you actually rang: filled from the contact (its out-of-hours line while it is shut); change it if you rang another"),
        Field::text("their_ref", "Their reference", 80),
        Field::multiline("shared", "What was shared", 4000).required(),
        Field::text("why", "Why it was shared", 4000)
            .with_text("to protect a child or adult at risk from harm")
            .required(),
    ]);
    let mut form = Form::new(&format!("Refer {}", t.reference), fields);
    let mut follow = ReferFollow::default();
    follow.apply(&mut form, o);
    // Filled in by the form itself: not yet the user's typing.
    form.settle();
    form
}

/// What the refer form filled in by itself, so the user's own choices are
/// never overwritten: the contact follows the route until the user picks
/// one, and the number follows the contact until the user types one.
#[derive(Debug, Clone, Default)]
pub struct ReferFollow {
    route: Option<String>,
    contact: Option<String>,
    /// The contact was chosen by the form, not the user.
    contact_auto: bool,
    /// The number the form put in (the user has not changed it).
    number_auto: String,
    started: bool,
}

impl ReferFollow {
    /// Following a form whose choices are the user's own (a restored
    /// draft): its contact stays; its number follows only if it is the
    /// contact's own.
    pub fn taking(form: &Form, o: &ReferOptions) -> ReferFollow {
        ReferFollow {
            route: form.choice("route").map(str::to_string),
            contact: form.choice("contact").map(str::to_string),
            contact_auto: false,
            number_auto: chosen_contact(form, o)
                .and_then(|(_, a)| a.ring.clone())
                .unwrap_or_default(),
            started: true,
        }
    }

    /// Brings the refer form in step with its choices: the chosen route's
    /// reason under it and its warning pinned above the fields (an adult's
    /// NRM referral without consent: MS1 instead), the first contact for the
    /// route unless the user chose one, and the number to ring now with
    /// whom it is for.
    pub fn apply(&mut self, form: &mut Form, o: &ReferOptions) {
        let route = form.choice("route").map(str::to_string);
        let mut contact = form.choice("contact").map(str::to_string);
        if !self.started {
            self.started = true;
            self.contact_auto = true;
            self.number_auto = form.text("number").to_string();
        } else if contact != self.contact {
            // The user moved the contact themselves.
            self.contact_auto = false;
        }
        if route != self.route && self.contact_auto {
            let first = o
                .contacts
                .iter()
                .find(|(r, _)| Some(r.as_str()) == route.as_deref())
                .map(|(_, a)| a.contact.id.to_string());
            // None found: the explicit "none / other".
            form.set_choice("contact", Some(first.as_deref().unwrap_or("")));
            contact = form.choice("contact").map(str::to_string);
        }
        self.route = route.clone();
        if contact != self.contact || form.text("number") == self.number_auto {
            let ring = chosen_contact(form, o)
                .and_then(|(_, a)| a.ring.clone())
                .unwrap_or_default();
            if form.text("number") == self.number_auto && ring != self.number_auto {
                form.set_text("number", &ring);
                self.number_auto = ring;
            }
        }
        self.contact = contact;
        let s = route
            .as_deref()
            .and_then(|r| o.suggestions.iter().find(|s| s.route.code() == r));
        form.set_hint(
            "route",
            s.map(|s| {
                if s.fits {
                    format!("Fits this case: {}", s.why)
                } else {
                    format!(
                        "{}: not among the routes that fit this case; choose it only if you know why",
                        s.route.label()
                    )
                }
            }),
        );
        let contact_hint = match chosen_contact(form, o) {
            Some((_, a)) if a.open_now => format!(
                "Open now ({}): ring {}, for {}",
                a.when,
                a.ring.as_deref().unwrap_or("(no number)"),
                a.ring_for
            ),
            Some((_, a)) if a.ring_id != a.contact.id => format!(
                "Shut now ({}): ring {} instead ({}), for {}",
                a.when,
                a.ring.as_deref().unwrap_or("(no number)"),
                a.ring_service,
                a.ring_for
            ),
            Some((_, a)) => format!(
                "Shut now ({}), with no out-of-hours line: for {}; urgent matters go to the police or 999",
                a.when, a.ring_for
            ),
            None => "Contacts for the suggested routes, for the area where they live (where they work, for the LADO and PiPoT)".to_string(),
        };
        form.set_hint("contact", Some(contact_hint));
        let number_hint = match chosen_contact(form, o) {
            Some((_, a)) => format!(
                "{} is for {}: {} ({}); change it if you rang another",
                a.ring.as_deref().unwrap_or("No number"),
                a.ring_for,
                a.ring_service,
                if a.open_now {
                    "open now".to_string()
                } else if a.ring_id != a.contact.id {
                    format!("{} is shut: its out-of-hours line", a.contact.service)
                } else {
                    a.when.clone()
                }
            ),
            None => "The number you actually rang (no contact chosen)".to_string(),
        };
        form.set_hint("number", Some(number_hint));
        let mut warn: Vec<String> = Vec::new();
        if let Some(w) = s.and_then(|s| s.warning.clone()) {
            if s.is_some_and(|s| s.route == Route::Nrm) && form.toggle("consented") {
                // Consent confirmed now: the warning has been answered.
            } else {
                warn.push(w);
            }
        }
        warn.extend(o.notes.iter().cloned());
        form.warning = (!warn.is_empty()).then(|| warn.join(" · "));
    }
}

/// Reads the refer form as a referral, put to the user as a question that
/// names the route and the number rung; `o` are the form's choices.
pub fn read_refer(
    form: &mut Form,
    t: &Target,
    o: Option<&ReferOptions>,
) -> Option<(String, Request)> {
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
    let method = form.choice("method").unwrap_or("phone").to_string();
    let number = form.text("number").trim().to_string();
    let phone_rung = (method == "phone" && !number.is_empty()).then_some(number);
    if let Some(p) = &phone_rung
        && let Err(e) = crate::domain::contact::check_phone(p)
    {
        form.set_error("number", e.to_string());
        return None;
    }
    let consented = form.has("consented") && route == Route::Nrm.code() && form.toggle("consented");
    let contact_id = form.choice("contact").and_then(|c| c.parse::<i64>().ok());
    let theirs = form.text("their_ref").trim().to_string();
    let r = Referral {
        route: route.clone(),
        contact_id,
        method,
        agency_reference: (!theirs.is_empty()).then_some(theirs),
        shared_what: form.text("shared").to_string(),
        shared_why: form.text("why").to_string(),
        lawful_basis: None,
        phone_rung: phone_rung.clone(),
        consented,
    };
    let label = Route::from_code(&route).map_or(route.replace('_', " "), |r| r.label().to_string());
    let rung = match (&phone_rung, o.and_then(|o| chosen_contact(form, o))) {
        (Some(p), Some((_, a))) if a.ring.as_deref() == Some(p.as_str()) => {
            format!(", rung on {p} (for {})", a.ring_for)
        }
        (Some(p), _) => format!(", rung on {p}"),
        (None, _) => String::new(),
    };
    let consent = if consented {
        " The adult's consent to the NRM is recorded with it."
    } else {
        ""
    };
    Some((
        format!(
            "Record the referral of {} to {label}{rung}?{consent}",
            t.reference
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
    let routes = codes(Route::ALL, Route::code, Route::label);
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

/// Holding a review meeting: who attended (kept with the meeting), then a
/// question, since holding keeps the agenda and sets the next meeting.
pub fn hold(name: &str) -> Form {
    Form::new(
        &format!("Hold the {name} meeting now"),
        vec![
            Field::text("attendees", "Who attended", 2000)
                .required()
                .hint("e.g. Sam Reed, Nina Patel, Jo Brennan: kept with the meeting"),
        ],
    )
}

/// Reads the hold form as a question and its request.
pub fn read_hold(form: &mut Form, series: &str, name: &str) -> Option<(String, Request)> {
    form.clear_errors();
    if let Err(e) = crate::domain::text::validate_line("attendees", form.text("attendees"), 2000) {
        form.set_error("attendees", e.to_string());
        return None;
    }
    Some((
        format!(
            "Record the {name} meeting as held now? Its agenda is kept as it stands, items added by hand and not reviewed roll on, and the next meeting is set."
        ),
        Request::HoldReview {
            series: series.to_string(),
            attendees: form.text("attendees").to_string(),
        },
    ))
}

/// The decision on a held review item: what was discussed and decided, and
/// an action if one was agreed (who does it, by when: it counts down among
/// its owner's deadlines). `staff` is every account (active DSLs, deputies
/// and senior leads are offered as owners).
pub fn decision(label: &str, staff: &[StaffMember]) -> Form {
    let owners: Vec<(String, String)> = staff
        .iter()
        .filter(|s| s.active && s.role != crate::domain::staff::Role::Viewer)
        .map(|s| {
            (
                s.username.clone(),
                format!("{} ({})", s.display_name, s.username),
            )
        })
        .collect();
    Form::new(
        &format!("Decision on {label}"),
        vec![
            Field::multiline("discussion", "Discussion", 20_000).required(),
            Field::text("decision", "Decision", 4000).required(),
            Field::text("action", "Action agreed", 2000)
                .hint("If an action was agreed: what (it counts down among its owner's deadlines); else leave empty"),
            Field::choice("owner", "Action owner", owners)
                .hint("Who does it: they must be allowed to see the case"),
            Field::text("due", "Action due", 20).hint(DUE_HINT),
        ],
    )
}

const DUE_HINT: &str = "The day it is due, as you write it: 07/12/2026 is 7 December 2026";

/// Says back the decision form's due date as it will be read.
pub fn decision_follow(form: &mut Form) {
    let due = form.text("due").trim().to_string();
    let hint = if due.is_empty() {
        DUE_HINT.to_string()
    } else {
        match parse_uk_date(&due) {
            Ok(d) => format!("Read as {}", d.format("%A %-d %B %Y")),
            Err(e) => e,
        }
    };
    form.set_hint("due", Some(hint));
}

/// Reads the decision form: an action needs its owner and due date, and an
/// owner or date needs the action.
pub fn read_decision(form: &mut Form, item: i64) -> Option<Request> {
    form.clear_errors();
    let mut ok = true;
    if let Err(e) =
        crate::domain::text::validate_block("discussion", form.text("discussion"), 20_000)
    {
        form.set_error("discussion", e.to_string());
        ok = false;
    }
    if let Err(e) = crate::domain::text::validate_line("decision", form.text("decision"), 4000) {
        form.set_error("decision", e.to_string());
        ok = false;
    }
    let action = form.text("action").trim().to_string();
    let owner = form.choice("owner").map(str::to_string);
    let due = form.text("due").trim().to_string();
    let mut agreed = None;
    if action.is_empty() {
        if owner.is_some() || !due.is_empty() {
            form.set_error(
                "action",
                "an owner or a due date needs the action itself: say what was agreed, or clear them (Backspace on the owner)",
            );
            ok = false;
        }
    } else {
        let date = match parse_uk_date(&due) {
            Ok(d) => Some(d),
            Err(e) => {
                form.set_error("due", format!("the action needs a due date: {e}"));
                ok = false;
                None
            }
        };
        if owner.is_none() {
            form.set_error("owner", "the action needs an owner: who does it");
            ok = false;
        }
        if let (Some(o), Some(d)) = (owner, date) {
            agreed = Some((action, o, d));
        }
    }
    if !ok {
        return None;
    }
    Some(Request::RecordReview {
        item,
        discussion: form.text("discussion").to_string(),
        decision: form.text("decision").to_string(),
        action: agreed,
    })
}
