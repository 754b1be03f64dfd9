//! Contacts: a public service to ring, its hours and its out-of-hours
//! fallback; search over them; and the answer to "who do I ring now?".

use super::hours::{Hours, OpenState};
use super::route::Route;
use super::worktime::WorkingHours;
use chrono::{DateTime, NaiveDate, NaiveTime, Utc};
use serde::Serialize;

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Contact {
    pub id: i64,
    pub organisation: String,
    pub service: String,
    pub route: String,
    /// None: any area.
    pub area: Option<String>,
    pub phone: Option<String>,
    pub email: Option<String>,
    pub web: Option<String>,
    pub notes: Option<String>,
    #[serde(skip)]
    pub hours: Hours,
    /// Hours as text ("24/7", "Mon-Thu 08:30-17:00; Fri 08:30-16:30").
    pub hours_text: String,
    pub fallback_id: Option<i64>,
}

/// A phone number as typed: digits, spaces and + ( ) - only, 3 to 40
/// characters, at least 3 digits. Returns it trimmed.
pub fn check_phone(s: &str) -> Result<String, String> {
    let t = s.trim();
    let digits = t.chars().filter(|c| c.is_ascii_digit()).count();
    if t.is_empty() {
        return Err("a phone number is required".into());
    }
    if !t
        .chars()
        .all(|c| c.is_ascii_digit() || matches!(c, ' ' | '+' | '(' | ')' | '-'))
    {
        return Err(format!(
            "{t:?} is not a phone number: digits, spaces and + ( ) - only"
        ));
    }
    if digits < 3 || t.chars().count() > 40 {
        return Err(format!(
            "{t:?} is not a phone number: 3 to 40 characters, at least 3 digits"
        ));
    }
    Ok(t.to_string())
}

/// How well a contact matches a search: every word of the query must occur
/// somewhere (organisation, service, area, route, notes, number); words that
/// start a word of the service or organisation count most. None: no match.
pub fn score(c: &Contact, query: &str) -> Option<u32> {
    let fields: [(&str, u32); 6] = [
        (&c.service, 4),
        (&c.organisation, 3),
        (c.area.as_deref().unwrap_or(""), 3),
        (&c.route, 2),
        (c.phone.as_deref().unwrap_or(""), 2),
        (c.notes.as_deref().unwrap_or(""), 1),
    ];
    let mut total = 0;
    for term in query.split_whitespace().map(str::to_lowercase) {
        let mut best = 0;
        for (text, weight) in fields {
            let text = text.to_lowercase();
            if let Some(i) = text.find(&term) {
                let word_start = i == 0 || !text[..i].ends_with(|ch: char| ch.is_alphanumeric());
                best = best.max(if word_start { weight * 2 } else { weight });
            }
        }
        if best == 0 {
            return None;
        }
        total += best;
    }
    Some(total)
}

/// One line of the answer: the contact, whether it is open, and the number to
/// ring now (its own, or its open fallback's).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Answer {
    pub contact: Contact,
    #[serde(skip)]
    pub state: OpenState,
    pub open_now: bool,
    /// "closes in 25m", "opens in 1h 10m", "open 24/7"...
    pub when: String,
    /// The number to ring now and whose it is.
    pub ring: Option<String>,
    pub ring_service: String,
    /// The contact whose number that is (this one, or the fallback rung
    /// while it is shut); 0 for the built-in 999 and 101.
    pub ring_id: i64,
    /// Whom the call is for (the looked-up contact's route and area, which a
    /// fallback stands in for), so an out-of-hours number is never shown
    /// without saying whom it is rung for: "children in Rutland".
    pub ring_for: String,
}

/// The numbers that are always right somewhere in the UK, for a look-up that
/// finds nothing else: 999 and 101 (contact id 0: not in the list).
pub fn built_in() -> Vec<Contact> {
    let c = |organisation: &str, service: &str, route: Route, phone: &str| Contact {
        id: 0,
        organisation: organisation.into(),
        service: service.into(),
        route: route.code().into(),
        area: None,
        phone: Some(phone.into()),
        email: None,
        web: None,
        notes: None,
        hours: Hours {
            always_open: true,
            ..Hours::default()
        },
        hours_text: "24/7".into(),
        fallback_id: None,
    };
    vec![
        c(
            "Emergency services",
            "Police, ambulance: life at risk now",
            Route::Emergency,
            "999",
        ),
        c("Police", "Non-emergency", Route::Police, "101"),
    ]
}

/// "children in Rutland", "adults in any area", "anyone in any area".
pub fn serves(c: &Contact) -> String {
    let who = Route::from_code(&c.route).map_or("anyone", Route::serves);
    format!("{who} in {}", c.area.as_deref().unwrap_or("any area"))
}

/// Whether `fallback` may stand in for `contact` out of hours: it must serve
/// the same route (an adults' line never falls back to a children's one), or
/// be the police or 999, which serve anyone. The message names both routes.
pub fn check_fallback(contact_route: &str, fallback: &Contact) -> Result<(), String> {
    if fallback.route == contact_route
        || matches!(
            Route::from_code(&fallback.route),
            Some(Route::Emergency | Route::Police)
        )
    {
        return Ok(());
    }
    Err(format!(
        "fallback: contact {} ({} {}) is for the {} route, serving {}; a fallback must serve the same people ({} route), or be the police or 999. Add an out-of-hours contact for the {} route and point to it.",
        fallback.id,
        fallback.organisation,
        fallback.service,
        fallback.route,
        serves(fallback),
        contact_route,
        contact_route
    ))
}

/// How a contact chosen for a referral fits the case's area.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum AreaFit {
    /// It serves the area (or any area).
    Serves,
    /// It serves another area, named: the referral goes there only when the
    /// DSL confirms it (a child placed out of area, say).
    OtherArea(String),
}

/// Whether `c` may be the contact of a referral on `route` for someone whose
/// service is in `area` (where they live; where they work for the LADO and
/// PiPoT): it must serve that route (a children's line never takes an
/// adults' referral), refused naming whom it serves and where to look; and
/// it should serve the area (or any area), else the other area is returned
/// for the caller to confirm. An area not known ("unknown") fits any.
pub fn check_referral_contact(c: &Contact, route: Route, area: &str) -> Result<AreaFit, String> {
    if c.route != route.code() {
        return Err(format!(
            "contact {} ({} {}) is for the {} route, serving {}: a referral to {} needs a contact on the {} route (`dutydesk routes REF` lists them with their ids), or none",
            c.id,
            c.organisation,
            c.service,
            c.route.replace('_', "-"),
            serves(c),
            route.label(),
            route.code().replace('_', "-")
        ));
    }
    match c.area.as_deref() {
        Some(a)
            if !a.trim().eq_ignore_ascii_case(area.trim())
                && !area.trim().eq_ignore_ascii_case(super::area::UNKNOWN) =>
        {
            Ok(AreaFit::OtherArea(a.to_string()))
        }
        _ => Ok(AreaFit::Serves),
    }
}

/// Answers "who do I ring?" for `contacts` at `at`: filtered by query, route
/// and area (a contact for any area always fits), the area's own first, then
/// those open now, then the best match. A look-up that finds nothing still
/// answers 999 and 101 (the desk's own entries for them, else the built-in
/// ones), so nobody is left without a number.
pub fn answer(
    contacts: &[Contact],
    query: &str,
    route: Option<&str>,
    area: Option<&str>,
    at: DateTime<Utc>,
    bank_holiday: impl Fn(NaiveDate) -> bool,
) -> Vec<Answer> {
    let find = |id: i64| contacts.iter().find(|c| c.id == id);
    let open = |c: &Contact| c.hours.open_at(at, &bank_holiday);
    let mut out: Vec<(bool, bool, u32, Answer)> = contacts
        .iter()
        .filter(|c| route.is_none_or(|r| c.route == r))
        .filter(|c| {
            area.is_none_or(|a| {
                c.area
                    .as_deref()
                    .is_none_or(|ca| ca.eq_ignore_ascii_case(a.trim()))
            })
        })
        .filter_map(|c| {
            let s = if query.trim().is_empty() {
                0
            } else {
                score(c, query)?
            };
            let state = c.hours.state_at(at, &bank_holiday);
            let chain = super::hours::resolve(
                c.id,
                |id| find(id).and_then(|x| x.fallback_id),
                |id| find(id).is_some_and(open),
            )
            .unwrap_or_else(|_| vec![c.id]);
            let ringing = chain.last().and_then(|id| find(*id)).unwrap_or(c);
            let own_area = area.is_some() && c.area.is_some();
            Some((
                own_area,
                state.is_open(),
                s,
                Answer {
                    open_now: state.is_open(),
                    when: state.describe(at),
                    ring: ringing.phone.clone(),
                    ring_service: format!("{} {}", ringing.organisation, ringing.service),
                    ring_id: ringing.id,
                    // Whom the call is for: a fallback stands in for this contact.
                    ring_for: serves(c),
                    state,
                    contact: c.clone(),
                },
            ))
        })
        .collect();
    out.sort_by(|a, b| {
        b.0.cmp(&a.0)
            .then(b.1.cmp(&a.1))
            .then(b.2.cmp(&a.2))
            .then(a.3.contact.organisation.cmp(&b.3.contact.organisation))
            .then(a.3.contact.service.cmp(&b.3.contact.service))
    });
    let mut out: Vec<Answer> = out.into_iter().map(|x| x.3).collect();
    if out.is_empty() {
        out = always(contacts, at, &bank_holiday);
    }
    out
}

/// 999 and 101: the desk's own any-area entries for them if it has them,
/// else the built-in ones.
pub fn always(
    contacts: &[Contact],
    at: DateTime<Utc>,
    bank_holiday: &impl Fn(NaiveDate) -> bool,
) -> Vec<Answer> {
    let builtin = built_in();
    [Route::Emergency, Route::Police]
        .iter()
        .filter_map(|r| {
            contacts
                .iter()
                .find(|c| c.route == r.code() && c.area.is_none() && c.phone.is_some())
                .or_else(|| builtin.iter().find(|c| c.route == r.code()))
        })
        .map(|c| {
            let state = c.hours.state_at(at, bank_holiday);
            Answer {
                open_now: state.is_open(),
                when: state.describe(at),
                ring: c.phone.clone(),
                ring_service: format!("{} {}", c.organisation, c.service),
                ring_id: c.id,
                ring_for: serves(c),
                state,
                contact: c.clone(),
            }
        })
        .collect()
}

/// Whether `c` is an out-of-hours line: another contact on the same route
/// names it as its fallback (`fallback_id`, set on the contact form and in
/// the CSV). That link is the desk's one marker of an out-of-hours service
/// (an Emergency Duty Team, a council's night line): it is what the number
/// rung follows while the office is shut, and it is left out of the office
/// hours deadlines count in ([`office_hours`]).
pub fn out_of_hours(c: &Contact, all: &[Contact]) -> bool {
    all.iter()
        .any(|x| x.id != c.id && x.fallback_id == Some(c.id) && x.route == c.route)
}

/// The office hours of a receiving service, which its working-day and
/// working-hour deadlines count in (DOMAIN.md practice notes: "by close of
/// business of the next working day, in the receiving service's hours").
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum OfficeHours {
    /// No office contact on the route for the area: count in the
    /// organisation's hours (setting `working_hours`).
    NoOffice,
    /// The office never closes on a weekday (24/7, or open only overnight):
    /// there is no close of business to count to, so the organisation's
    /// hours are used too.
    NoCloseOfBusiness,
    /// The union of the office contacts' weekday hours (UK local time).
    Hours(WorkingHours),
}

/// The office hours of the service on `route` for `area` (case-insensitive;
/// `None`: the contacts that serve any area): the union of the hours of the
/// contacts for exactly that route and area that are not out-of-hours lines
/// ([`out_of_hours`]). Bank-holiday spans (weekday 8) are left out (working
/// days already skip bank holidays), as are spans that run overnight (an
/// office that closes at or before it opens is an out-of-hours pattern);
/// `24:00` closes at 23:59:59.
pub fn office_hours(all: &[Contact], route: &str, area: Option<&str>) -> OfficeHours {
    let same_area = |c: &Contact| match (area, c.area.as_deref()) {
        (None, None) => true,
        (Some(a), Some(ca)) => ca.trim().eq_ignore_ascii_case(a.trim()),
        _ => false,
    };
    let office: Vec<&Contact> = all
        .iter()
        .filter(|c| c.route == route && same_area(c) && !out_of_hours(c, all))
        .collect();
    if office.is_empty() {
        return OfficeHours::NoOffice;
    }
    if office.iter().any(|c| c.hours.always_open) {
        return OfficeHours::NoCloseOfBusiness;
    }
    let time = |m: u16| {
        if m >= 1440 {
            NaiveTime::from_hms_opt(23, 59, 59)
        } else {
            NaiveTime::from_hms_opt(u32::from(m / 60), u32::from(m % 60), 0)
        }
    };
    let spans = office
        .iter()
        .flat_map(|c| c.hours.spans.iter())
        .filter_map(|s| {
            if !(1..=7).contains(&s.weekday) || s.overnight() {
                return None;
            }
            Some((s.weekday, time(s.opens)?, time(s.closes)?))
        });
    match WorkingHours::from_spans(spans) {
        Some(h) => OfficeHours::Hours(h),
        None => OfficeHours::NoCloseOfBusiness,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    #[allow(clippy::too_many_arguments)]
    fn c(
        id: i64,
        org: &str,
        service: &str,
        route: &str,
        area: Option<&str>,
        phone: &str,
        hours: &str,
        fb: Option<i64>,
    ) -> Contact {
        let (always, spans) = crate::domain::hours::parse(hours).unwrap();
        Contact {
            id,
            organisation: org.into(),
            service: service.into(),
            route: route.into(),
            area: area.map(str::to_string),
            phone: Some(phone.into()),
            email: None,
            web: None,
            notes: None,
            hours: Hours {
                always_open: always,
                open_on_bank_holidays: false,
                spans,
            },
            hours_text: hours.into(),
            fallback_id: fb,
        }
    }

    fn list() -> Vec<Contact> {
        vec![
            c(
                1,
                "Leicestershire County Council",
                "Children's safeguarding (24/7)",
                "children",
                Some("Leicestershire"),
                "0116 305 0005",
                "24/7",
                None,
            ),
            c(
                2,
                "Rutland County Council",
                "Children's referrals",
                "children",
                Some("Rutland"),
                "01572 758 407",
                "Mon-Thu 08:30-17:00; Fri 08:30-16:30",
                Some(1),
            ),
            c(
                3,
                "Rutland County Council",
                "LADO",
                "lado",
                Some("Rutland"),
                "01572 720 454",
                "Mon-Thu 08:30-17:00; Fri 08:30-16:30",
                None,
            ),
            c(
                4,
                "Police",
                "Non-emergency",
                "police",
                None,
                "101",
                "24/7",
                None,
            ),
        ]
    }

    #[test]
    fn the_number_to_ring_now_comes_first() {
        let none = |_| false;
        // Saturday evening: Rutland children's is closed; ring Leicestershire's 24/7 line.
        let sat = Utc.with_ymd_and_hms(2026, 11, 28, 19, 0, 0).unwrap();
        let a = answer(&list(), "", Some("children"), Some("Rutland"), sat, none);
        assert_eq!(a.len(), 1, "Leicestershire's line is for Leicestershire");
        assert!(!a[0].open_now);
        assert_eq!(a[0].ring.as_deref(), Some("0116 305 0005"));
        assert_eq!(a[0].when, "opens in 1d 13h");
        // Monday 10:00: open, ring Rutland itself.
        let mon = Utc.with_ymd_and_hms(2026, 11, 30, 10, 0, 0).unwrap();
        let a = answer(&list(), "", Some("children"), Some("rutland"), mon, none);
        assert_eq!(a[0].ring.as_deref(), Some("01572 758 407"));
        // Any-area contacts fit every area.
        let a = answer(&list(), "", Some("police"), Some("Rutland"), mon, none);
        assert_eq!(a[0].contact.id, 4);
    }

    #[test]
    fn search_ranks_word_starts_and_needs_every_word() {
        let none = |_| false;
        let mon = Utc.with_ymd_and_hms(2026, 11, 30, 10, 0, 0).unwrap();
        let ids = |q| {
            answer(&list(), q, None, None, mon, none)
                .iter()
                .map(|a| a.contact.id)
                .collect::<Vec<_>>()
        };
        assert_eq!(ids("lado"), vec![3]);
        assert_eq!(ids("rutland child"), vec![2]);
        assert_eq!(ids("101"), vec![4]);
        // Nothing matches: 999 (built in, id 0) and the desk's 101 instead.
        assert_eq!(ids("rutland police"), vec![0, 4]);
        let s_start = score(&list()[1], "child").unwrap();
        let s_inside = score(&list()[1], "hild").unwrap();
        assert!(s_start > s_inside);
    }

    #[test]
    fn a_look_up_that_finds_nothing_still_gives_999_and_101() {
        let none = |_| false;
        let mon = Utc.with_ymd_and_hms(2026, 11, 30, 10, 0, 0).unwrap();
        // No LADO for Walsall in the list: 999 and 101 (the desk's 101 here).
        let a = answer(&list(), "", Some("lado"), Some("Walsall"), mon, none);
        let rings: Vec<_> = a.iter().map(|x| x.ring.clone().unwrap()).collect();
        assert_eq!(rings, ["999", "101"]);
        assert_eq!(a[0].ring_id, 0, "999 is built in");
        assert_eq!(a[1].ring_id, 4, "the desk's own 101");
        // An empty desk still answers.
        let a = answer(&[], "anything", None, None, mon, none);
        assert_eq!(a.len(), 2);
    }

    #[test]
    fn a_fallback_serves_the_same_people() {
        let l = list();
        // Rutland children's referrals falls back to a children's line: fine.
        assert!(check_fallback("children", &l[0]).is_ok());
        // An adults' contact may not fall back to a children's line.
        let e = check_fallback("adults", &l[0]).unwrap_err();
        assert!(e.contains("serving children in Leicestershire"), "{e}");
        assert!(e.contains("same people (adults route)"), "{e}");
        // The police serve anyone.
        assert!(check_fallback("adults", &l[3]).is_ok());
        // Saturday: the number rung is labelled for whom it serves.
        let sat = Utc.with_ymd_and_hms(2026, 11, 28, 19, 0, 0).unwrap();
        let a = answer(&l, "", Some("children"), Some("Rutland"), sat, |_| false);
        assert_eq!(a[0].ring_for, "children in Rutland");
        assert_eq!(a[0].ring_id, 1);
    }

    #[test]
    fn office_hours_leave_out_the_out_of_hours_line() {
        let office = "Mon-Thu 08:30-17:00; Fri 08:30-16:30";
        let edt = "Mon 00:00-08:30; Mon-Thu 17:00-08:30; Fri 16:30-24:00; Sat-Sun 00:00-24:00";
        // The Emergency Duty Team has the lower id, as in the demo.
        let l = vec![
            c(
                6,
                "LCC",
                "EDT",
                "adults",
                Some("Leicestershire"),
                "0116 255 1606",
                edt,
                None,
            ),
            c(
                7,
                "LCC",
                "Adults",
                "adults",
                Some("Leicestershire"),
                "0116 305 0004",
                office,
                Some(6),
            ),
            c(
                8,
                "LCC",
                "Adults (2)",
                "adults",
                Some("Leicestershire"),
                "0116 305 0009",
                "Sat 09:00-12:00",
                None,
            ),
            c(
                9,
                "X",
                "Children",
                "children",
                Some("Leicestershire"),
                "0116 1",
                "24/7",
                None,
            ),
        ];
        assert!(out_of_hours(&l[0], &l));
        assert!(!out_of_hours(&l[1], &l));
        // The office's hours, and the other office's (a union), never the EDT's.
        let OfficeHours::Hours(h) = office_hours(&l, "adults", Some("leicestershire")) else {
            panic!("office hours expected");
        };
        assert_eq!(
            h.format(),
            "Mon-Thu 08:30-17:00; Fri 08:30-16:30; Sat 09:00-12:00"
        );
        assert_eq!(
            office_hours(&l, "children", Some("Leicestershire")),
            OfficeHours::NoCloseOfBusiness
        );
        assert_eq!(
            office_hours(&l, "lado", Some("Leicestershire")),
            OfficeHours::NoOffice
        );
        assert_eq!(office_hours(&l, "adults", None), OfficeHours::NoOffice);
        // 24:00 closes at the end of the day; overnight spans are not office hours.
        let late = vec![c(
            1,
            "X",
            "Late",
            "police",
            None,
            "101",
            "Mon-Fri 08:00-24:00; Sat 22:00-06:00",
            None,
        )];
        let OfficeHours::Hours(h) = office_hours(&late, "police", None) else {
            panic!("office hours expected");
        };
        assert_eq!(h.format(), "Mon-Fri 08:00-23:59");
    }

    #[test]
    fn phone_numbers_are_checked() {
        assert_eq!(check_phone(" 0116 454 1004 ").unwrap(), "0116 454 1004");
        assert_eq!(check_phone("999").unwrap(), "999");
        assert!(check_phone("").is_err());
        assert!(
            check_phone("call Jo")
                .unwrap_err()
                .contains("not a phone number")
        );
        assert!(check_phone("12").is_err());
        assert!(check_phone("+44 (0)116 305 0005").is_ok());
    }
}
