//! Intake: the checks on a new escalation that the intake form and `dutydesk
//! new` share, so the two faces cannot disagree on who is a child.
//!
//! Rules and their sources:
//! * a child is anyone under 18, an unborn child included (Children Act 1989
//!   s105; Working Together 2023: pre-birth referrals are routine); an adult
//!   at risk is 18 or over (Care Act 2014 s42). The subject and the age (or
//!   date of birth, or expected date) are checked together: a "child" aged 30
//!   or an "adult" aged 16 is refused with the reason;
//! * dates are read as people in the UK type them: 02/03/2014 is 2 March 2014
//!   (ISO 2014-03-02 too); a two-digit year is refused rather than guessed;
//! * consent: the decision, and a reason for every decision but "given" (the
//!   seven golden rules: record the decision and the reason);
//! * a low-level concern (KCSIE 2024 Part 4 section 2) is about staff only;
//! * the area comes from the organisation's list ([`super::area`]).
//!
//! Pure: `today` (UK date) and the area list come in as arguments.

use super::area::{self, Area};
use super::escalation::{AgeBand, Consent, LocationType, SubjectKind, WorksWith, years_old};
use chrono::{Datelike, NaiveDate};

/// The intake as typed: text fields exactly as entered, choices as chosen.
/// Field names match the intake form's keys.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Input {
    pub subject: Option<SubjectKind>,
    pub name: String,
    /// Date of birth, as typed (empty: not known).
    pub dob: String,
    /// For an unborn child: the expected date of birth, as typed.
    pub expected: String,
    /// Age in whole years, as typed, when the date of birth is not known.
    pub age: String,
    /// Area where the person lives.
    pub area: String,
    /// For staff: area where they work (the LADO or PiPoT lead there).
    pub work_area: String,
    /// For staff: whom they work with (children if not said).
    pub works_with: Option<WorksWith>,
    /// For staff: a low-level concern (no LADO referral, no LADO clock).
    pub low_level: bool,
    pub consent: Option<Consent>,
    pub consent_reason: String,
    pub location: Option<LocationType>,
    pub categories: Vec<String>,
    pub immediate_risk: bool,
    pub called_999: bool,
}

/// The intake once checked, ready for the store.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Checked {
    pub subject: SubjectKind,
    pub name: String,
    /// Date of birth, or for an unborn child the expected date.
    pub dob: Option<NaiveDate>,
    pub age_band: AgeBand,
    pub area: String,
    pub work_area: Option<String>,
    pub works_with: Option<WorksWith>,
    pub low_level: bool,
    pub consent: Consent,
    pub consent_reason: Option<String>,
    pub location: LocationType,
    pub categories: Vec<String>,
    /// How the dates were read, for the recorder to check ("born 2 March
    /// 2014 (12)", "expected 1 March 2027").
    pub read_as: Option<String>,
}

/// One thing wrong, next to its field.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Problem {
    pub field: &'static str,
    pub message: String,
}

/// An unborn child's expected date may be at most this many days ahead
/// (42 weeks: a full-term pregnancy).
pub const MAX_EXPECTED_DAYS: i64 = 42 * 7;

/// Reads a date as typed in the UK: day first (02/03/2014, 2-3-2014,
/// 2.3.2014, 2 March 2014, 2 Mar 2014) or ISO (2014-03-02). The message
/// says which forms are read.
pub fn parse_uk_date(typed: &str) -> Result<NaiveDate, String> {
    let t = typed.trim();
    let help = "write day/month/year, e.g. 02/03/2014 for 2 March 2014, or 2014-03-02";
    if t.is_empty() {
        return Err(format!("no date given: {help}"));
    }
    if let Ok(d) = NaiveDate::parse_from_str(t, "%Y-%m-%d") {
        return Ok(d);
    }
    let numeric: Vec<&str> = t.split(['/', '-', '.']).map(str::trim).collect();
    if numeric.len() == 3
        && numeric
            .iter()
            .all(|p| p.chars().all(|c| c.is_ascii_digit()))
    {
        if numeric[2].len() != 4 {
            return Err(format!("{t:?}: write the year in full ({help})"));
        }
        let n = |s: &str| s.parse::<u32>().ok();
        let (Some(d), Some(m), Some(y)) = (n(numeric[0]), n(numeric[1]), n(numeric[2])) else {
            return Err(format!("{t:?} is not a date: {help}"));
        };
        return NaiveDate::from_ymd_opt(y as i32, m, d).ok_or_else(|| {
            if m > 12 && d <= 12 {
                format!("{t:?} is not a date: the month comes second in the UK ({help})")
            } else {
                format!("{t:?} is not a date: {help}")
            }
        });
    }
    for f in ["%d %B %Y", "%d %b %Y", "%e %B %Y", "%e %b %Y"] {
        if let Ok(d) = NaiveDate::parse_from_str(t, f) {
            return Ok(d);
        }
    }
    Err(format!("{t:?} is not a date: {help}"))
}

/// "2 March 2014".
pub fn long_date(d: NaiveDate) -> String {
    format!("{} {}", d.day(), d.format("%B %Y"))
}

/// Checks an intake as a whole and returns it ready to store, or every
/// problem with the field it belongs to. `today` is the UK date the concern
/// is recorded; `areas` the organisation's list (empty: not kept yet).
pub fn check(i: &Input, today: NaiveDate, areas: &[Area]) -> Result<Checked, Vec<Problem>> {
    let mut problems: Vec<Problem> = Vec::new();
    let mut bad = |field: &'static str, message: String| {
        problems.push(Problem { field, message });
    };
    let subject = i.subject;
    if subject.is_none() {
        bad(
            "subject",
            "say whom it is about: child, adult or staff".into(),
        );
    }
    let name = match super::text::validate_line("name", &i.name, 100) {
        Ok(n) => n,
        Err(e) => {
            bad("name", e.to_string());
            String::new()
        }
    };

    // Dates and age, then the subject against them.
    let mut dob: Option<NaiveDate> = None;
    let mut band = AgeBand::Unknown;
    let mut read_as = None;
    let mut years: Option<u32> = None;
    let (dob_t, exp_t, age_t) = (i.dob.trim(), i.expected.trim(), i.age.trim());
    if !exp_t.is_empty() {
        if subject.is_some_and(|s| s != SubjectKind::Child) {
            bad(
                "expected",
                "an expected date of birth is for an unborn child: choose child, or leave it empty"
                    .into(),
            );
        } else if !dob_t.is_empty() || !age_t.is_empty() {
            bad(
                "expected",
                "give an expected date (unborn) or a date of birth or age, not both".into(),
            );
        } else {
            match parse_uk_date(exp_t) {
                Err(e) => bad("expected", e),
                Ok(d) if d < today => bad(
                    "expected",
                    format!(
                        "the expected date {} has passed: if the baby is born, give the date of birth instead",
                        long_date(d)
                    ),
                ),
                Ok(d) if (d - today).num_days() > MAX_EXPECTED_DAYS => bad(
                    "expected",
                    format!(
                        "the expected date {} is more than 42 weeks away: check the year",
                        long_date(d)
                    ),
                ),
                Ok(d) => {
                    dob = Some(d);
                    band = AgeBand::Unborn;
                    read_as = Some(format!("unborn, expected {}", long_date(d)));
                }
            }
        }
    } else if !dob_t.is_empty() {
        match parse_uk_date(dob_t) {
            Err(e) => bad("dob", e),
            Ok(d) => match years_old(d, today) {
                None => bad(
                    "dob",
                    format!(
                        "the date of birth {} is in the future: for an unborn child give the expected date instead",
                        long_date(d)
                    ),
                ),
                Some(y) if y > 120 => bad(
                    "dob",
                    format!(
                        "the date of birth {} is over 120 years ago: check the year",
                        long_date(d)
                    ),
                ),
                Some(y) => {
                    dob = Some(d);
                    years = Some(y);
                    band = AgeBand::from_years(y);
                    read_as = Some(format!("born {} (aged {y})", long_date(d)));
                }
            },
        }
    }
    if !age_t.is_empty() && exp_t.is_empty() {
        match age_t.parse::<u32>() {
            Ok(a) if a <= 120 => match years {
                Some(y) if y != a => bad(
                    "age",
                    format!(
                        "age {a} does not match the date of birth, which makes them {y}: correct one of them"
                    ),
                ),
                Some(_) => {}
                None if dob_t.is_empty() => {
                    years = Some(a);
                    band = AgeBand::from_years(a);
                }
                None => {}
            },
            _ => bad(
                "age",
                format!("{age_t:?} is not an age: whole years, 0 to 120 (0 for a baby under 1)"),
            ),
        }
    }
    let said = |band: AgeBand| match years {
        Some(y) => format!("aged {y}"),
        None if band == AgeBand::Unborn => "unborn".to_string(),
        None => band.label().to_string(),
    };
    match subject {
        Some(SubjectKind::Child) if band.is_adult() => bad(
            "subject",
            format!(
                "a child is under 18, but this person is {}: choose adult (an adult at risk) or staff, or correct the age",
                said(band)
            ),
        ),
        Some(SubjectKind::Adult) if band.is_child() => bad(
            "subject",
            format!(
                "an adult at risk is 18 or over, and this person is {}: a child in law (Children Act 1989 s105), so choose child, or correct the age",
                said(band)
            ),
        ),
        _ => {}
    }

    // Where: the area where they live, and for staff where they work.
    let area = match area::resolve(&i.area, areas, "area where they live") {
        Ok(a) => a,
        Err(e) => {
            bad("area", e.message);
            String::new()
        }
    };
    let staff = subject == Some(SubjectKind::Staff);
    let mut work_area = None;
    if !i.work_area.trim().is_empty() {
        if staff {
            match area::resolve(&i.work_area, areas, "area where they work") {
                Ok(a) => work_area = Some(a),
                Err(e) => bad("work_area", e.message),
            }
        } else {
            bad(
                "work_area",
                "where someone works is asked only for an allegation about staff or a volunteer"
                    .into(),
            );
        }
    }
    if i.works_with.is_some() && !staff {
        bad(
            "works_with",
            "whom someone works with is asked only for an allegation about staff or a volunteer"
                .into(),
        );
    }
    if i.low_level && !staff {
        bad(
            "low_level",
            "a low-level concern (KCSIE Part 4 section 2) is about a member of staff or a volunteer: choose staff, or untick it".into(),
        );
    }

    // Consent: the decision, and the reason unless given.
    let consent = match i.consent {
        Some(c) => c,
        None => {
            bad(
                "consent",
                "record the consent decision: given, refused, sought (awaiting the answer), not sought (unsafe) or unable (capacity)".into(),
            );
            Consent::Sought
        }
    };
    let reason = i.consent_reason.trim();
    let consent_reason = if reason.is_empty() {
        if consent.needs_reason() {
            bad(
                "consent_reason",
                format!(
                    "consent {}: say why (consent is not needed to refer, but the reason for sharing without it is recorded)",
                    consent.label()
                ),
            );
        }
        None
    } else {
        match super::text::validate_block("consent reason", reason, 4000) {
            Ok(r) => Some(r),
            Err(e) => {
                bad("consent_reason", e.to_string());
                None
            }
        }
    };
    if i.categories.iter().all(|c| c.trim().is_empty()) {
        bad(
            "categories",
            "choose at least one category (`dutydesk categories list`)".into(),
        );
    }
    if i.called_999 && !i.immediate_risk {
        bad(
            "called_999",
            "999 called is recorded only when someone's life is at risk now".into(),
        );
    }
    if !problems.is_empty() {
        return Err(problems);
    }
    Ok(Checked {
        subject: subject.unwrap_or(SubjectKind::Child),
        name,
        dob,
        age_band: band,
        area,
        work_area,
        works_with: if staff {
            Some(i.works_with.unwrap_or(WorksWith::Children))
        } else {
            None
        },
        low_level: i.low_level,
        consent,
        consent_reason,
        location: i.location.unwrap_or(LocationType::Unknown),
        categories: i
            .categories
            .iter()
            .map(|c| c.trim().to_string())
            .filter(|c| !c.is_empty())
            .collect(),
        read_as,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(y: i32, m: u32, dd: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, dd).unwrap()
    }

    fn today() -> NaiveDate {
        d(2026, 11, 23)
    }

    fn base(subject: SubjectKind) -> Input {
        Input {
            subject: Some(subject),
            name: "Kai Morgan".into(),
            area: "Rutland".into(),
            consent: Some(Consent::Given),
            categories: vec!["neglect".into()],
            ..Input::default()
        }
    }

    fn fields(r: Result<Checked, Vec<Problem>>) -> Vec<&'static str> {
        r.err()
            .unwrap_or_default()
            .iter()
            .map(|p| p.field)
            .collect()
    }

    #[test]
    fn uk_dates_are_day_first() {
        assert_eq!(parse_uk_date("02/03/2014"), Ok(d(2014, 3, 2)));
        assert_eq!(parse_uk_date("2/3/2014"), Ok(d(2014, 3, 2)));
        assert_eq!(parse_uk_date("2.3.2014"), Ok(d(2014, 3, 2)));
        assert_eq!(parse_uk_date("02-03-2014"), Ok(d(2014, 3, 2)));
        assert_eq!(parse_uk_date("2014-03-02"), Ok(d(2014, 3, 2)));
        assert_eq!(parse_uk_date("2 March 2014"), Ok(d(2014, 3, 2)));
        assert_eq!(parse_uk_date("2 Mar 2014"), Ok(d(2014, 3, 2)));
        assert!(
            parse_uk_date("02/03/14")
                .unwrap_err()
                .contains("year in full")
        );
        assert!(
            parse_uk_date("03/25/2014")
                .unwrap_err()
                .contains("month comes second")
        );
        assert!(
            parse_uk_date("31/02/2014")
                .unwrap_err()
                .contains("not a date")
        );
        assert!(parse_uk_date("soon").unwrap_err().contains("02/03/2014"));
    }

    #[test]
    fn subject_and_age_are_checked_together() {
        // A 16-year-old "adult" is a child.
        let mut i = base(SubjectKind::Adult);
        i.age = "16".into();
        let e = check(&i, today(), &[]).unwrap_err();
        assert_eq!(e[0].field, "subject");
        assert!(e[0].message.contains("aged 16"), "{}", e[0].message);
        assert!(e[0].message.contains("choose child"), "{}", e[0].message);
        // A "child" aged 30 is not.
        let mut i = base(SubjectKind::Child);
        i.age = "30".into();
        let e = check(&i, today(), &[]).unwrap_err();
        assert!(e[0].message.contains("under 18"), "{}", e[0].message);
        // By date of birth, at the edges: 18 today is an adult, 17 tomorrow-18 a child.
        let mut i = base(SubjectKind::Child);
        i.dob = "23/11/2008".into();
        assert_eq!(fields(check(&i, today(), &[])), ["subject"]);
        i.dob = "24/11/2008".into();
        let c = check(&i, today(), &[]).unwrap();
        assert_eq!(c.age_band, AgeBand::From16);
        assert_eq!(
            c.read_as.as_deref(),
            Some("born 24 November 2008 (aged 17)")
        );
        let mut i = base(SubjectKind::Adult);
        i.dob = "23/11/2008".into();
        assert_eq!(check(&i, today(), &[]).unwrap().age_band, AgeBand::From18);
        // A baby under one.
        let mut i = base(SubjectKind::Child);
        i.age = "0".into();
        assert_eq!(check(&i, today(), &[]).unwrap().age_band, AgeBand::Under1);
        // Age and date of birth must agree.
        let mut i = base(SubjectKind::Child);
        i.dob = "02/03/2014".into();
        i.age = "9".into();
        assert_eq!(fields(check(&i, today(), &[])), ["age"]);
        i.age = "12".into();
        assert!(check(&i, today(), &[]).is_ok());
        i.age = "twelve".into();
        assert!(
            check(&i, today(), &[]).unwrap_err()[0]
                .message
                .contains("0 to 120")
        );
    }

    #[test]
    fn an_unborn_child_has_an_expected_date() {
        let mut i = base(SubjectKind::Child);
        i.expected = "01/03/2027".into();
        let c = check(&i, today(), &[]).unwrap();
        assert_eq!(c.age_band, AgeBand::Unborn);
        assert_eq!(c.dob, Some(d(2027, 3, 1)));
        // A future date of birth says to give the expected date.
        let mut i = base(SubjectKind::Child);
        i.dob = "01/03/2027".into();
        let e = check(&i, today(), &[]).unwrap_err();
        assert!(e[0].message.contains("expected date"), "{}", e[0].message);
        // Passed, too far ahead, or for an adult: refused.
        let mut i = base(SubjectKind::Child);
        i.expected = "01/11/2026".into();
        assert!(
            check(&i, today(), &[]).unwrap_err()[0]
                .message
                .contains("passed")
        );
        i.expected = "01/03/2028".into();
        assert!(
            check(&i, today(), &[]).unwrap_err()[0]
                .message
                .contains("42 weeks")
        );
        let mut i = base(SubjectKind::Adult);
        i.expected = "01/03/2027".into();
        assert_eq!(fields(check(&i, today(), &[])), ["expected"]);
    }

    #[test]
    fn consent_needs_a_reason_unless_given() {
        for c in [
            Consent::Refused,
            Consent::NotSoughtUnsafe,
            Consent::UnableCapacity,
        ] {
            let mut i = base(SubjectKind::Adult);
            i.consent = Some(c);
            let e = check(&i, today(), &[]).unwrap_err();
            assert_eq!(e[0].field, "consent_reason", "{c:?}");
            i.consent_reason = "lacks capacity for this decision (MCA assessment today)".into();
            assert!(check(&i, today(), &[]).is_ok());
        }
        let mut i = base(SubjectKind::Adult);
        i.consent = None;
        let e = check(&i, today(), &[]).unwrap_err();
        assert!(
            e[0].message.contains("unable (capacity)"),
            "{}",
            e[0].message
        );
        assert_eq!(Consent::parse("not-sought"), Ok(Consent::NotSoughtUnsafe));
        assert_eq!(Consent::parse("unable"), Ok(Consent::UnableCapacity));
        assert!(Consent::parse("maybe").unwrap_err().contains("unable"));
    }

    #[test]
    fn staff_fields_belong_to_staff() {
        let mut i = base(SubjectKind::Staff);
        i.low_level = true;
        i.work_area = "Leicester".into();
        let c = check(&i, today(), &[]).unwrap();
        assert!(c.low_level);
        assert_eq!(c.work_area.as_deref(), Some("Leicester"));
        assert_eq!(c.works_with, Some(WorksWith::Children));
        let mut i = base(SubjectKind::Child);
        i.low_level = true;
        i.work_area = "Leicester".into();
        i.works_with = Some(WorksWith::Adults);
        assert_eq!(
            fields(check(&i, today(), &[])),
            ["work_area", "works_with", "low_level"]
        );
    }

    #[test]
    fn areas_come_from_the_list() {
        let areas = vec![Area {
            name: "Rutland".into(),
            aliases: vec![],
            active: true,
        }];
        let mut i = base(SubjectKind::Child);
        i.area = "rutland".into();
        assert_eq!(check(&i, today(), &areas).unwrap().area, "Rutland");
        i.area = "Rutlnd".into();
        let e = check(&i, today(), &areas).unwrap_err();
        assert!(
            e[0].message.contains("did you mean Rutland?"),
            "{}",
            e[0].message
        );
        i.area = "unknown".into();
        assert_eq!(check(&i, today(), &areas).unwrap().area, "unknown");
    }
}
