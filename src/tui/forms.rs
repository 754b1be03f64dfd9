//! The desk's forms: intake of a new concern, refer and close. Each is built
//! from the organisation's lists and read back into the store's types, with
//! every problem put next to its field.

use super::form::{Field, Form};
use super::layer::Target;
use crate::domain::area::Area;
use crate::domain::escalation::{
    Consent, EscalationDetail, Fgm, LocationType, Risk, SubjectKind, WorksWith, years_old,
};
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
    /// The receiving agency's decision on one of the record's referrals.
    Outcome(Target),
    /// A 999 call made, recorded after the case was saved without one.
    Called999(Target),
    /// Known FGM reported to the police: by whom, their reference.
    FgmReport(Target),
    /// An event held (a strategy discussion...), and when.
    Event(Target),
}

impl FormKind {
    /// The record the form acts on (none for intake and contacts).
    pub fn target(&self) -> Option<&Target> {
        match self {
            FormKind::Refer(t)
            | FormKind::Close(t)
            | FormKind::Access(t, _)
            | FormKind::Outcome(t)
            | FormKind::Called999(t)
            | FormKind::FgmReport(t)
            | FormKind::Event(t) => Some(t),
            FormKind::Intake
            | FormKind::Contact(_)
            | FormKind::Hold { .. }
            | FormKind::Decision { .. } => None,
        }
    }

    /// The record the form acts on, to take a reloaded version.
    pub fn target_mut(&mut self) -> Option<&mut Target> {
        match self {
            FormKind::Refer(t)
            | FormKind::Close(t)
            | FormKind::Access(t, _)
            | FormKind::Outcome(t)
            | FormKind::Called999(t)
            | FormKind::FgmReport(t)
            | FormKind::Event(t) => Some(t),
            FormKind::Intake
            | FormKind::Contact(_)
            | FormKind::Hold { .. }
            | FormKind::Decision { .. } => None,
        }
    }
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
            Field::text("occurred", "When it happened", 40).hint(WHEN_HINT_OCCURRED),
            Field::choice(
                "location",
                "Where it happened",
                codes(LocationType::ALL, LocationType::code, LocationType::label),
            ),
            Field::text("place", "Where, in words", 200)
                .hint("e.g. youth club, on a home visit, the school gate"),
            Field::multi("categories", "Categories", categories.to_vec()).required(),
            fgm_field(),
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
            Field::text("raised_by", "Raised by", crate::domain::casework::MAX_RAISER_NAME)
                .hint("Who brought the concern, when not you: their name as they gave it (empty: you)"),
            Field::text("raised_by_role", "Their role", crate::domain::casework::MAX_RAISER_ROLE)
                .hint("e.g. class teacher, youth worker, neighbour"),
            Field::text(
                "raised_by_contact",
                "Their contact",
                crate::domain::casework::MAX_RAISER_CONTACT,
            )
            .hint("How to reach them: a phone number or e-mail"),
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
    // When and where it happened, and FGM known / at risk (the store's own
    // checks, each next to its field).
    let happened = read_happened(form, now, subject);
    let raiser = crate::domain::casework::check_raiser(
        form.text("raised_by"),
        form.text("raised_by_role"),
        form.text("raised_by_contact"),
    );
    if let Err((field, m)) = &raiser {
        form.set_error(field, m.clone());
    }
    let (
        Some(c),
        Ok(words),
        Some(risk),
        true,
        Ok((occurred_at, occurred_place, fgm)),
        Ok((raised_by, raised_by_role, raised_by_contact)),
    ) = (checked, words, risk, about_ok, happened, raiser)
    else {
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
        raised_by: raised_by.unwrap_or_else(|| me.display_name.clone()),
        raised_by_role,
        raised_by_contact,
        imported: false,
        raised_at: now,
        occurred_at,
        occurred_place,
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
        fgm,
    };
    Some(Request::Create {
        escalation: Box::new(e),
        called_999: input.called_999,
        summary: form.text("summary").to_string(),
        about,
    })
}

/// The close form: an outcome from the organisation's list, a rationale,
/// and a choice for every open deadline of the record `d` (keep it open,
/// mark it met, or waive it with a reason), each listed with its name and
/// due time. No choice is made for the user: closing never waives anything
/// in silence (issue 15; `domain::deadline::plan_closure` is the rule the
/// store applies).
pub fn close(t: &Target, outcomes: &[String], d: &EscalationDetail, now: DateTime<Utc>) -> Form {
    let open = open_deadlines(d);
    let mut fields = vec![
        Field::choice(
            "outcome",
            "Outcome",
            outcomes
                .iter()
                .map(|o| (o.clone(), crate::domain::settings::outcome_label(o)))
                .collect(),
        )
        .required(),
        Field::multiline("rationale", "Rationale", MAX_TEXT)
            .required()
            .hint(
                "Why this outcome; high-risk, domestic-abuse and referred cases need a second DSL",
            ),
    ];
    for (i, dl) in open.iter().enumerate() {
        let key = deadline_key(dl.id);
        let choice = Field::choice(
            key.clone(),
            dl.label.clone(),
            CLOSE_CHOICES
                .iter()
                .map(|(c, l)| (c.to_string(), l.to_string()))
                .collect(),
        )
        .required()
        .detail(deadline_detail(dl, now))
        .hint(if i == 0 {
            format!(
                "{} open deadline(s): say what closing does to each. {CLOSE_HINT}",
                open.len()
            )
        } else {
            CLOSE_HINT.to_string()
        });
        fields.push(choice);
        fields.push(
            Field::text(reason_key(dl.id), "Why waived", 4000)
                .required()
                .shown_when(key, "waive")
                .hint("Why this deadline no longer applies (kept in the chronology; re-opening restores it)"),
        );
    }
    let title = match open.len() {
        0 => format!("Close {}", t.reference),
        n => format!("Close {} · {n} open deadline(s)", t.reference),
    };
    Form::new(&title, fields)
}

const CLOSE_HINT: &str = "Keep it open if another agency still owes it (the ICPC, a decision); met if it was done; waive only with the reason";

/// What the close form offers for each open deadline: (code, label).
const CLOSE_CHOICES: [(&str, &str); 3] = [
    ("keep", "keep open"),
    ("met", "met"),
    ("waive", "waive (give the reason)"),
];

fn deadline_key(id: i64) -> String {
    format!("deadline:{id}")
}

fn reason_key(id: i64) -> String {
    format!("waive_reason:{id}")
}

/// The record's open deadlines, soonest first.
fn open_deadlines(d: &EscalationDetail) -> Vec<&crate::domain::deadline::Deadline> {
    let mut v: Vec<_> = d
        .deadlines
        .iter()
        .filter(|dl| dl.state == crate::domain::deadline::DeadlineState::Open)
        .collect();
    v.sort_by_key(|dl| (dl.due_at, dl.id));
    v
}

/// "due Tue 01 Dec 2026 17:00 · ‼ OVERDUE": the due time and, when it is
/// overdue or due soon, that mark, led by the name in full when the label
/// column would cut it. No countdown: the form may stay open a while, and a
/// due time does not go stale.
fn deadline_detail(dl: &crate::domain::deadline::Deadline, now: DateTime<Utc>) -> String {
    use crate::domain::deadline::{DueStatus, due_status};
    use crate::tui::views::symbols::{DUE_SOON, OVERDUE};
    let state = match due_status(dl.due_at, now, dl.warn()) {
        DueStatus::Overdue => format!(" · {OVERDUE} OVERDUE"),
        DueStatus::DueSoon => format!(" · {DUE_SOON} due soon"),
        DueStatus::Ok => String::new(),
    };
    let name = if dl.label.chars().count() > LABEL_FITS {
        format!("{} · ", dl.label)
    } else {
        String::new()
    };
    format!("{name}due {}{state}", when(dl.due_at))
}

/// Characters of a label the form shows uncut (`views::form`'s label
/// column, less the required mark).
const LABEL_FITS: usize = 20;

/// A UK time with its weekday, as the desk says it: "Tue 01 Dec 2026 17:00".
fn when(at: DateTime<Utc>) -> String {
    crate::domain::calendar::local(at)
        .format("%a %d %b %Y %H:%M")
        .to_string()
}

/// Reads the close form: the outcome, the rationale, and a choice for each
/// open deadline, put to the user as a question that says what will happen
/// to each.
pub fn read_close(form: &mut Form, t: &Target) -> Option<(String, Request)> {
    use crate::domain::deadline::{ClosureAction, ClosureChoice, DeadlineRef};
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
    let ids: Vec<(i64, String)> = form
        .fields
        .iter()
        .filter_map(|f| {
            let id = f.key.strip_prefix("deadline:")?.parse().ok()?;
            Some((id, f.label.clone()))
        })
        .collect();
    let mut choices = Vec::new();
    let mut said = Vec::new();
    for (id, label) in ids {
        let key = deadline_key(id);
        let action = match form.choice(&key) {
            Some("keep") => ClosureAction::Keep,
            Some("met") => ClosureAction::Met(String::new()),
            Some("waive") => {
                let why = reason_key(id);
                match crate::domain::text::validate_line("reason", form.text(&why), 4000) {
                    Ok(r) => ClosureAction::Waive(r),
                    Err(e) => {
                        form.set_error(&why, format!("{e}: say why it no longer applies"));
                        return None;
                    }
                }
            }
            _ => {
                form.set_error(&key, "choose: keep open, met, or waive with the reason");
                return None;
            }
        };
        said.push(format!("  {label}: {}", action.said()));
        choices.push(ClosureChoice {
            deadline: DeadlineRef::Id(id),
            action,
        });
    }
    let mut question = format!(
        "Close {} as {}?",
        t.reference,
        crate::domain::settings::outcome_label(&outcome)
    );
    if !said.is_empty() {
        question.push_str("\nIts open deadlines:\n");
        question.push_str(&said.join("\n"));
        question.push_str("\nIf a second DSL must sign it off, this happens when they do.");
    }
    Some((
        question,
        Request::Act {
            id: t.id,
            version: t.version,
            verb: Verb::Close {
                outcome,
                rationale: form.text("rationale").to_string(),
                choices,
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
        crate::domain::route::short_of(route),
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
        .map(|s| (s.route.code().to_string(), s.route.label().to_string()))
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
    // Only where an adult's NRM referral would lack consent that the adult
    // can give (not one recorded as lacking capacity: MS1 instead).
    if o.may_confirm_consent
        && o.suggestions
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
            if s.is_some_and(|s| s.route == Route::Nrm)
                && form.has("consented")
                && form.toggle("consented")
            {
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
    // The contact must serve the route (the store checks it too).
    if let (Some(o), Some(r)) = (o, Route::from_code(&route))
        && let Some((_, a)) = chosen_contact(form, o)
        && let Err(e) = crate::domain::contact::check_referral_contact(&a.contact, r, "unknown")
    {
        form.set_error(
            "contact",
            e.replace(" (`dutydesk routes REF` lists them with their ids)", ""),
        );
        return None;
    }
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
        // The form offers only the contacts for the person's area.
        other_area: false,
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

/// How a time is typed, for every "when" field (`calendar::parse_when`).
const WHEN_FORMATS: &str =
    "UK time as you would say it: 14:30, yesterday 15:00, Fri 15:00, 27/11 09:15, 27/11/2026 09:15";

const WHEN_HINT_OCCURRED: &str = "When the disclosure or observation happened, in UK time as you would say it: 14:30, yesterday 15:00, Fri 15:00, 27/11 09:15. Empty: now. Deadlines about a disclosure count from then; a late record says so";

/// The fields whose text is a time (`calendar::parse_when`); each shows
/// under it the moment it is read as, while it is typed ([`echo_times`]).
const WHEN_FIELDS: [&str; 2] = ["occurred", "at"];

/// Shows under each time field the moment its text is read as ("= Sun 29
/// Nov 2026 15:00, UK time"), or why it cannot be read, so "yesterday
/// 15:00" is checked before it is saved. Empty: the field's own default.
pub fn echo_times(form: &mut Form, now: DateTime<Utc>) {
    for key in WHEN_FIELDS {
        if !form.fields.iter().any(|f| f.key == key) {
            continue;
        }
        let text = form.text(key).trim().to_string();
        let d = if text.is_empty() {
            None
        } else {
            Some(match crate::domain::calendar::parse_when(&text, now) {
                Ok(at) => format!("= {} (UK time)", when(at)),
                Err(e) => format!("{}{e}", crate::tui::views::form::PROBLEM),
            })
        };
        form.set_detail(key, d);
    }
}

/// A time field's value: None when empty (the verb's default, now), else
/// the moment, or the reason beside the field.
fn read_when(form: &mut Form, key: &str, now: DateTime<Utc>) -> Result<Option<DateTime<Utc>>, ()> {
    let text = form.text(key).trim().to_string();
    if text.is_empty() {
        return Ok(None);
    }
    crate::domain::calendar::parse_when(&text, now)
        .map(Some)
        .map_err(|e| form.set_error(key, e))
}

/// Intake's (and a correction's) "FGM: known or at risk?", shown with the
/// FGM category and required then; the duty it decides, in one line under it.
pub(crate) fn fgm_field() -> Field {
    Field::choice("fgm", "FGM known / at risk", codes(Fgm::ALL, Fgm::code, Fgm::label))
        .required()
        .shown_when("categories", "fgm")
        .detail("Known, girl under 18: whoever discovered it reports it to the police (101) themselves")
        .hint("Known: she told you, or it was seen. At risk: a referral, not the police duty (FGM Act 2003 s5B)")
}

/// Intake's when and where it happened and FGM known / at risk, each
/// problem next to its field (the store's own checks, run first).
#[allow(clippy::type_complexity)]
fn read_happened(
    form: &mut Form,
    now: DateTime<Utc>,
    subject: Option<SubjectKind>,
) -> Result<(Option<DateTime<Utc>>, Option<String>, Option<Fgm>), ()> {
    let occurred = read_when(form, "occurred", now);
    let place_text = form.text("place").trim().to_string();
    let place = match place_text.as_str() {
        "" => Ok(None),
        p => crate::domain::text::validate_line("place", p, 200)
            .map(Some)
            .map_err(|e| form.set_error("place", e.to_string())),
    };
    let fgm = if form.shown_key("fgm") {
        form.choice("fgm").and_then(Fgm::from_code)
    } else {
        None
    };
    let categories: Vec<String> = form
        .checked("categories")
        .iter()
        .map(|c| c.to_string())
        .collect();
    let checked = match subject {
        Some(subject) => crate::domain::escalation::check_fgm(&categories, subject, fgm)
            .map_err(|e| form.set_error("fgm", e)),
        None => Ok(()),
    };
    checked?;
    Ok((occurred?, place?, fgm))
}

/// The outcome form over the record `d`: which referral (those awaiting
/// an outcome; the only one is chosen already), the agency's decision from
/// that route's codes (`referral_outcomes`), for a LADO referral whether
/// the person was removed from regulated activity (the DBS duty), and a
/// note. None, with the reason, when no referral awaits an outcome.
pub fn outcome(t: &Target, d: &EscalationDetail) -> Result<Form, String> {
    let waiting: Vec<_> = d
        .practice
        .referrals
        .iter()
        .filter(|r| r.outcome.is_none())
        .collect();
    if waiting.is_empty() {
        return Err(if d.practice.referrals.is_empty() {
            format!("{} has no referral yet: refer first", t.reference)
        } else {
            format!(
                "Every referral of {} has its outcome; an outcome is recorded once: add a note if it changed",
                t.reference
            )
        });
    }
    let mut referral = Field::choice(
        "referral",
        "Referral",
        waiting
            .iter()
            .map(|r| {
                (
                    r.id.to_string(),
                    format!(
                        "#{} {}, {}{}",
                        r.id,
                        r.route_label,
                        crate::domain::calendar::local(r.made_at).format("%d %b %Y"),
                        r.agency_reference
                            .as_deref()
                            .map(|x| format!(", their reference {x}"))
                            .unwrap_or_default()
                    ),
                )
            })
            .collect(),
    )
    .required()
    .hint("The referral whose decision came back");
    if let [one] = waiting.as_slice() {
        referral = referral.with_choice(&one.id.to_string());
    }
    let mut fields = vec![referral];
    for r in &waiting {
        let codes = d
            .practice
            .outcome_codes
            .iter()
            .find(|(route, _)| *route == r.route)
            .map(|(_, c)| c.clone())
            .unwrap_or_default();
        fields.push(
            Field::choice(format!("outcome:{}", r.id), "Their decision", codes)
                .required()
                .shown_when("referral", r.id.to_string())
                .hint(format!("What {} decided (recorded once)", r.route_label)),
        );
        if r.route == "lado" {
            fields.push(
                Field::toggle(format!("removed:{}", r.id), "Removed from regulated activity?")
                    .shown_when("referral", r.id.to_string())
                    .detail("Yes if, the allegation substantiated or unsubstantiated, they were removed (or would have been, had they not left) because they harmed or posed a risk: the employer must then refer them to the DBS")
                    .hint("Safeguarding Vulnerable Groups Act 2006: recording it sets the DBS barring referral deadline"),
            );
        }
    }
    fields.push(
        Field::multiline("note", "Note", MAX_TEXT)
            .hint("Who told you, what happens next (optional; kept in the chronology)"),
    );
    let mut form = Form::new(&format!("Outcome of a referral · {}", t.reference), fields);
    if waiting.len() == 1 {
        // The only referral is chosen: start at its decision.
        form.focus = 1;
    }
    Ok(form)
}

/// Reads the outcome form, put to the user as a question that says what
/// recording it does.
pub fn read_outcome(form: &mut Form, t: &Target) -> Option<(String, Request)> {
    form.clear_errors();
    let Some(id) = form.choice("referral").and_then(|c| c.parse::<i64>().ok()) else {
        form.set_error("referral", "required");
        return None;
    };
    let code_key = format!("outcome:{id}");
    let Some(code) = form.choice(&code_key).map(str::to_string) else {
        form.set_error(&code_key, "choose their decision");
        return None;
    };
    let label = form
        .fields
        .iter()
        .find(|f| f.key == code_key)
        .and_then(|f| f.options().iter().find(|(c, _)| *c == code))
        .map(|(_, l)| l.clone())
        .unwrap_or_else(|| code.replace('_', " "));
    let removed_key = format!("removed:{id}");
    let removed = form.fields.iter().any(|f| f.key == removed_key) && form.toggle(&removed_key);
    if removed && let Err(e) = crate::domain::deadline::check_removed("lado", &code) {
        form.set_error(&removed_key, e.replace("--removed", "the Removed tick"));
        return None;
    }
    let note = form.text("note").to_string();
    if !note.trim().is_empty()
        && let Err(e) = crate::domain::text::validate_block("note", &note, MAX_TEXT)
    {
        form.set_error("note", e.to_string());
        return None;
    }
    let mut question = format!(
        "Record the decision on referral #{id} of {}: {label}?\nAn outcome is recorded once; it meets the deadlines waiting for it.",
        t.reference
    );
    if removed {
        question.push_str("\nThe person was removed from regulated activity: the duty to refer them to the DBS applies, and its deadline is set.");
    }
    Some((
        question,
        Request::Act {
            id: t.id,
            version: t.version,
            verb: Verb::Outcome {
                referral: crate::store::workflow::ReferralPick::Id(id),
                code,
                note,
                removed,
            },
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

/// The form that records a 999 call made for a case saved without one:
/// when (empty: now) and a note. None, with the reason, when a call is
/// already on the record.
pub fn called_999(t: &Target, d: &EscalationDetail) -> Result<Form, String> {
    if let Some(at) = d.practice.emergency_called_at {
        return Err(format!(
            "{}: a 999 call is already recorded, at {}",
            t.reference,
            crate::domain::calendar::format_stamp(at)
        ));
    }
    Ok(Form::new(
        &format!("999 call made · {}", t.reference),
        vec![
            Field::text("at", "When the call was made", 40)
                .hint(format!("{WHEN_FORMATS}. Empty: now")),
            Field::multiline("note", "Note", MAX_TEXT)
                .hint("Who rang, what the police or ambulance said (optional)"),
        ],
    ))
}

pub fn read_called_999(
    form: &mut Form,
    t: &Target,
    now: DateTime<Utc>,
) -> Option<(String, Request)> {
    form.clear_errors();
    let at = read_when(form, "at", now).ok()?;
    let note = form.text("note").to_string();
    if !note.trim().is_empty()
        && let Err(e) = crate::domain::text::validate_block("note", &note, MAX_TEXT)
    {
        form.set_error("note", e.to_string());
        return None;
    }
    Some((
        format!(
            "Record that 999 was called for {} at {}?\nThe case then leaves the top of the desk.",
            t.reference,
            when(at.unwrap_or(now))
        ),
        Request::Act {
            id: t.id,
            version: t.version,
            verb: Verb::Called999 { at, note },
        },
    ))
}

/// The form that records known FGM reported to the police by the
/// professional who discovered it: who, the police reference, when. None,
/// with the reason, when the case is not known FGM or is already reported.
pub fn fgm_report(t: &Target, d: &EscalationDetail) -> Result<Form, String> {
    if d.practice.fgm != Some(Fgm::Known) {
        return Err(format!(
            "{} is not recorded as known FGM: the police report duty is for FGM disclosed by the girl or seen",
            t.reference
        ));
    }
    if let Some(r) = &d.practice.fgm_report {
        return Err(format!(
            "{}: the report to the police is already recorded ({}, police reference {}, {})",
            t.reference,
            r.reported_by,
            r.police_reference,
            crate::domain::calendar::format_stamp(r.reported_at)
        ));
    }
    Ok(Form::new(
        &format!("FGM reported to the police · {}", t.reference),
        vec![
            Field::text("by", "Who reported it", 100)
                .required()
                .detail("The professional who discovered it: the duty is theirs and cannot be passed on (FGM Act 2003 s5B)")
                .hint("Their role and name, e.g. Class teacher, J Smith. A DSL's own police referral does not meet the duty"),
            Field::text("police_reference", "Police reference", 80)
                .required()
                .hint("The reference the police gave (101)"),
            Field::text("at", "When it was reported", 40)
                .hint(format!("{WHEN_FORMATS}. Empty: now")),
        ],
    ))
}

pub fn read_fgm_report(
    form: &mut Form,
    t: &Target,
    now: DateTime<Utc>,
) -> Option<(String, Request)> {
    form.clear_errors();
    let by = crate::domain::text::validate_line("who reported it", form.text("by"), 100)
        .map_err(|e| form.set_error("by", e.to_string()))
        .ok();
    let reference =
        crate::domain::text::validate_line("police reference", form.text("police_reference"), 80)
            .map_err(|e| form.set_error("police_reference", e.to_string()))
            .ok();
    let at = read_when(form, "at", now);
    let (Some(by), Some(reference), Ok(at)) = (by, reference, at) else {
        return None;
    };
    Some((
        format!(
            "Record that {by} reported known FGM on {} to the police at {}, reference {reference}?\nIt is recorded once and meets the FGM deadlines.",
            t.reference,
            when(at.unwrap_or(now))
        ),
        Request::Act {
            id: t.id,
            version: t.version,
            verb: Verb::FgmReported {
                by,
                police_reference: reference,
                at,
            },
        },
    ))
}

/// The event form: which event (those the deadline rules wait for), when
/// it was held (empty: now; a strategy discussion held yesterday at 15:00
/// counts from then), and a note.
pub fn event(t: &Target, events: &[String]) -> Form {
    let options = events
        .iter()
        .map(|e| {
            let label = crate::domain::deadline::Event::from_code(e)
                .map(|ev| ev.label().to_string())
                .unwrap_or_else(|| e.replace('_', " "));
            (e.clone(), label)
        })
        .collect();
    let mut which = Field::choice("event", "Event", options)
        .required()
        .hint("It goes in the chronology and sets the deadlines that follow it");
    if let Some(first) = events.first() {
        which = which.with_choice(first);
    }
    Form::new(
        &format!("Event held · {}", t.reference),
        vec![
            which,
            Field::text("at", "When it was held", 40).hint(format!(
                "{WHEN_FORMATS}. Empty: now. Its deadlines count from then"
            )),
            Field::multiline("note", "Note", MAX_TEXT)
                .hint("What was decided, who took part (optional)"),
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

pub fn read_event(form: &mut Form, t: &Target, now: DateTime<Utc>) -> Option<(String, Request)> {
    form.clear_errors();
    let Some(event) = form.choice("event").map(str::to_string) else {
        form.set_error("event", "required");
        return None;
    };
    let at = read_when(form, "at", now).ok()?;
    let note = form.text("note").to_string();
    if !note.trim().is_empty()
        && let Err(e) = crate::domain::text::validate_block("note", &note, MAX_TEXT)
    {
        form.set_error("note", e.to_string());
        return None;
    }
    let label = crate::domain::deadline::Event::from_code(&event)
        .map(|e| e.label().to_string())
        .unwrap_or_else(|| event.replace('_', " "));
    let verb = match at {
        Some(held) => Verb::EventAt { event, note, held },
        None => Verb::Event { event, note },
    };
    Some((
        format!(
            "Record on {}: {label}, {}?\nIts deadlines count from then.",
            t.reference,
            when(at.unwrap_or(now))
        ),
        Request::Act {
            id: t.id,
            version: t.version,
            verb,
        },
    ))
}

/// A form that needs the record it acts on (its deadlines, referrals, FGM,
/// 999 call): built from `d`, or the reason it cannot be.
pub fn for_record(
    kind: &FormKind,
    d: &EscalationDetail,
    outcomes: &[String],
    events: &[String],
    now: DateTime<Utc>,
) -> Result<Form, String> {
    let Some(t) = kind.target() else {
        return Err("this form does not act on a record".into());
    };
    match kind {
        FormKind::Close(_) => Ok(close(t, outcomes, d, now)),
        FormKind::Outcome(_) => outcome(t, d),
        FormKind::Called999(_) => called_999(t, d),
        FormKind::FgmReport(_) => fgm_report(t, d),
        FormKind::Event(_) => Ok(event(t, events)),
        _ => Err("this form is not built from the record".into()),
    }
}
