//! Contacts: a public service to ring, its hours and its out-of-hours
//! fallback; search over them; and the answer to "who do I ring now?".

use super::hours::{Hours, OpenState};
use chrono::{DateTime, NaiveDate, Utc};
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
}

/// Answers "who do I ring?" for `contacts` at `at`: filtered by query, route
/// and area (a contact for any area always fits), the area's own first, then
/// those open now, then the best match.
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
    out.into_iter().map(|x| x.3).collect()
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
        assert!(ids("rutland police").is_empty());
        let s_start = score(&list()[1], "child").unwrap();
        let s_inside = score(&list()[1], "hild").unwrap();
        assert!(s_start > s_inside);
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
