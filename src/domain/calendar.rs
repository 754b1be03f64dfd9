//! Europe/London time. Every date and time the desk shows or counts in is local
//! UK time (GMT in winter, BST in summer), whatever zone the host runs in.

use chrono::{DateTime, NaiveDate, Utc};
use chrono_tz::{Europe::London, Tz};
use serde::Deserialize;

/// The zone all safeguarding deadlines and opening hours are set in.
pub const ZONE: Tz = London;

/// An instant as UK local time.
pub fn local(at: DateTime<Utc>) -> DateTime<Tz> {
    at.with_timezone(&ZONE)
}

/// "Sun 22 Nov 2026 14:40 GMT": the header clock.
pub fn format_clock(at: DateTime<Utc>) -> String {
    local(at).format("%a %d %b %Y %H:%M %Z").to_string()
}

/// "22 Nov 2026 14:40": record timestamps.
pub fn format_stamp(at: DateTime<Utc>) -> String {
    local(at).format("%d %b %Y %H:%M").to_string()
}

/// A bank holiday of one division (England & Wales unless stated).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BankHoliday {
    pub date: NaiveDate,
    pub title: String,
}

/// The divisions GOV.UK's feed publishes.
pub const DIVISIONS: &[&str] = &["england-and-wales", "scotland", "northern-ireland"];

/// Why a holidays file was refused (nothing is imported from it).
#[derive(Debug, thiserror::Error)]
pub enum HolidayFileError {
    #[error("not GOV.UK bank-holidays JSON: {0}")]
    Shape(#[from] serde_json::Error),
    #[error(
        "no division {0:?} in the file (expected one of england-and-wales, scotland, northern-ireland)"
    )]
    NoDivision(String),
    #[error("event {index} has a bad date {date:?} (expected YYYY-MM-DD)")]
    BadDate { index: usize, date: String },
    #[error("event {index} has an empty title")]
    EmptyTitle { index: usize },
}

#[derive(Deserialize)]
struct Division {
    events: Vec<Event>,
}

#[derive(Deserialize)]
struct Event {
    title: String,
    date: String,
}

/// Parses GOV.UK's `bank-holidays.json` and returns one division's holidays.
/// All or nothing: one bad event refuses the whole file.
pub fn parse_govuk(json: &str, division: &str) -> Result<Vec<BankHoliday>, HolidayFileError> {
    let mut all: std::collections::HashMap<String, Division> = serde_json::from_str(json)?;
    let div = all
        .remove(division)
        .ok_or_else(|| HolidayFileError::NoDivision(division.to_string()))?;
    div.events
        .into_iter()
        .enumerate()
        .map(|(index, e)| {
            let date = NaiveDate::parse_from_str(&e.date, "%Y-%m-%d").map_err(|_| {
                HolidayFileError::BadDate {
                    index,
                    date: e.date.clone(),
                }
            })?;
            let title = super::text::clean_line(e.title.trim());
            if title.is_empty() {
                return Err(HolidayFileError::EmptyTitle { index });
            }
            Ok(BankHoliday { date, title })
        })
        .collect()
}

/// England & Wales bank holidays 2025–2027, as GOV.UK publishes them; the demo
/// and new databases start with these.
pub const BUNDLED_HOLIDAYS: &str = include_str!("../../data/bank-holidays.json");

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    #[test]
    fn bundled_holidays_are_the_real_dates() {
        let h = parse_govuk(BUNDLED_HOLIDAYS, "england-and-wales").unwrap();
        let dates: Vec<String> = h.iter().map(|b| b.date.to_string()).collect();
        assert_eq!(h.len(), 24);
        for d in [
            "2025-04-18",
            "2025-04-21",
            "2026-04-03",
            "2026-04-06",
            "2026-05-04",
            "2026-05-25",
            "2026-08-31",
            "2026-12-25",
            "2026-12-28",
            "2027-03-26",
            "2027-03-29",
            "2027-05-31",
            "2027-12-27",
            "2027-12-28",
        ] {
            assert!(dates.contains(&d.to_string()), "{d} missing");
        }
    }

    #[test]
    fn bad_files_are_refused_whole() {
        assert!(matches!(
            parse_govuk("[]", "england-and-wales"),
            Err(HolidayFileError::Shape(_))
        ));
        assert!(matches!(
            parse_govuk(r#"{"scotland":{"events":[]}}"#, "england-and-wales"),
            Err(HolidayFileError::NoDivision(_))
        ));
        let bad = r#"{"england-and-wales":{"events":[
            {"title":"New Year's Day","date":"2026-01-01"},
            {"title":"Odd","date":"2026-13-01"}]}}"#;
        assert!(matches!(
            parse_govuk(bad, "england-and-wales"),
            Err(HolidayFileError::BadDate { index: 1, .. })
        ));
    }

    #[test]
    fn winter_is_gmt_summer_is_bst() {
        let winter = Utc.with_ymd_and_hms(2026, 11, 22, 14, 40, 0).unwrap();
        assert_eq!(format_clock(winter), "Sun 22 Nov 2026 14:40 GMT");
        let summer = Utc.with_ymd_and_hms(2026, 7, 1, 8, 30, 0).unwrap();
        assert_eq!(format_clock(summer), "Wed 01 Jul 2026 09:30 BST");
    }

    #[test]
    fn stamps_follow_the_clock_change() {
        // 2026-03-29 01:00 UTC is when BST starts.
        let before = Utc.with_ymd_and_hms(2026, 3, 29, 0, 59, 0).unwrap();
        let after = Utc.with_ymd_and_hms(2026, 3, 29, 1, 0, 0).unwrap();
        assert_eq!(format_stamp(before), "29 Mar 2026 00:59");
        assert_eq!(format_stamp(after), "29 Mar 2026 02:00");
    }
}
