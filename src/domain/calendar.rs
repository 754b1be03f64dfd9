//! Europe/London time. Every date and time the desk shows or counts in is local
//! UK time (GMT in winter, BST in summer), whatever zone the host runs in.

use chrono::{
    DateTime, Datelike, Duration, LocalResult, Months, NaiveDate, NaiveTime, TimeZone, Utc, Weekday,
};
use chrono_tz::{Europe::London, Tz};
use serde::Deserialize;
use std::collections::BTreeSet;

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

coded_enum! {
    /// The kinds of offset a deadline rule counts in.
    OffsetUnit {
        Hours = "hours", "hours";
        CalendarDays = "calendar_days", "calendar days";
        WorkingDays = "working_days", "working days";
        CalendarMonths = "calendar_months", "calendar months";
        SameDay = "same_day", "same day";
    }
}

coded_enum! {
    /// Where in the day a day-counted deadline falls: an organisation's setting
    /// (`deadline_counting`), because policies say "within one working day" and
    /// mean either the same time next working day or the close of that day.
    Counting {
        SameTime = "same_time", "same time on the last day";
        EndOfDay = "end_of_day", "end of the last day (23:59)";
    }
}

/// Working days of one division: Monday to Friday less its bank holidays.
#[derive(Debug, Clone, Default)]
pub struct WorkingCalendar {
    holidays: BTreeSet<NaiveDate>,
}

impl WorkingCalendar {
    pub fn new(dates: impl IntoIterator<Item = NaiveDate>) -> Self {
        WorkingCalendar {
            holidays: dates.into_iter().collect(),
        }
    }

    pub fn is_working_day(&self, d: NaiveDate) -> bool {
        !matches!(d.weekday(), Weekday::Sat | Weekday::Sun) && !self.holidays.contains(&d)
    }

    /// The last year whose bank holidays are known. GOV.UK publishes only a
    /// year or two ahead; past it, a working-day count may be wrong.
    pub fn known_through(&self) -> Option<i32> {
        self.holidays.last().map(|d| d.year())
    }

    /// Whether working days on `d` can be counted with confidence.
    pub fn covers(&self, d: NaiveDate) -> bool {
        self.known_through().is_some_and(|y| d.year() <= y)
    }
}

/// A computed due instant, and whether it rests on bank holidays nobody has
/// published yet (shown as a warning, never silently).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Due {
    pub at: DateTime<Utc>,
    pub beyond_calendar: bool,
}

/// The instant of a UK wall-clock time. In the autumn hour that happens twice
/// the earlier is taken (the stricter deadline); a time skipped in spring moves
/// forward by the hour that was skipped.
pub fn at_local(date: NaiveDate, time: NaiveTime) -> DateTime<Utc> {
    let naive = date.and_time(time);
    match ZONE.from_local_datetime(&naive) {
        LocalResult::Single(t) => t.with_timezone(&Utc),
        LocalResult::Ambiguous(a, b) => a.min(b).with_timezone(&Utc),
        LocalResult::None => {
            let later = naive + Duration::hours(1);
            match ZONE.from_local_datetime(&later) {
                LocalResult::Single(t) | LocalResult::Ambiguous(t, _) => t.with_timezone(&Utc),
                // No zone skips two hours; fall back to reading the time as UTC.
                LocalResult::None => Utc.from_utc_datetime(&naive),
            }
        }
    }
}

/// The last minute of a UK day.
pub fn end_of_day(date: NaiveDate) -> DateTime<Utc> {
    at_local(
        date,
        NaiveTime::from_hms_opt(23, 59, 0).expect("valid time"),
    )
}

/// When a deadline falls that runs `amount` `unit`s from `start`, counted in
/// UK local time whatever the host's zone.
///
/// - hours: elapsed time, exactly.
/// - calendar days / months: the same UK wall-clock time that many days or
///   months on (31 Jan + 1 month = 28/29 Feb), or the end of that day.
/// - working days: step day by day, counting only working days; a start on a
///   weekend or holiday counts from the next working day, so "1 working day"
///   from Saturday 10:00 is Monday 10:00 (or Monday 23:59 at end of day).
/// - same day: the end of the start's UK day.
pub fn due_after(
    start: DateTime<Utc>,
    amount: u32,
    unit: OffsetUnit,
    counting: Counting,
    cal: &WorkingCalendar,
) -> Due {
    let local = local(start);
    let (date, time) = (local.date_naive(), local.time());
    let finish = |d: NaiveDate| match counting {
        Counting::SameTime => at_local(d, time),
        Counting::EndOfDay => end_of_day(d),
    };
    let plain = |at| Due {
        at,
        beyond_calendar: false,
    };
    match unit {
        OffsetUnit::Hours => plain(start + Duration::hours(amount as i64)),
        OffsetUnit::SameDay => plain(end_of_day(date).max(start)),
        OffsetUnit::CalendarDays => plain(finish(date + Duration::days(amount as i64))),
        OffsetUnit::CalendarMonths => plain(finish(
            date.checked_add_months(Months::new(amount))
                .unwrap_or(NaiveDate::MAX),
        )),
        OffsetUnit::WorkingDays => {
            let mut d = date;
            let mut left = amount;
            // "0 working days" from a weekend means the next working day.
            // Terminates: the holiday set is finite.
            while amount == 0 && !cal.is_working_day(d) {
                let Some(next) = d.succ_opt() else { break };
                d = next;
            }
            while left > 0 {
                let Some(next) = d.succ_opt() else { break };
                d = next;
                if cal.is_working_day(d) {
                    left -= 1;
                }
            }
            Due {
                at: finish(d),
                beyond_calendar: !cal.covers(d),
            }
        }
    }
}

/// England & Wales bank holidays 2025–2027, as GOV.UK publishes them; the demo
/// and new databases start with these.
pub const BUNDLED_HOLIDAYS: &str = include_str!("../../data/bank-holidays.json");

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    fn cal() -> WorkingCalendar {
        WorkingCalendar::new(
            parse_govuk(BUNDLED_HOLIDAYS, "england-and-wales")
                .unwrap()
                .into_iter()
                .map(|h| h.date),
        )
    }

    fn utc(y: i32, mo: u32, d: u32, h: u32, mi: u32) -> DateTime<Utc> {
        Utc.with_ymd_and_hms(y, mo, d, h, mi, 0).unwrap()
    }

    fn due(start: DateTime<Utc>, n: u32, unit: OffsetUnit, c: Counting) -> Due {
        due_after(start, n, unit, c, &cal())
    }

    use Counting::{EndOfDay, SameTime};
    use OffsetUnit::*;

    #[test]
    fn christmas_2026_skips_the_holiday_weekend_and_the_substitute_day() {
        // Thu 24 Dec 16:00 GMT: Fri 25 is Christmas, 26-27 the weekend, Mon 28 the
        // substitute Boxing Day; one working day later is Tue 29 Dec.
        let start = utc(2026, 12, 24, 16, 0);
        assert_eq!(
            due(start, 1, WorkingDays, SameTime).at,
            utc(2026, 12, 29, 16, 0)
        );
        assert_eq!(
            due(start, 1, WorkingDays, EndOfDay).at,
            utc(2026, 12, 29, 23, 59)
        );
        // Raised on the holiday itself: counting starts from the next working day.
        let on_holiday = utc(2026, 12, 25, 10, 0);
        assert_eq!(
            due(on_holiday, 1, WorkingDays, SameTime).at,
            utc(2026, 12, 29, 10, 0)
        );
        assert!(!due(on_holiday, 1, WorkingDays, SameTime).beyond_calendar);
    }

    #[test]
    fn a_weekend_trigger_counts_from_monday() {
        // Sat 21 Nov 2026 10:00 → Mon 23 Nov 10:00; Fri 16:00 → Mon 16:00.
        assert_eq!(
            due(utc(2026, 11, 21, 10, 0), 1, WorkingDays, SameTime).at,
            utc(2026, 11, 23, 10, 0)
        );
        assert_eq!(
            due(utc(2026, 11, 20, 16, 0), 1, WorkingDays, SameTime).at,
            utc(2026, 11, 23, 16, 0)
        );
        // Zero working days from a Sunday: Monday, same time.
        assert_eq!(
            due(utc(2026, 11, 22, 9, 0), 0, WorkingDays, SameTime).at,
            utc(2026, 11, 23, 9, 0)
        );
    }

    #[test]
    fn easter_2026_and_2027() {
        // 2026: Good Friday 3 Apr, Easter Monday 6 Apr. Thu 2 Apr 09:00 BST (08:00 UTC).
        assert_eq!(
            due(utc(2026, 4, 2, 8, 0), 1, WorkingDays, SameTime).at,
            utc(2026, 4, 7, 8, 0)
        );
        // 2027: Good Friday 26 Mar, clocks go forward Sun 28 Mar, Easter Monday 29 Mar.
        // Thu 25 Mar 12:00 GMT → Tue 30 Mar 12:00 BST, which is 11:00 UTC.
        assert_eq!(
            due(utc(2027, 3, 25, 12, 0), 1, WorkingDays, SameTime).at,
            utc(2027, 3, 30, 11, 0)
        );
    }

    #[test]
    fn late_may_and_august_bank_holidays_2026() {
        // Fri 22 May 15:00 BST → Tue 26 May (Mon 25 May is the spring bank holiday).
        assert_eq!(
            due(utc(2026, 5, 22, 14, 0), 1, WorkingDays, SameTime).at,
            utc(2026, 5, 26, 14, 0)
        );
        // Fri 28 Aug → Tue 1 Sep (Mon 31 Aug is the summer bank holiday).
        assert_eq!(
            due(utc(2026, 8, 28, 9, 30), 1, WorkingDays, SameTime).at,
            utc(2026, 9, 1, 9, 30)
        );
        // Early May: Mon 4 May 2026. s42 decision, 2 working days from Fri 1 May 10:00 BST.
        assert_eq!(
            due(utc(2026, 5, 1, 9, 0), 2, WorkingDays, SameTime).at,
            utc(2026, 5, 6, 9, 0)
        );
    }

    #[test]
    fn icpc_fifteen_working_days_over_christmas_and_new_year() {
        // Mon 14 Dec 2026 10:00 GMT; skips 25 and 28 Dec and 1 Jan 2027 → Thu 7 Jan 2027.
        assert_eq!(
            due(utc(2026, 12, 14, 10, 0), 15, WorkingDays, SameTime).at,
            utc(2027, 1, 7, 10, 0)
        );
    }

    #[test]
    fn spring_clock_change_2026() {
        // Clocks go forward at 01:00 GMT on Sun 29 Mar 2026.
        // One calendar day from Sat 12:00 GMT is Sun 12:00 BST: only 23 hours later.
        let sat = utc(2026, 3, 28, 12, 0);
        assert_eq!(
            due(sat, 1, CalendarDays, SameTime).at,
            utc(2026, 3, 29, 11, 0)
        );
        // Hours are hours.
        assert_eq!(due(sat, 24, Hours, SameTime).at, utc(2026, 3, 29, 12, 0));
        // 01:30 on Sunday does not exist: the deadline moves to 02:30 BST (01:30 UTC).
        assert_eq!(
            due(utc(2026, 3, 28, 1, 30), 1, CalendarDays, SameTime).at,
            utc(2026, 3, 29, 1, 30)
        );
        // Home Office initial report: 1 calendar day from Sat 28 Mar 2026 20:00 GMT.
        assert_eq!(
            due(utc(2026, 3, 28, 20, 0), 1, CalendarDays, SameTime).at,
            utc(2026, 3, 29, 19, 0)
        );
    }

    #[test]
    fn autumn_clock_change_2026() {
        // Clocks go back at 02:00 BST on Sun 25 Oct 2026.
        // Sat 12:00 BST + 1 calendar day = Sun 12:00 GMT: 25 hours later.
        assert_eq!(
            due(utc(2026, 10, 24, 11, 0), 1, CalendarDays, SameTime).at,
            utc(2026, 10, 25, 12, 0)
        );
        // 01:30 happens twice on Sunday: the earlier (BST, 00:30 UTC) is taken.
        assert_eq!(
            due(utc(2026, 10, 24, 0, 30), 1, CalendarDays, SameTime).at,
            utc(2026, 10, 25, 0, 30)
        );
        // Follow-up report, 3 calendar days from Fri 23 Oct 17:00 BST → Mon 26 Oct 17:00 GMT.
        assert_eq!(
            due(utc(2026, 10, 23, 16, 0), 3, CalendarDays, SameTime).at,
            utc(2026, 10, 26, 17, 0)
        );
    }

    #[test]
    fn calendar_months_end_at_the_month_end() {
        assert_eq!(
            due(utc(2026, 1, 31, 10, 0), 1, CalendarMonths, SameTime).at,
            utc(2026, 2, 28, 10, 0)
        );
        assert_eq!(
            due(utc(2028, 1, 31, 10, 0), 1, CalendarMonths, SameTime).at,
            utc(2028, 2, 29, 10, 0)
        );
        // 30 Nov 2026 10:00 GMT + 1 month = 30 Dec 2026, end of day.
        assert_eq!(
            due(utc(2026, 11, 30, 10, 0), 1, CalendarMonths, EndOfDay).at,
            utc(2026, 12, 30, 23, 59)
        );
        // Across the spring change: 15 Mar 12:00 GMT → 15 Apr 12:00 BST (11:00 UTC).
        assert_eq!(
            due(utc(2026, 3, 15, 12, 0), 1, CalendarMonths, SameTime).at,
            utc(2026, 4, 15, 11, 0)
        );
    }

    #[test]
    fn same_day_is_the_end_of_the_uk_day() {
        assert_eq!(
            due(utc(2026, 11, 23, 9, 0), 0, SameDay, SameTime).at,
            utc(2026, 11, 23, 23, 59)
        );
        // In summer the UK day ends at 22:59 UTC.
        assert_eq!(
            due(utc(2026, 7, 1, 9, 0), 0, SameDay, SameTime).at,
            utc(2026, 7, 1, 22, 59)
        );
        // 23:30 UTC on 1 July is already 2 July in the UK.
        assert_eq!(
            due(utc(2026, 7, 1, 23, 30), 0, SameDay, SameTime).at,
            utc(2026, 7, 2, 22, 59)
        );
    }

    #[test]
    fn past_the_known_holidays_the_date_is_flagged() {
        // Known through 2027. Thu 30 Dec 2027 + 1 working day = Fri 31 Dec: known.
        let d = due(utc(2027, 12, 30, 10, 0), 1, WorkingDays, SameTime);
        assert_eq!(d.at, utc(2027, 12, 31, 10, 0));
        assert!(!d.beyond_calendar);
        // + 2 working days lands in 2028, whose holidays are not loaded (and 3 Jan
        // 2028 is in fact a substitute New Year holiday): flagged, never silent.
        let d = due(utc(2027, 12, 30, 10, 0), 2, WorkingDays, SameTime);
        assert_eq!(d.at, utc(2028, 1, 3, 10, 0));
        assert!(d.beyond_calendar);
        // Calendar days do not depend on holidays and are never flagged.
        assert!(!due(utc(2027, 12, 30, 10, 0), 5, CalendarDays, SameTime).beyond_calendar);
        // An empty calendar knows nothing.
        let none = due_after(
            utc(2026, 11, 23, 9, 0),
            1,
            WorkingDays,
            SameTime,
            &WorkingCalendar::default(),
        );
        assert!(none.beyond_calendar);
        assert_eq!(cal().known_through(), Some(2027));
    }

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
